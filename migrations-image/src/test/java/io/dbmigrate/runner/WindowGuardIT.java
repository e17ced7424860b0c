package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The maintenance-window guard of upgrade: refused runs touch nothing. The time is a fixed clock handed to
 * Upgrade.run, never a sleep; through the command line (whose clock is the system's) the margins are hours.
 */
class WindowGuardIT extends ProjectFixture {

    private static final Instant CLOSES = Instant.parse("2026-11-28T04:00:00Z");

    WindowGuardIT() {
        super("window");
    }

    private UpgradeResult upgrade(Instant now, Duration expected, String source) throws RunnerException {
        UpgradeRequest request = Requests.upgrade(project.dir(), "head", LockSafety.DEFAULT, List.of(),
                OnFailure.HALT, false).withinWindow(CLOSES, expected);
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(), request, Clock.fixed(now, ZoneOffset.UTC),
                logStream(), source);
    }

    @Test
    void aClosedWindowRunsNothing() throws Exception {
        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(CLOSES.plusSeconds(80), null, null));

        assertEquals(ExitCode.OUTSIDE_WINDOW, e.exitCode());
        assertFalse(e.exitCode().retryable());
        assertEquals("the maintenance window closed at 2026-11-28T04:00:00Z, 1m20s ago; nothing was run",
                e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals("base", r.fromRevision());
        assertEquals("base", r.toRevision());
        assertEquals(List.of(), r.appliedRevisions());
        assertEquals(0, r.lockAttempts());
        assertEquals(List.of(), db.alembicVersion());
        assertFalse(db.tableExists("customers"), "nothing was run");
        assertFalse(log().contains("Running upgrade"));

        // At the very instant it closes it is closed too.
        assertEquals(ExitCode.OUTSIDE_WINDOW, assertThrows(RunnerException.class,
                () -> upgrade(CLOSES, null, null)).exitCode());
    }

    @Test
    void enoughTimeLeftRuns() throws Exception {
        UpgradeResult r = upgrade(CLOSES.minus(Duration.ofMinutes(10)), Duration.ofMinutes(4), "its rehearsal");

        assertEquals(List.of("0001_init", "0002_email"), r.appliedRevisions());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }

    @Test
    void exactlyTheExpectedDurationLeftRuns() throws Exception {
        UpgradeResult r = upgrade(CLOSES.minus(Duration.ofMinutes(4)), Duration.ofMinutes(4), null);
        assertEquals(List.of("0002_email"), db.alembicVersion());
        assertEquals("0002_email", r.toRevision());
    }

    @Test
    void anExpectedDurationLongerThanWhatIsLeftIsRefused() throws Exception {
        RunnerException e = assertThrows(RunnerException.class, () -> upgrade(CLOSES.minusSeconds(80),
                Duration.ofMinutes(4).plusSeconds(10).plusMillis(532), "its rehearsal"));

        assertEquals(ExitCode.OUTSIDE_WINDOW, e.exitCode());
        assertEquals("the maintenance window closes at 2026-11-28T04:00:00Z, in 1m20s; the step is expected to take"
                + " 4m10s (its rehearsal); nothing was run", e.getMessage());
        assertEquals(List.of(), e.upgradeResult().orElseThrow().appliedRevisions());
        assertEquals(List.of(), db.alembicVersion());
        assertFalse(db.tableExists("customers"));
    }

    @Test
    void alreadyAtTheTargetIsFineOutsideTheWindow() throws Exception {
        upgrade(CLOSES.minus(Duration.ofHours(1)), null, null);

        UpgradeResult r = upgrade(CLOSES.plus(Duration.ofDays(3)), Duration.ofHours(5), "its rehearsal");

        assertEquals("0002_email", r.fromRevision());
        assertEquals("0002_email", r.toRevision());
        assertEquals(List.of(), r.appliedRevisions());
    }

    @Test
    void aMovedDatabaseIsPlanOutdatedBeforeTheWindowIsLookedAt() throws Exception {
        UpgradeRequest request = new UpgradeRequest(project.dir(), "head", LockSafety.DEFAULT, List.of(),
                OnFailure.HALT, false, "0001_init").withinWindow(CLOSES, null);
        RunnerException e = assertThrows(RunnerException.class, () -> Upgrade.run(Databases.settings(db),
                AlembicProject.tools(), request, Clock.fixed(CLOSES.plusSeconds(1), ZoneOffset.UTC),
                logStream()));
        assertEquals(ExitCode.PLAN_OUTDATED, e.exitCode());
    }

    // ---- through the command line: the expected duration from the rehearsal file ----

    private CommandLineRun runner(Path rehearsalFile, String... args) throws IOException {
        return CommandLineRun.run(tmp, db.env(), Map.of(PodFile.REHEARSAL_FILE_VARIABLE, rehearsalFile.toString()),
                args);
    }

    private static void writeRehearsal(Path file, boolean passed, long upgradeMillis) throws IOException {
        Instant t = Instant.parse("2026-11-28T02:00:00Z");
        RehearsalResult rehearsal = new RehearsalResult("dbmigrate_rehearsal_x", "h:5432", "/b/a.dump", "base",
                "0002_email", List.of("0001_init", "0002_email"), false, passed, passed ? null : "upgrade", null,
                passed ? null : "MigrationFailed", null, List.of(), upgradeMillis, t, t, true);
        Files.writeString(file, RunnerJson.write(RunnerResult.of("rehearse",
                passed ? ExitCode.OK : ExitCode.REHEARSAL_FAILED, "m").withRehearsal(rehearsal)));
    }

    @Test
    void theRehearsalsMeasuredDurationWinsOverExpectedDuration() throws Exception {
        Path rehearsal = tmp.resolve("rehearsal.json");
        writeRehearsal(rehearsal, true, Duration.ofHours(2).toMillis());
        String closes = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();

        CommandLineRun refused = runner(rehearsal, "upgrade", "--migrations", project.dir().toString(),
                "--target", "head", "--window-closes-at", closes, "--expected-duration", "1m");

        assertEquals(27, refused.exit(), refused.err());
        assertEquals("OutsideWindow", refused.result().reason());
        assertTrue(refused.result().message().startsWith("the maintenance window closes at " + closes + ", in "),
                refused.result().message());
        assertTrue(refused.result().message().endsWith("; the step is expected to take 2h0m0s (its rehearsal);"
                + " nothing was run"), refused.result().message());
        assertEquals(List.of(), refused.result().upgrade().appliedRevisions());
        assertEquals(List.of(), db.alembicVersion());

        // A failed rehearsal's duration is no expectation: --expected-duration is used, and it fits.
        writeRehearsal(rehearsal, false, Duration.ofHours(2).toMillis());
        CommandLineRun ran = runner(rehearsal, "upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--window-closes-at", closes, "--expected-duration", "1m");
        assertEquals(0, ran.exit(), ran.err());
        assertTrue(ran.err().contains("the rehearsal file holds no passed rehearsal"), ran.err());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }

    @Test
    void withoutARehearsalFileExpectedDurationIsAnEarlierRuns() throws Exception {
        Path none = tmp.resolve("no-rehearsal.json");
        String closes = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();

        CommandLineRun refused = runner(none, "upgrade", "--migrations", project.dir().toString(),
                "--target", "head", "--window-closes-at", closes, "--expected-duration", "3h");

        assertEquals(27, refused.exit(), refused.err());
        assertTrue(refused.result().message().endsWith("; the step is expected to take 3h0m0s (an earlier run);"
                + " nothing was run"), refused.result().message());
        assertEquals(List.of(), db.alembicVersion());

        CommandLineRun closed = runner(none, "upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--window-closes-at", "2020-01-01T00:00:00Z");
        assertEquals(27, closed.exit(), closed.err());
        assertTrue(closed.result().message().startsWith("the maintenance window closed at 2020-01-01T00:00:00Z, "),
                closed.result().message());

        CommandLineRun ran = runner(none, "upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--window-closes-at", closes);
        assertEquals(0, ran.exit(), ran.err());
        assertNull(ran.result().upgrade().failedRevision());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }
}
