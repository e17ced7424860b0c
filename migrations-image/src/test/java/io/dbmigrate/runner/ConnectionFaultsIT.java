package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the connection, as a real server and real pg_dump produce them: which fail at once (a missing database, a
 * refused or missing login) and which are retried (a connection refused or lost, also in the middle of pg_dump).
 */
class ConnectionFaultsIT {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.perClass("faults");
    private static final Tools TOOLS = AlembicProject.tools();

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws Exception {
        Databases.stampedWithCustomers(db, "0002_email", 1000, "null");
    }

    private CommandLineRun runner(Map<String, String> env, String... args) throws Exception {
        return CommandLineRun.run(dir, env, args);
    }

    private Map<String, String> env(String... keyValues) {
        return TestEnv.with(db.env(), keyValues);
    }

    private String[] backupArgs() {
        return new String[]{"backup", "--dir", dir.resolve("backups").toString(), "--name", "crm", "--label", "g1"};
    }

    @Test
    void aMissingDatabaseIsDatabaseNotFoundAndNotRetried() throws Exception {
        Files.createDirectories(dir.resolve("backups"));
        CommandLineRun run = runner(env("PGDATABASE", "dbm_it_no_such_database"), backupArgs());
        assertEquals(5, run.exit(), run.out());
        assertEquals("DatabaseNotFound", run.result().reason());
        assertTrue(run.result().message().contains("dbm_it_no_such_database"), run.result().message());
        assertFalse(ExitCode.DATABASE_NOT_FOUND.retryable());

        CommandLineRun current = runner(env("PGDATABASE", "dbm_it_no_such_database"), "current");
        assertEquals(5, current.exit(), current.out());
    }

    @Test
    void aMissingPasswordIsAnAuthenticationFailure() throws Exception {
        // The test server asks every login for a SCRAM password: pgjdbc then says 08004, "no password was provided".
        CommandLineRun run = runner(env("PGPASSWORD", null), "current");
        assertEquals(4, run.exit(), run.out());
        assertEquals("AuthenticationFailed", run.result().reason());
        assertTrue(run.result().message().contains("no password"), run.result().message());
    }

    /** What libpq makes pg_dump print for each fault, classified as the JDBC failure of the same fault is. */
    @Test
    void pgDumpsOwnWordsAreClassifiedLikeJdbcs() throws Exception {
        assertEquals(Optional.of(ExitCode.DATABASE_NOT_FOUND),
                classifiedPgDump(env("PGDATABASE", "dbm_it_no_such_database")));
        assertEquals(Optional.of(ExitCode.AUTHENTICATION_FAILED),
                classifiedPgDump(env("PGPASSWORD", "definitely-not-the-password")));
        assertEquals(Optional.of(ExitCode.AUTHENTICATION_FAILED), classifiedPgDump(env("PGPASSWORD", null)));
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertEquals(Optional.of(ExitCode.CONNECTION_FAILED),
                classifiedPgDump(env("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(closed))));
        // A pg_dump that fails on its own (a file it cannot write) is none of these.
        ExternalProcess.Outcome unwritable = ExternalProcess.run(List.of(TOOLS.pgDump(), "-Fc", "--no-password", "-f",
                "/proc/1/x.dump"), null, ConnectionSettings.fromEnvironment(env()).libpqEnvironment(), null);
        assertTrue(unwritable.exitCode() != 0, unwritable.output().toString());
        assertEquals(Optional.empty(), ConnectionSettings.classifyClientOutput(unwritable.output()));
    }

    private Optional<ExitCode> classifiedPgDump(Map<String, String> env) throws Exception {
        Map<String, String> libpq = new HashMap<>(env);
        libpq.put("PGCONNECT_TIMEOUT", "10");
        ExternalProcess.Outcome outcome = ExternalProcess.run(List.of(TOOLS.pgDump(), "-Fc", "--no-password", "-f",
                dir.resolve("probe.dump").toString()), null, libpq, null);
        assertTrue(outcome.exitCode() != 0, "pg_dump failed: " + outcome.output());
        return ConnectionSettings.classifyClientOutput(outcome.output());
    }

    @Test
    void aConnectionLostDuringPgDumpIsRetryable() throws Exception {
        // pg_dump first locks every table ACCESS SHARE: an ACCESS EXCLUSIVE lock held elsewhere stops it there, so its
        // backend can be terminated mid-dump, as a failover or a server restart would end it.
        try (Connection blocker = db.connect(); Statement st = blocker.createStatement();
             Connection observer = db.connect()) {
            blocker.setAutoCommit(false);
            st.execute("lock table customers in access exclusive mode");
            CompletableFuture<BackupResult> backup = CompletableFuture.supplyAsync(() -> {
                try {
                    return Backup.run(Databases.settings(db), TOOLS, new BackupRequest(dir, "crm", "g1", 5), Clock.systemUTC());
                } catch (RunnerException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // Another session than the blocker's: pg_stat_activity stays as it was for a transaction's whole life.
            int pid = waitingPgDump(observer);
            try (PreparedStatement terminate = observer.prepareStatement("select pg_terminate_backend(?)")) {
                terminate.setInt(1, pid);
                terminate.execute();
            }
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    backup::get);
            RunnerException e = assertInstanceOf(RunnerException.class, failed.getCause());
            assertEquals(ExitCode.CONNECTION_FAILED, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("terminating connection due to administrator command"), e.getMessage());
            assertTrue(ExitCode.CONNECTION_FAILED.retryable());
            blocker.rollback();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "no partial file left");
        }
    }

    // The runner's pg_dump connects as application_name dbmigrate-runner; it is the one waiting for a lock.
    private static int waitingPgDump(Connection connection) throws Exception {
        String sql = "select pid from pg_stat_activity where datname = current_database()"
                + " and application_name = '" + ConnectionSettings.APPLICATION_NAME + "' and wait_event_type = 'Lock'";
        for (int i = 0; i < 600; i++) {
            try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.next()) {
                    return rs.getInt(1);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pg_dump never waited for the lock on customers");
    }
}
