package io.dbmigrate.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
