package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alembic migrates the database the runner locked (and backed up), whatever alembic.ini or env.py name, or nothing:
 * database A is the runner's, B another database on the same server that a stock alembic.ini or an env.py names.
 */
class DatabaseMismatchIT {

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase a = TestDatabase.perTest("mismatch_a");
    @RegisterExtension
    final TestDatabase b = TestDatabase.perTest("mismatch_b");
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** What `alembic init` users write into alembic.ini: everything in the URL, password included. */
    private String urlOf(TestDatabase database) {
        Map<String, String> server = TestDatabase.serverEnvironment();
        return "postgresql://" + server.get("PGUSER") + ":" + server.get("PGPASSWORD") + "@" + server.get("PGHOST")
                + ":" + server.get("PGPORT") + "/" + database.name();
    }

    /** A project whose env.py builds its own engine for {@code database}, whatever the runner locked. */
    private AlembicProject connectingTo(TestDatabase database) throws IOException {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withEnv("create_engine(\"" + urlOf(database) + "\", poolclass=pool.NullPool)", "");
        Files.writeString(project.dir().resolve("env.py"), "from sqlalchemy import create_engine\n"
                + Files.readString(project.dir().resolve("env.py")));
        return project;
    }

    private UpgradeResult upgrade(AlembicProject project) throws RunnerException {
        return Upgrade.run(Databases.settings(a), AlembicProject.tools(),
                Requests.upgrade(project.dir(), "head", Duration.ofSeconds(1), Duration.ofSeconds(5)),
                Clock.systemUTC(), new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static List<String> tables(TestDatabase database) throws SQLException {
        try (Connection c = database.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select table_schema || '.' || table_name from information_schema.tables"
                     + " where table_schema not in ('pg_catalog', 'information_schema') order by 1")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }

    @Test
    void aStockAlembicIniNamingAnotherDatabaseMigratesTheLockedOne() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).withPhone().withUrl(urlOf(b));

        UpgradeResult r = upgrade(project);

        assertEquals("0003_phone", r.toRevision());
        assertEquals(List.of("0001_init", "0002_email", "0003_phone"), r.appliedRevisions());
        try (Connection c = a.connect()) {
            assertEquals(List.of("0003_phone"), AlembicVersion.current(c, "alembic_version"));
        }
        assertEquals(List.of(), tables(b), "database B was not touched");
        assertFalse(log.toString(StandardCharsets.UTF_8).contains(TestDatabase.serverEnvironment().get("PGPASSWORD")));
    }

    @Test
    void anEnvPyConnectingElsewhereIsDatabaseMismatchBeforeAnythingRuns() throws Exception {
        AlembicProject project = connectingTo(b);

        RunnerException e = assertThrows(RunnerException.class, () -> upgrade(project));

        assertEquals(ExitCode.DATABASE_MISMATCH, e.exitCode());
        assertTrue(e.getMessage().contains("Alembic connected to database '" + b.name() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("not to database '" + a.name() + "'"), e.getMessage());
        assertFalse(e.getMessage().contains(TestDatabase.serverEnvironment().get("PGPASSWORD")), e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals("base", r.toRevision());
        assertEquals(List.of(), r.appliedRevisions());
        assertEquals(List.of(), tables(b), "database B was not touched");
        assertEquals(List.of(), tables(a), "database A was not touched");
        assertFalse(ExitCode.DATABASE_MISMATCH.retryable());
    }

    @Test
    void aVersionTableElsewhereHoldingOtherRevisionsIsDatabaseMismatch() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withEnv("engine_from_config(\n    config.get_section(config.config_ini_section),"
                        + " prefix=\"sqlalchemy.\", poolclass=pool.NullPool)", ", version_table_schema=\"app\"");
        a.execute("create schema app", "create table app.alembic_version (version_num varchar(32) primary key)",
                "insert into app.alembic_version values ('0001_init')");

        RunnerException e = assertThrows(RunnerException.class, () -> upgrade(project));

        assertEquals(ExitCode.DATABASE_MISMATCH, e.exitCode());
        assertTrue(e.getMessage().contains("Alembic reads revision(s) 0001_init from its version table"
                + " app.alembic_version, the runner read base"), e.getMessage());
        assertEquals(List.of("app.alembic_version"), tables(a), "nothing ran");
    }

    @Test
    void anUpgradeAlembicRecordsWhereTheRunnerDoesNotReadIsDatabaseMismatchNamingBoth() throws Exception {
        // At base both version tables are missing, so the revisions agree before the run; after it they do not.
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withEnv("engine_from_config(\n    config.get_section(config.config_ini_section),"
                        + " prefix=\"sqlalchemy.\", poolclass=pool.NullPool)", ", version_table_schema=\"app\"");
        a.execute("create schema app");

        RunnerException e = assertThrows(RunnerException.class, () -> upgrade(project));

        assertEquals(ExitCode.DATABASE_MISMATCH, e.exitCode());
        assertTrue(e.getMessage().contains("its log says it applied 0001_init, 0002_email"), e.getMessage());
        assertTrue(e.getMessage().contains("alembic_version holds base, expected 0002_email"), e.getMessage());
    }

    @Test
    void aStampWhoseEnvPyConnectsElsewhereIsDatabaseMismatch() throws Exception {
        AlembicProject project = connectingTo(b);

        RunnerException e = assertThrows(RunnerException.class, () -> Stamp.run(Databases.settings(a), AlembicProject.tools(),
                new StampRequest(project.dir(), "0002_email", false), Clock.systemUTC(),
                new PrintStream(log, true, StandardCharsets.UTF_8)));

        assertEquals(ExitCode.DATABASE_MISMATCH, e.exitCode());
        assertEquals(List.of(), tables(b), "database B was not stamped");
    }
}
