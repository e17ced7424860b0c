package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerifyQueryTest {

    @Test
    void splitsAtTheFirstEqualsSign() throws RunnerException {
        assertEquals(new VerifyQuery("scores-backfilled", "select count(*) = 0 from customers where computed_score is null"),
                VerifyQuery.parse("--verify", "scores-backfilled=select count(*) = 0 from customers where computed_score is null"));
        assertEquals(new VerifyQuery("a", "b=c"), VerifyQuery.parse("--verify", "a=b=c"));
        assertEquals(new VerifyQuery("x1", "select true"), VerifyQuery.parse("--verify", " x1 =  select true "));
    }

    @Test
    void refusesWhatIsNotNameEqualsSql() {
        for (String bad : new String[]{"select true", "=select true", "Upper=select true", "-dash=select true",
                "under_score=select true", "a".repeat(64) + "=select true", "ok=", "ok=   "}) {
            RunnerException e = assertThrows(RunnerException.class, () -> VerifyQuery.parse("--verify", bad), bad);
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith("--verify"), e.getMessage());
        }
    }

    @Test
    void namesAreKubernetesLike() {
        assertTrue(VerifyQuery.validName("scores-backfilled"));
        assertTrue(VerifyQuery.validName("a".repeat(63)));
        assertFalse(VerifyQuery.validName("a".repeat(64)));
        assertFalse(VerifyQuery.validName("ends-"));
        assertFalse(VerifyQuery.validName(null));
    }

    @Test
    void oneStatementWithATrailingSemicolonAndCommentsIsFine() throws RunnerException {
        for (String sql : new String[]{"select true", "select true;", " select true ; -- done\n", "/* why */ select true;;",
                "select count(*) = 0 from t where note like '%;%'", "select $$;$$ = ';'"}) {
            assertNull(VerifyQuery.statementProblem(sql), sql);
            assertEquals(sql.strip(), VerifyQuery.parse("--verify", "ok=" + sql).sql());
        }
    }

    @Test
    void theReviewersBypassesAreRefusedNamingTheQuery() {
        for (String sql : new String[]{"set transaction read write; insert into audit values (3); select true",
                "set default_transaction_read_only = off; commit; insert into audit values (3); select true"}) {
            BadInput.assertRefused("--verify sneaky: must be one statement, found ",
                    () -> VerifyQuery.parse("--verify", "sneaky=" + sql));
        }
    }

    @Test
    void refusesWhatIsNotOneStatement() {
        assertEquals("has no SQL statement, only comments or semicolons", VerifyQuery.statementProblem("-- select true\n;"));
        assertEquals("has a '...' string that is never closed", VerifyQuery.statementProblem("select 'true; select 1"));
        assertTrue(VerifyQuery.statementProblem("select 1; select true").startsWith("must be one statement, found 2"));
        // One statement when the server has standard_conforming_strings on, three when it has it off.
        assertTrue(VerifyQuery.statementProblem("select 'a\\' = '; insert into t values (1); select 1 -- '")
                .contains("standard_conforming_strings off it would be 3"));
        assertEquals("has no SQL", VerifyQuery.statementProblem(" "));
    }

    @Test
    void aRequestBuiltInCodeIsCheckedToo() {
        UpgradeRequest request = new UpgradeRequest(java.nio.file.Path.of("/m"), "head",
                new LockSafety(java.time.Duration.ofSeconds(1), 0, java.time.Duration.ZERO, java.time.Duration.ofSeconds(1)),
                java.util.List.of(new VerifyQuery("two", "select true; select true")), OnFailure.HALT, false, null);
        BadInput.assertRefused("verification two: must be one statement", request::validate);
    }
}
