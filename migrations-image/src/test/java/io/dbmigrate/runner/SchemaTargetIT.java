package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schema targets (schema per tenant): two schemas of one real database, migrated independently by the runner's command
 * line with DBMIGRATE_SCHEMA and the migrations image's own env.py template. Each keeps its own alembic_version, its
 * objects land in it, and the other schema (and public) stays as it was.
 */
class SchemaTargetIT extends ProjectFixture {

    SchemaTargetIT() {
        super("schemas", AlembicProject::withPhone);
    }

    /** The test project's revisions with the template's alembic.ini and env.py. */
    @BeforeEach
    void useTemplate() throws IOException {
        for (String file : List.of("alembic.ini", "env.py")) {
            Files.copy(Examples.repositoryRoot().resolve("migrations-image/alembic-template").resolve(file),
                    project.dir().resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private CommandLineRun runner(String schema, String... args) throws IOException {
        CommandLineRun r = CommandLineRun.run(tmp, db.env(), Map.of("DBMIGRATE_SCHEMA", schema), args);
        assertFalse(r.out().contains(db.password()) || r.err().contains(db.password()), "the password was printed");
        return r;
    }

    private CommandLineRun upgrade(String schema, String target) throws IOException {
        return runner(schema, "upgrade", "--migrations", project.dir().toString(), "--target", target,
                "--lock-wait", "5s", "--verify", "customers-here=select count(*) = 0 from customers");
    }

    /** The rows of schema.alembic_version; empty when there is no such table. */
    private List<String> versionRows(String schema) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("select to_regclass('" + schema + ".alembic_version') is not null")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return rows;
                }
            }
            try (ResultSet rs = st.executeQuery("select version_num from " + schema + ".alembic_version order by 1")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }

    /** The columns of schema.customers, in order; empty when it has no such table. */
    private List<String> customerColumns(String schema) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select column_name from information_schema.columns where table_schema = '"
                     + schema + "' and table_name = 'customers' order by ordinal_position")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }

    private void assertPublicUntouched() throws SQLException {
        assertEquals(List.of(), versionRows("public"), "public.alembic_version");
        assertEquals(List.of(), customerColumns("public"), "public.customers");
    }

    @Test
    void twoSchemasOfOneDatabaseAreMigratedIndependently() throws Exception {
        CommandLineRun a = upgrade("tenant_a", "0002_email");
        assertEquals(0, a.exit(), a.err());
        assertEquals(List.of("0002_email"), versionRows("tenant_a"));
        assertEquals(List.of("id", "name", "email"), customerColumns("tenant_a"));
        assertEquals(List.of(), versionRows("tenant_b"), "tenant_b does not exist yet");
        assertEquals(0, db.queryLong("select count(*) from pg_namespace where nspname = 'tenant_b'"));

        CommandLineRun b = upgrade("tenant_b", "0001_init");
        assertEquals(0, b.exit(), b.err());
        assertEquals(List.of("0001_init"), versionRows("tenant_b"));
        assertEquals(List.of("id", "name"), customerColumns("tenant_b"));
        assertEquals(List.of("0002_email"), versionRows("tenant_a"), "tenant_a untouched");
        assertEquals(List.of("id", "name", "email"), customerColumns("tenant_a"));

        // Each reads its own revision: tenant_b goes on from 0001_init, tenant_a does not move.
        CommandLineRun bHead = upgrade("tenant_b", "head");
        assertEquals(0, bHead.exit(), bHead.err());
        assertEquals("0001_init", bHead.result().upgrade().fromRevision());
        assertEquals(List.of("0003_phone"), versionRows("tenant_b"));
        assertEquals(List.of("id", "name", "email", "phone"), customerColumns("tenant_b"));
        assertEquals(List.of("0002_email"), versionRows("tenant_a"));
        assertEquals(List.of("id", "name", "email"), customerColumns("tenant_a"));

        CommandLineRun current = runner("tenant_a", "current");
        assertEquals(0, current.exit(), current.err());
        assertEquals(List.of("0002_email"), current.result().revisions());
        assertPublicUntouched();
    }

    @Test
    void stampAndPlanReadAndWriteTheSchemasVersionTable() throws Exception {
        assertEquals(0, upgrade("tenant_a", "head").exit());
        assertEquals(0, upgrade("tenant_b", "head").exit());

        CommandLineRun stamp = runner("tenant_b", "stamp", "--migrations", project.dir().toString(),
                "--revision", "0001_init", "--lock-wait", "5s");
        assertEquals(0, stamp.exit(), stamp.err());
        assertEquals(List.of("0001_init"), versionRows("tenant_b"));
        assertEquals(List.of("0003_phone"), versionRows("tenant_a"), "tenant_a untouched");

        CommandLineRun plan = runner("tenant_b", "plan", "--migrations", project.dir().toString(), "--target", "head");
        assertEquals(0, plan.exit(), plan.err());
        assertEquals("0001_init", plan.result().plan().fromRevision());
        assertEquals(List.of("0002_email", "0003_phone"), plan.result().plan().pendingRevisions());
        // Offline mode writes the same schema handling: the SQL runs in the tenant's schema.
        String sql = CompressedSql.decode(plan.result().plan().sqlGzipBase64());
        assertTrue(sql.contains("SET search_path TO \"tenant_b\""), sql);
        assertTrue(sql.contains("UPDATE tenant_b.alembic_version"), sql);
        assertPublicUntouched();
    }

    @Test
    void backupDumpsTheSchemaAloneAndTheRehearsalRestoresIt() throws Exception {
        assertEquals(0, upgrade("tenant_a", "0002_email").exit());
        assertEquals(0, upgrade("tenant_b", "head").exit());
        db.execute("insert into tenant_a.customers (name) values ('acme')",
                "create table public.shared_lookup (id int)");
        Path backups = Files.createDirectories(tmp.resolve("backups"));

        CommandLineRun backup = runner("tenant_a", "backup", "--dir", backups.toString(), "--name", "tenants",
                "--label", "g1");
        assertEquals(0, backup.exit(), backup.err());
        assertEquals("0002_email", backup.result().backup().revision());
        String contents = archiveContents(Path.of(backup.result().backup().file()));
        assertTrue(contents.contains("SCHEMA - tenant_a"), contents);
        assertTrue(contents.contains("TABLE DATA tenant_a customers"), contents);
        assertFalse(contents.contains("tenant_b"), contents);
        assertFalse(contents.contains("shared_lookup"), contents);

        // The verification sees the restored tenant's table through the search_path: one customer, so it fails.
        CommandLineRun failing = runner("tenant_a", "rehearse", "--dir", backups.toString(), "--name", "tenants",
                "--label", "g1", "--migrations", project.dir().toString(), "--target", "head",
                "--verify", "no-customers=select count(*) = 0 from customers");
        assertEquals(ExitCode.REHEARSAL_FAILED.code(), failing.exit(), failing.err());
        assertEquals("0002_email", failing.result().rehearsal().fromRevision());
        assertEquals(List.of("0003_phone"), failing.result().rehearsal().appliedRevisions());

        CommandLineRun rehearse = runner("tenant_a", "rehearse", "--dir", backups.toString(), "--name", "tenants",
                "--label", "g1", "--migrations", project.dir().toString(), "--target", "head", "--round-trip",
                "--verify", "one-customer=select count(*) = 1 from customers");
        assertEquals(0, rehearse.exit(), rehearse.err());
        assertEquals("0002_email", rehearse.result().rehearsal().fromRevision());
        assertEquals("0003_phone", rehearse.result().rehearsal().toRevision());
        assertEquals(List.of("0002_email"), versionRows("tenant_a"), "a rehearsal migrates a copy only");
    }

    @Test
    void aNewTenantsBackupIsItsEmptySchema() throws Exception {
        Path backups = Files.createDirectories(tmp.resolve("backups"));
        CommandLineRun backup = runner("tenant_new", "backup", "--dir", backups.toString(), "--name", "tenants",
                "--label", "g1");
        assertEquals(0, backup.exit(), backup.err());
        assertEquals("base", backup.result().backup().revision());
        assertEquals(0, upgrade("tenant_new", "head").exit());
        assertEquals(List.of("0003_phone"), versionRows("tenant_new"));
    }

    @Test
    void aBadSchemaNameIsRefusedBeforeAnyWork() throws Exception {
        for (String bad : List.of("pg_catalog", "information_schema", "Tenant", "tenant;drop", "a.b")) {
            CommandLineRun r = upgrade(bad, "head");
            assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), bad + ": " + r.err());
            assertTrue(r.result().message().startsWith("DBMIGRATE_SCHEMA: "), r.result().message());
        }
        assertEquals(1, db.queryLong("select count(*) from pg_namespace where nspname not like 'pg\\_%'"
                + " and nspname <> 'information_schema'"), "only public");
        assertPublicUntouched();
    }

    @Test
    void anEnvPyThatIgnoresTheSchemaIsStoppedBeforeAnyMigration() throws Exception {
        // The test project's own env.py knows nothing of schemas: it would migrate public.
        AlembicProject.create(project.dir(), true).withPhone();

        CommandLineRun r = upgrade("tenant_a", "head");

        assertEquals(ExitCode.DATABASE_MISMATCH.code(), r.exit(), r.err());
        assertTrue(r.result().message().contains("not in schema tenant_a"), r.result().message());
        assertPublicUntouched();
        assertEquals(List.of(), versionRows("tenant_a"));
    }

    @Test
    void theCrmExampleMigratesEachTenantInItsSchema() throws Exception {
        Path crm = Examples.copy("crm", tmp.resolve("crm"));
        String expandHead = "cde012fgh345";
        CommandLineRun a = runner("tenant_a", "upgrade", "--migrations", crm.toString(), "--target", expandHead,
                "--lock-wait", "5s");
        assertEquals(0, a.exit(), a.err());
        CommandLineRun b = runner("tenant_b", "upgrade", "--migrations", crm.toString(), "--target", "xyz789uvw012",
                "--lock-wait", "5s");
        assertEquals(0, b.exit(), b.err());

        assertEquals(List.of(expandHead), versionRows("tenant_a"));
        assertEquals(List.of("xyz789uvw012"), versionRows("tenant_b"));
        assertTrue(customerColumns("tenant_a").contains("preferences"), "tenant_a has the whole expand branch");
        assertFalse(customerColumns("tenant_b").contains("preferences"), "tenant_b has the base tables only");
        assertFalse(customerColumns("tenant_b").isEmpty(), "tenant_b has the base tables");
        assertEquals(0, db.queryLong("select count(*) from information_schema.tables where table_schema = 'public'"));
    }

    @Test
    void theCrmExampleKeepsTheTemplatesSchemaBlock() throws IOException {
        String template = schemaBlock(Examples.repositoryRoot().resolve("migrations-image/alembic-template/env.py"));
        assertEquals(template, schemaBlock(Examples.dir("crm").resolve("env.py")));
        for (Path envPy : List.of(Examples.repositoryRoot().resolve("migrations-image/alembic-template/env.py"),
                Examples.dir("crm").resolve("env.py"))) {
            String text = Files.readString(envPy);
            assertEquals(2, text.split("version_table_schema=schema", -1).length - 1, envPy + ": online and offline");
            assertTrue(text.contains("enter_schema(schema, context.execute, "), envPy + ": offline");
            assertTrue(text.contains("enter_schema(schema, lambda sql: connection.execute("), envPy + ": online");
        }
    }

    private static String schemaBlock(Path envPy) throws IOException {
        String text = Files.readString(envPy);
        int start = text.indexOf("# --- schema targets");
        int end = text.indexOf("# --- end of the schema block ---");
        assertTrue(start >= 0 && end > start, envPy + " has the schema block");
        return text.substring(start, end);
    }

    /** pg_restore --list of an archive: its table of contents. */
    private static String archiveContents(Path archive) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(AlembicProject.tools().pgRestore(), "--list", archive.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return Stream.of(out.split("\n")).filter(l -> !l.startsWith(";")).reduce("", (x, y) -> x + y + "\n");
    }
}
