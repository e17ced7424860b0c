package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection opened while the input is checked is the caller's once taken, and closed when it is not. A backup's is
 * opened before its command line is parsed.
 */
class EarlyConnectionIT {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.perClass("early");

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws Exception {
        Databases.stampedWithCustomers(db, "0002_email", 100, "md5(i::text)");
    }

    @Test
    void aTakenConnectionIsTheCallers() throws Exception {
        try (EarlyConnection early = EarlyConnection.open(Databases.settings(db))) {
            try (Connection c = early.take("connecting"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select current_database()")) {
                rs.next();
                assertEquals(db.name(), rs.getString(1));
            }
        }
        assertEquals(0, sessionsAfter(2_000));
    }

    @Test
    void aConnectionNobodyTookIsClosedOnceOpen() throws Exception {
        EarlyConnection early = EarlyConnection.open(Databases.settings(db));
        awaitSessions(1);
        early.close();
        assertEquals(0, sessionsAfter(2_000));
    }

    @Test
    void oneStillConnectingWhenTheCallerGivesUpIsClosedToo() throws Exception {
        for (int i = 0; i < 5; i++) {
            EarlyConnection.open(Databases.settings(db)).close();
        }
        // Opening takes milliseconds here: one left open would be there after two seconds.
        assertEquals(0, sessionsAfter(2_000));
    }

    @Test
    void aFailureToConnectIsToldWhenTaken() throws Exception {
        ConnectionSettings wrong = ConnectionSettings.fromEnvironment(TestEnv.with(db.env(), "PGPASSWORD", "wrong"));
        try (EarlyConnection early = EarlyConnection.open(wrong)) {
            RunnerException e = assertThrows(RunnerException.class, () -> early.take("connecting"));
            assertEquals(ExitCode.AUTHENTICATION_FAILED, e.exitCode());
        }
    }

    @Test
    void onlyABackupHasItsConnectionOpenedBeforeItsCommandLineIsParsed() {
        Map<String, String> env = db.env();
        try (EarlyConnection backup = EarlyConnection.beforeParsing(new String[] {"backup", "--help"}, env)) {
            assertNotNull(backup);
            assertTrue(backup.isFor(Databases.settings(db)));
        }
        assertNull(EarlyConnection.beforeParsing(new String[] {"upgrade", "--target=head"}, env));
        assertNull(EarlyConnection.beforeParsing(new String[] {"--backup"}, env));
        assertNull(EarlyConnection.beforeParsing(new String[0], env));
        // Variables that make no connection: the command says so after parsing, as it always did.
        assertNull(EarlyConnection.beforeParsing(new String[] {"backup"}, TestEnv.with(env, "PGPORT", "none")));
    }

    @Test
    void aBackupTakesTheConnectionOpenedForItsSettingsOnly() throws Exception {
        try (EarlyConnection early = EarlyConnection.open(Databases.settings(db))) {
            Backup.run(Databases.settings(db), AlembicProject.tools(), new BackupRequest(dir, "crm", "g1", 5),
                    Clock.systemUTC(), early);
            assertTrue(early.taken(), "the backup used the connection opened for it");
        }
        ConnectionSettings otherUser = ConnectionSettings.fromEnvironment(TestEnv.with(db.env(), "PGUSER", "nobody"));
        try (EarlyConnection other = EarlyConnection.open(otherUser)) {
            Backup.run(Databases.settings(db), AlembicProject.tools(), new BackupRequest(dir, "crm", "g2", 5),
                    Clock.systemUTC(), other);
            assertFalse(other.taken(), "a connection for other settings is not the backup's");
        }
        assertEquals(0, sessionsAfter(2_000));
    }

    @Test
    void aBackupRefusedForItsOptionsLeavesNoConnectionBehind() throws Exception {
        CommandLineRun run = CommandLineRun.run(dir, db.env(), "backup", "--dir=" + dir, "--name=crm", "--label=g1",
                "--retain=0");
        assertEquals(ExitCode.BAD_INPUT.code(), run.exit(), run::err);
        assertEquals(0, sessionsAfter(2_000));

        CommandLineRun done = CommandLineRun.run(dir, db.env(), "backup", "--dir=" + dir, "--name=crm", "--label=g2");
        assertEquals(0, done.exit(), done::err);
        assertEquals(0, sessionsAfter(2_000));
    }

    private static void awaitSessions(int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sessions() != n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(n, sessions());
    }

    private static int sessionsAfter(long millis) throws Exception {
        Thread.sleep(millis);
        return sessions();
    }

    private static int sessions() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where datname = current_database()"
                     + " and application_name = '" + ConnectionSettings.APPLICATION_NAME + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
