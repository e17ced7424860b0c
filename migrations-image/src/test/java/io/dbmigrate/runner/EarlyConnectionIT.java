package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A connection opened while the input is checked is the caller's once taken, and closed when it is not. */
class EarlyConnectionIT {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.perClass("early");

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
