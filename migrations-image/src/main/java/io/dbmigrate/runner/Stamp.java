package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.StampResult;
import io.dbmigrate.contract.UpgradeRequest;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sets alembic_version without running a migration, under the database's migration lock, so that it never happens
 * beside an upgrade. Two uses:
 * <ul>
 *   <li>repair (the {@code dbmigrate.io/stamp} annotation): alembic_version names something wrong or unknown, and
 *       {@code alembic stamp --purge} replaces whatever it holds;</li>
 *   <li>adopt (spec.baseline): a database whose schema was made without Alembic is marked as being at its baseline,
 *       once. A database that already has revisions is never restamped: when they include the baseline there is
 *       nothing to do, otherwise it is refused ({@link ExitCode#BASELINE_REFUSED}), because stamping would hide
 *       whatever the database really is at.</li>
 * </ul>
 */
public final class Stamp extends AlembicRun {

    /**
     * For Alembic's session: stamping takes no lock an application holds, but a migration run by hand outside
     * dbmigrate can hold alembic_version; the stamp then fails in a second instead of waiting behind it. No retries:
     * there is nothing to wait out.
     */
    private static final LockSafety SAFETY = new LockSafety(LockSafety.DEFAULT_LOCK_TIMEOUT, 0, Duration.ZERO,
            Duration.ZERO);

    private final StampRequest request;
    private final List<String> revisions;

    private Stamp(ConnectionSettings settings, Tools tools, StampRequest request, Clock clock, PrintStream log)
            throws RunnerException {
        super(settings, tools, request.migrationsDir(), clock, log);
        this.request = request;
        this.revisions = request.revisions();
    }

    /** Waits up to {@link LockSafety#DEFAULT_LOCK_WAIT} for the migration lock. */
    public static StampResult run(ConnectionSettings settings, Tools tools, StampRequest request, Clock clock,
                                  PrintStream log) throws RunnerException {
        return run(settings, tools, request, LockSafety.DEFAULT_LOCK_WAIT, clock, log);
    }

    /**
     * @param lockWait how long to wait for another migration of the database (its advisory lock), as
     *                 {@link UpgradeRequest#lockWait()}
     * @param log      the runner's log lines and Alembic's output, prefixed {@code alembic: }
     */
    public static StampResult run(ConnectionSettings settings, Tools tools, StampRequest request, Duration lockWait,
                                  Clock clock, PrintStream log) throws RunnerException {
        request.validate();
        if (lockWait == null || lockWait.isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock wait must be zero or positive");
        }
        Stamp stamp = new Stamp(settings, tools, request, clock, log);
        // Our own connection, separate from Alembic's: it holds the lock and reads alembic_version before and after.
        try (Connection connection = settings.open()) {
            try (AdvisoryLock lock = AdvisoryLock.acquire(connection, lockWait, settings.database(), log)) {
                return stamp.stamp(connection, lock.backendPid());
            }
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "talking to " + settings.describe());
        }
    }

    private StampResult stamp(Connection connection, int lockPid) throws SQLException, RunnerException {
        List<String> before = AlembicVersion.current(connection, settings.versionTable());
        String from = Revisions.describe(before);
        log.println(KeyValueLog.line("info", "stamp: alembic_version read under the migration lock", "revisions",
                from, "stamp", request.revision(), "adopt", request.adopt()));
        // Asked before Alembic runs: `alembic stamp --purge` of a revision it cannot find has already emptied
        // alembic_version (and committed that, under transaction_per_migration) when it fails.
        RevisionGraph.Inclusion graph;
        try {
            graph = RevisionGraph.includes(tools, dir, revisions, before, this::logLine);
        } catch (RunnerException e) {
            throw new RunnerException(e.exitCode(), "cannot stamp " + request.revision() + ": " + e.getMessage()
                    + "; nothing was stamped, alembic_version still holds " + from, result(from, from, false));
        }
        if (!graph.unknownRows().isEmpty()) {
            log.println(KeyValueLog.line("warn", "alembic_version names revisions the migrations do not have",
                    "rows", String.join(",", graph.unknownRows())));
        }
        if (request.adopt() && !before.isEmpty()) {
            if (graph.included()) {
                log.println(KeyValueLog.line("info", "stamp --adopt: already versioned at or past the baseline,"
                        + " nothing stamped", "revisions", from, "baseline", request.revision()));
                return result(from, from, false);
            }
            throw new RunnerException(ExitCode.BASELINE_REFUSED, baselineRefused(from, request.revision()),
                    result(from, from, false));
        }

        List<String> arguments = new ArrayList<>(List.of("stamp"));
        if (!request.adopt()) {
            // Repair: what alembic_version names may be wrong or unknown to the scripts; Alembic would fail on it.
            arguments.add("--purge");
        }
        arguments.addAll(revisions);
        String command = "alembic " + String.join(" ", arguments);
        log.println(KeyValueLog.line("info", "stamping", "command", command, "from", from));
        Alembic alembic = new Alembic(settings, tools, dir, SAFETY, this::logLine);
        // No revisions to expect: a stamp replaces them. Its session must still be on the locked database.
        ExternalProcess.Outcome outcome = alembic.run(lockPid, null, arguments.toArray(String[]::new));
        List<String> after = AlembicVersion.current(connection, settings.versionTable());
        String to = Revisions.describe(after);
        Optional<String> mismatch = alembic.mismatch(outcome, before);
        if (mismatch.isPresent()) {
            throw new RunnerException(ExitCode.DATABASE_MISMATCH, mismatch.get() + "; nothing was stamped,"
                    + " alembic_version holds " + to, result(from, to, !to.equals(from)));
        }
        if (outcome.exitCode() != 0) {
            String error = AlembicOutput.error(outcome.output())
                    .orElse("alembic exited with " + outcome.exitCode() + " without output");
            throw new RunnerException(ExitCode.MIGRATION_FAILED, command + " failed: " + error + "; "
                    + (to.equals(from) ? "nothing was stamped, alembic_version still holds " + from
                    : "alembic_version now holds " + to + " (it held " + from + ")"),
                    result(from, to, !to.equals(from)));
        }
        if (!Revisions.same(after, graph.expected())) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, command + " exited 0 but alembic_version holds " + to
                    + ", expected " + Revisions.describe(graph.expected()) + " (it held " + from + ")",
                    result(from, to, true));
        }
        log.println(KeyValueLog.line("info", "stamped", "from", from, "to", to));
        return result(from, to, true);
    }

    static String baselineRefused(String from, String baseline) {
        return "alembic_version holds " + from + ", which does not include baseline " + baseline + ": spec.baseline"
                + " adopts only a database without alembic_version (or with an empty one); nothing was stamped";
    }

    private StampResult result(String from, String to, boolean stamped) {
        return new StampResult(request.revision(), from, to, request.adopt(), stamped, startedAt, now(clock));
    }
}
