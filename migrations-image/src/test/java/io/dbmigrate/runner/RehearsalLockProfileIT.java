package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lock profile of a rehearsal on a table large enough (3 million rows) that rewriting it holds ACCESS EXCLUSIVE
 * for seconds: the unsafe revision breaks a budget chosen with a wide margin (500 ms), the safe form of the same kind
 * of change stays within it. Real PostgreSQL, real pg_dump/pg_restore, real Alembic.
 */
class RehearsalLockProfileIT extends RehearsalFixture {

    private static final int ROWS = 3_000_000;
    private static final Map<LockMode, Duration> BUDGET = Map.of(LockMode.AccessExclusive, Duration.ofMillis(500),
            LockMode.Share, Duration.ofMillis(500));

    RehearsalLockProfileIT() {
        super("lockprofile", "big", "0002_email");
    }

    @BeforeEach
    void createSource() throws Exception {
        long start = System.nanoTime();
        db.execute("create table big (id bigint primary key, n integer not null, note text)",
                "insert into big select g, g % 1000, 'row ' || g from generate_series(1, " + ROWS + ") g",
                "analyze big");
        System.out.printf("RehearsalLockProfileIT: %d rows in %d ms%n", ROWS, (System.nanoTime() - start) / 1_000_000);
        Backup.run(Databases.settings(db), AlembicProject.tools(), new BackupRequest(backups, name, "g2", 10),
                Clock.systemUTC());
    }

    @Test
    void aRevisionRewritingTheTableHoldsAccessExclusiveOverTheBudgetAndFailsTheRehearsal() throws Exception {
        project.revision("0003_widen", "0002_email", "widen n",
                "op.alter_column('big', 'n', type_=sa.BigInteger)");

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(BUDGET));

        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(RehearsalResult.LOCK_HOLD_EXCEEDED, r.failureReason());
        assertEquals(RehearsalResult.LOCK_HOLD_EXCEEDED, e.result("rehearse").reason());
        assertEquals("0003_widen", r.failedRevision());
        assertEquals(RehearsalResult.UPGRADE, r.failedPhase());
        assertTrue(e.getMessage().contains("revision 0003_widen held ACCESS EXCLUSIVE on public.big for "),
                e.getMessage());
        assertTrue(e.getMessage().contains("over the budget of 500ms (rehearsal.maxLockHold.AccessExclusive);"
                + " the table was rewritten"), e.getMessage());
        LockHold big = hold(r.lockProfile(), "public.big", LockMode.AccessExclusive);
        assertTrue(big.holdMillis() > 500, big.toString());
        assertEquals("0003_widen", big.revision());
        assertEquals(Boolean.TRUE, big.rewritten());
        // The rewrite's transient relations (invisible to the sampler, "oid N") hold as long; the named table comes first.
        assertEquals(big, r.lockProfile().holds().stream().filter(h -> "AccessExclusive".equals(h.mode()))
                .findFirst().orElseThrow(), r.lockProfile().toString());
        assertTrue(r.dropped());
    }

    @Test
    void theSafeFormAddsANullableColumnAndIndexesConcurrentlyWithinTheBudget() throws Exception {
        project.revision("0003_flag", "0002_email", "add flag, index n concurrently", """
                op.add_column('big', sa.Column('flag', sa.Boolean, nullable=True))
                with op.get_context().autocommit_block():
                    op.create_index('big_n', 'big', ['n'], postgresql_concurrently=True)
                """);

        RehearsalResult r = rehearse(BUDGET);

        assertTrue(r.passed(), r.toString());
        LockProfile profile = r.lockProfile();
        assertNull(profile.unavailable());
        assertEquals(5, profile.intervalMillis());
        assertTrue(profile.samples() > 10, profile.toString());
        assertTrue(profile.periodMicros() >= 5_000, profile.toString());
        // Adding a nullable column holds ACCESS EXCLUSIVE for a moment (often between two samples); building the index
        // holds SHARE UPDATE EXCLUSIVE, which blocks no reads or writes and is not budgeted, for longer.
        assertTrue(profile.holds().stream().noneMatch(h -> h.relation().equals("public.big")
                && "AccessExclusive".equals(h.mode()) && h.holdMillis() > 500), profile.toString());
        LockHold index = hold(profile, "public.big", LockMode.ShareUpdateExclusive);
        assertEquals("0003_flag", index.revision());
        assertEquals(Boolean.FALSE, index.rewritten(), "adding a nullable column rewrites nothing");
    }

    @Test
    void noBudgetNoFailureAndASampleIntervalOfZeroTakesNoProfile() throws Exception {
        project.revision("0003_widen", "0002_email", "widen n",
                "op.alter_column('big', 'n', type_=sa.BigInteger)");

        RehearsalResult r = rehearse(server(), new RehearsalRequest(null, backups, name, "g2", upgrade(), false,
                Duration.ZERO, Map.of()));

        assertTrue(r.passed(), r.toString());
        assertNull(r.lockProfile());
        assertThrows(RunnerException.class, () -> rehearse(server(), new RehearsalRequest(null, backups, name, "g2",
                upgrade(), false, Duration.ZERO, BUDGET)), "a budget without a profile is bad input");
    }

    private static LockHold hold(LockProfile profile, String relation, LockMode mode) {
        assertNotNull(profile);
        return profile.holds().stream().filter(h -> h.relation().equals(relation) && mode.name().equals(h.mode()))
                .findFirst().orElseThrow(() -> new AssertionError(mode + " on " + relation + " not in " + profile));
    }

    private RehearsalResult rehearse(Map<LockMode, Duration> budget) throws RunnerException {
        return rehearse(server(), new RehearsalRequest(null, backups, name, "g2", upgrade(), false, null, budget));
    }

    private UpgradeRequest upgrade() {
        return Requests.upgrade(project.dir(), "head", LockSafety.DEFAULT, List.of(), OnFailure.HALT, false);
    }

    private RehearsalResult rehearse(ConnectionSettings server, RehearsalRequest request) throws RunnerException {
        // This rehearsal's log only, printed whether it passes or fails.
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try {
            return Rehearsal.run(server, AlembicProject.tools(), request, Clock.systemUTC(),
                    new PrintStream(log, true, StandardCharsets.UTF_8));
        } finally {
            System.out.print(log.toString(StandardCharsets.UTF_8));
        }
    }
}
