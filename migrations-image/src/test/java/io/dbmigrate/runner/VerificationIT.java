package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Verification queries on a real PostgreSQL: what counts as true, and that nothing they do is kept. */
class VerificationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("verify");
    private Connection connection;

    @BeforeEach
    void createDatabase() throws SQLException {
        db.execute("create table audit (id int)", "insert into audit values (1), (2)");
        connection = db.connect();
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        connection.close();
    }

    private String check(String sql) {
        return Verification.check(connection, sql, TIMEOUT);
    }

    @Test
    void oneTrueBooleanPasses() {
        assertNull(check("select count(*) = 2 from audit"));
        assertNull(check("select 't'::text"));
        assertNull(check("select exists (select 1 from audit where id = 2)"));
    }

    @Test
    void anythingElseSaysWhatItReturned() {
        assertEquals("returned false", check("select count(*) = 0 from audit"));
        assertEquals("returned false", check("select 'f'"));
        assertEquals("returned 2 rows", check("select id > 0 from audit"));
        assertEquals("returned more than 100 rows", check("select true from generate_series(1, 500)"));
        assertEquals("returned no rows", check("select true from audit where false"));
        assertEquals("returned integer 5, expected a boolean", check("select 5"));
        assertEquals("returned numeric 2.50, expected a boolean", check("select 2.50"));
        assertEquals("returned text 'yes', expected a boolean", check("select 'yes'::text"));
        assertEquals("returned NULL", check("select null::boolean"));
        assertEquals("returned 2 columns, expected one boolean", check("select true, true"));
    }

    @Test
    void sqlErrorsCarryTheSqlState() {
        assertEquals("failed: column \"nope\" does not exist (SQLSTATE 42703)", check("select nope from audit"));
        assertEquals("failed: canceling statement due to statement timeout (SQLSTATE 57014)",
                Verification.check(connection, "select pg_sleep(5) is not null", Duration.ofMillis(100)));
    }

    @Test
    void aVerificationNeverWrites() throws SQLException {
        // PostgreSQL names the top-level statement: the INSERT is inside a SELECT.
        assertEquals("failed: cannot execute SELECT in a read-only transaction (SQLSTATE 25006)",
                check("with w as (insert into audit values (3) returning 1) select count(*) = 1 from w"));
        // Committing the read-only transaction from inside the query does not open a writable one.
        String committing = check("select true; commit; insert into audit values (4)");
        assertTrue(committing != null && committing.startsWith("failed: "), String.valueOf(committing));
        assertEquals("failed: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)",
                check("delete from audit"));
        assertEquals(2, db.queryLong("select count(*) from audit"));
    }

    @Test
    void theConnectionComesBackAsItWent() throws SQLException {
        check("select nope");
        check("select true; commit; select 1");
        assertTrue(connection.getAutoCommit());
        try (Statement st = connection.createStatement()) {
            st.execute("insert into audit values (5)");
            try (ResultSet rs = st.executeQuery("show statement_timeout")) {
                rs.next();
                assertEquals("0", rs.getString(1));
            }
        }
        assertEquals(3, db.queryLong("select count(*) from audit"));
    }

    @Test
    void theFirstFailureStopsTheRest() {
        Verification.Outcome o = Verification.run(connection, List.of(new VerifyQuery("two-rows", "select count(*) = 2 from audit"),
                new VerifyQuery("empty", "select count(*) = 0 from audit"),
                new VerifyQuery("never-run", "select nope")), TIMEOUT);
        assertEquals(List.of("two-rows"), o.passed());
        assertEquals("empty", o.failed());
        assertEquals("returned false", o.reason());

        Verification.Outcome all = Verification.run(connection, List.of(new VerifyQuery("a", "select true")), TIMEOUT);
        assertTrue(all.holds());
        assertEquals(List.of("a"), all.passed());
    }

    private static final String[] BYPASSES = {
            "set transaction read write; insert into audit values (3); commit; select true",
            "set default_transaction_read_only = off; commit; insert into audit values (3); commit; select true",
    };

    @Test
    void severalStatementsAreRefusedBeforeAnythingRuns(@TempDir Path tmp) throws SQLException, IOException {
        for (String sql : BYPASSES) {
            // The command line refuses them while reading its options, before it connects.
            CommandLineRun run = CommandLineRun.run(tmp, db.env(), "upgrade", "--migrations", tmp.toString(),
                    "--target", "head", "--verify", "sneaky=" + sql);
            assertEquals(ExitCode.BAD_INPUT.code(), run.exit(), run.out());
            RunnerResult result = run.result();
            assertTrue(result.message().startsWith("--verify sneaky: must be one statement, found "), result.message());

            // And so does the verification itself, for a caller that skipped validation.
            Verification.Outcome o = Verification.run(connection, List.of(new VerifyQuery("sneaky", sql)), TIMEOUT);
            assertEquals("sneaky", o.failed());
            assertTrue(o.reason().startsWith("was not run: it must be one statement"), o.reason());
        }
        assertEquals(2, db.queryLong("select count(*) from audit"));
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("show default_transaction_read_only")) {
            rs.next();
            assertEquals("off", rs.getString(1));
        }
    }

    @Test
    void oneStatementCannotWriteThroughAFunction() throws SQLException {
        db.execute("create function sneaky_insert() returns boolean volatile language plpgsql as $$"
                        + " begin insert into audit values (7); return true; end $$",
                "create function sneaky_read_write() returns boolean volatile language plpgsql as $$"
                        + " begin set transaction read write; insert into audit values (8); return true; end $$",
                "create procedure sneaky_commit() language plpgsql as $$"
                        + " begin set default_transaction_read_only = off; commit; insert into audit values (9); commit; end $$");
        assertEquals("failed: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)",
                check("select sneaky_insert()"));
        assertEquals("failed: transaction read-write mode must be set before any query (SQLSTATE 25001)",
                check("select sneaky_read_write()"));
        assertEquals("failed: transaction read-write mode must be set before any query (SQLSTATE 25001)",
                check("select set_config('transaction_read_only', 'off', true) is not null"));
        String committing = check("call sneaky_commit()");
        assertTrue(committing != null && committing.startsWith("failed: "), String.valueOf(committing));
        assertEquals(2, db.queryLong("select count(*) from audit"));
    }
}
