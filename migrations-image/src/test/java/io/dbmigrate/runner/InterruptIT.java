package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.MigrationLock;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM (a deleted pod) and SIGINT (Ctrl-C) to the runner jar while Alembic is in a slow revision: Alembic is
 * stopped, its transaction rolled back, the migration lock released, the result says Interrupted, exit 130.
 */
class InterruptIT {

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("interrupt");

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalStopsAlembicRollsBackReleasesTheLockAndExits130(String signal) throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_slow", "0002_email", "slow", """
                        op.execute("create table slow_marker (x int)")
                        op.execute("select pg_sleep(600)")
                        """);
        String jar = System.getProperty("dbmigrate.runner.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "dbmigrate.runner.jar: " + jar);
        Path resultFile = tmp.resolve("termination-log");
        Path stdout = tmp.resolve("stdout");
        Path stderr = tmp.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar, "upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--lock-timeout", "0s").redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> env = pb.environment();
        env.putAll(db.env());
        env.put("DBMIGRATE_RESULT_PATH", resultFile.toString());
        env.put("DBMIGRATE_ALEMBIC", AlembicProject.ALEMBIC);
        Process runner = pb.start();
        try {
            waitForSlowRevision();
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(runner.pid())).start().waitFor());
            assertTrue(runner.waitFor(60, TimeUnit.SECONDS), "the runner ended");
        } finally {
            runner.destroyForcibly();
        }
        String log = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(130, runner.exitValue(), log);

        RunnerResult result = RunnerJson.read(Files.readString(resultFile));
        assertEquals("Interrupted", result.reason(), result.message());
        assertEquals(130, result.exitCode());
        assertTrue(result.message().contains("rolled back; nothing was applied, the database is still at base"),
                result.message());
        assertEquals("base", result.upgrade().fromRevision());
        assertEquals("base", result.upgrade().toRevision());
        assertTrue(Files.readString(stdout).contains("upgrade failed: Interrupted (exit 130)"), Files.readString(stdout));

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            assertFalse(exists(st, "select 1 from pg_tables where tablename in ('slow_marker', 'customers')"),
                    "the run's transaction was rolled back");
            assertFalse(exists(st, "select 1 from pg_locks where locktype = 'advisory' and classid = "
                    + MigrationLock.KEY), "the migration lock was released");
            assertFalse(exists(st, "select 1 from pg_stat_activity where datname = current_database()"
                    + " and application_name in ('dbmigrate-runner', 'dbmigrate-alembic')"),
                    "no session of the runner or Alembic is left");
        }
    }

    private void waitForSlowRevision() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (int i = 0; i < 600; i++) {
                if (exists(st, "select 1 from pg_stat_activity where application_name = '" + Alembic.APPLICATION_NAME
                        + "' and query like '%pg_sleep(600)%' and state = 'active'")) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("Alembic never reached the slow revision");
    }

    private static boolean exists(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }
}
