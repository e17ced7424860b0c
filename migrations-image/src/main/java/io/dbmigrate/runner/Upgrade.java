package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes the database to a target revision under its migration lock: {@code alembic upgrade <target>}, or, when the
 * target is below the current revision and that is allowed, {@code alembic downgrade <target>}. Reports which
 * revisions it applied (or undid), or which one failed and why.
 */
public final class Upgrade extends AlembicRun {

    private final UpgradeRequest request;
    private final Backoff backoff;
    private final String durationSource;
    /** The backend pid of the session holding the migration lock, once taken: Alembic's sessions must see it. */
    private int lockPid;

    private Upgrade(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock, PrintStream log,
                    Backoff backoff, String durationSource) throws RunnerException {
        super(settings, tools, request.migrationsDir(), clock, log);
        this.request = request;
        this.backoff = backoff;
        this.durationSource = durationSource;
    }

    /** Alembic's output goes to {@link System#err}, prefixed {@code alembic: }. */
    public static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock)
            throws RunnerException {
        return run(settings, tools, request, clock, System.err);
    }

    /** As {@link #run(ConnectionSettings, Tools, UpgradeRequest, Clock)}, with Alembic's output going to {@code log}. */
    public static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                                    PrintStream log) throws RunnerException {
        return run(settings, tools, request, clock, log, (String) null);
    }

    /**
     * As {@link #run(ConnectionSettings, Tools, UpgradeRequest, Clock, PrintStream)}, naming where the request's
     * expected duration comes from ("its rehearsal", "an earlier run") in an {@link ExitCode#OUTSIDE_WINDOW} message.
     */
    public static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                                    PrintStream log, String expectedDurationSource) throws RunnerException {
        return run(settings, tools, request, clock, log, Backoff.standard(), expectedDurationSource);
    }

    static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                             PrintStream log, Backoff backoff) throws RunnerException {
        return run(settings, tools, request, clock, log, backoff, null);
    }

    private static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                                     PrintStream log, Backoff backoff, String durationSource) throws RunnerException {
        Upgrade upgrade = prepare(settings, tools, request, clock, log, backoff, durationSource);
        return upgrade.locked(upgrade::migrate);
    }

    /**
     * Takes the database back to exactly {@code revisions} (as read from alembic_version before an upgrade) under its
     * migration lock, the way {@link OnFailure#DOWNGRADE} does after a failure: the revision graph picks the one
     * Alembic argument that gets there, and a downgrade's landing in alembic_version is checked (and the stray rows of
     * sqlalchemy/alembic#1373 deleted). The request's migrations, lock safety and retries apply; its target, window
     * and verification queries do not (the queries describe the schema the target brings).
     *
     * @return target is the revisions asked for, appliedRevisions what the downgrade (or upgrade) undid or applied;
     *         nothing is run when the database is there already
     * @throws RunnerException MIGRATION_FAILED or LOCK_TIMEOUT with the result: failedRevision is the revision whose
     *                         downgrade failed, toRevision where the database was left
     */
    public static UpgradeResult downgradeTo(ConnectionSettings settings, Tools tools, UpgradeRequest request,
                                            List<String> revisions, Clock clock, PrintStream log)
            throws RunnerException {
        Upgrade upgrade = prepare(settings, tools, request, clock, log, Backoff.standard(), null);
        return upgrade.locked(connection -> upgrade.restoreTo(connection, List.copyOf(revisions)));
    }

    private static Upgrade prepare(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                                   PrintStream log, Backoff backoff, String durationSource) throws RunnerException {
        request.validate();
        return new Upgrade(settings, tools, request, clock, log, backoff, durationSource);
    }

    /** What runs with the migration lock held, on the connection holding it. */
    private interface UnderLock {
        UpgradeResult run(Connection connection) throws SQLException, RunnerException;
    }

    private UpgradeResult locked(UnderLock work) throws RunnerException {
        // Our own connection, separate from Alembic's: it holds the lock and tells us the revisions before and after.
        try (Connection connection = settings.open()) {
            AdvisoryLock lock;
            try {
                lock = AdvisoryLock.acquire(connection, request.lockWait(), settings.database(), log);
            } catch (RunnerException e) {
                throw new RunnerException(e.exitCode(), e.getMessage(), e.getCause(),
                        result(null, null, Direction.UPGRADE, List.of(), null, 0));
            }
            try (lock) {
                lockPid = lock.backendPid();
                return work.run(connection);
            }
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "talking to " + settings.describe());
        }
    }

    private UpgradeResult migrate(Connection connection) throws SQLException, RunnerException {
        List<String> fromRevisions = AlembicVersion.current(connection, settings.versionTable());
        String from = Revisions.describe(fromRevisions);
        if (request.expectBackup() != null) {
            // Under the lock the backup took too: nothing can have moved the database since, except outside dbmigrate.
            List<String> backup = Revisions.parse("the backup's revision", request.expectBackup());
            if (!Revisions.same(fromRevisions, backup)) {
                throw new RunnerException(ExitCode.BACKUP_OUTDATED, backupOutdated(Revisions.describe(backup), from),
                        result(from, from, Direction.UPGRADE, List.of(), null, 0));
            }
        }
        if (request.expectFrom() != null) {
            // Read under the migration lock: no other dbmigrate run can move the database before Alembic starts.
            List<String> expected = request.expectedRevisions();
            if (!Revisions.same(fromRevisions, expected)) {
                throw new RunnerException(ExitCode.PLAN_OUTDATED, planOutdated(Revisions.describe(expected), from),
                        result(from, from, Direction.UPGRADE, List.of(), null, 0));
            }
        }
        RevisionGraph.Classification route;
        try {
            route = RevisionGraph.classify(tools, dir, request.target(), fromRevisions, this::logLine);
        } catch (RunnerException e) {
            throw new RunnerException(e.exitCode(), e.getMessage() + "; the database is at " + from, e.getCause(),
                    result(from, from, Direction.UPGRADE, List.of(), null, 0));
        }
        Direction direction = route.direction();
        if (direction == Direction.DOWNGRADE && !request.allowDowngrade()) {
            throw new RunnerException(ExitCode.DOWNGRADE_NOT_ALLOWED,
                    downgradeRefused(request.target(), from, route.revisions()) + "; nothing was run",
                    result(from, from, direction, List.of(), null, 0));
        }
        if (direction != Direction.NONE && request.windowClosesAt() != null) {
            // Last thing before Alembic starts: the lock wait and the checks above have used up part of the window.
            String outside = MaintenanceWindow.outside(request.windowClosesAt(), clock.instant(),
                    request.expectedDuration(), durationSource);
            if (outside != null) {
                throw new RunnerException(ExitCode.OUTSIDE_WINDOW, outside + "; nothing was run",
                        result(from, from, direction, List.of(), null, 0));
            }
        }
        Execution run = direction == Direction.NONE ? Execution.nothing(from)
                : execute(connection, direction, route.argument(), from);

        Failure failure = run.succeeded() ? null : failure(direction, run, route.argument());
        if (failure == null && direction == Direction.DOWNGRADE) {
            Landing landing = land(connection, route);
            run = run.at(landing.at());
            if (landing.error() != null) {
                failure = new Failure(ExitCode.MIGRATION_FAILED, landing.error(), null);
            }
        }
        if (failure == null && direction == Direction.UPGRADE) {
            failure = upgradeLanding(route, run);
        }
        Verification.Outcome checks = new Verification.Outcome(List.of(), null, null);
        // The queries describe the schema the target brings; after an explicit downgrade they need not hold.
        if (failure == null && direction != Direction.DOWNGRADE) {
            checks = Verification.run(connection, request.verify(), Verification.statementTimeout(request.safety()));
            if (!checks.holds()) {
                failure = new Failure(ExitCode.VERIFICATION_FAILED,
                        "verification " + checks.failed() + " " + checks.reason(), null);
            }
        }
        if (failure == null) {
            return result(from, run.to(), direction, run.applied(), null, run.attempts(), checks.passed(), null, null);
        }
        String message = failure.what() + "; " + where(from, run.to());
        String to = run.to();
        String rolledBackTo = null;
        if (request.onFailure() == OnFailure.DOWNGRADE && !to.equals(from)) {
            log.println(KeyValueLog.line("warn", "on failure: back to the revision the run started from", "from", to,
                    "to", from));
            Restore restore = restore(connection, fromRevisions, to);
            to = restore.at();
            rolledBackTo = restore.succeeded() ? restore.at() : null;
            message = restore.succeeded() ? failure.what() + "; " + restore.command() + "d to " + restore.at()
                    : failure.what() + "; " + where(from, to) + "; the " + restore.command() + " to " + from
                    + " failed: " + restore.error();
        }
        if (run.nonTransactional() && failure.failedRevision() != null) {
            message += "; " + nonTransactional(failure.failedRevision());
        }
        UpgradeResult result = result(from, to, direction, run.applied(), failure.failedRevision(), run.attempts(),
                checks.passed(), checks.failed(), rolledBackTo);
        throw new RunnerException(failure.exitCode(), message, result);
    }

    /**
     * How taking the database back to where the run started went.
     *
     * @param at             the revision read afterwards
     * @param command        "downgrade" (or "upgrade", undoing a failed explicit downgrade)
     * @param direction      what ran: {@link Direction#NONE} when nothing did
     * @param applied        the revisions it undid (or applied) and committed
     * @param exitCode       null when it succeeded; else MIGRATION_FAILED, LOCK_TIMEOUT, ...
     * @param error          null when it succeeded
     * @param failedRevision the revision whose downgrade (or upgrade) failed, when known
     * @param attempts       how many times Alembic was started
     */
    private record Restore(String at, String command, Direction direction, List<String> applied, ExitCode exitCode,
                           String error, String failedRevision, int attempts) {
        boolean succeeded() {
            return error == null;
        }

        static Restore failed(String at, String command, Direction direction, ExitCode exitCode, String error) {
            return new Restore(at, command, direction, List.of(), exitCode, error, null, 0);
        }
    }

    /**
     * Back to exactly the revision(s) {@code fromRevisions}, under the same lock, with the same lock_timeout retries:
     * on-failure downgrade and a rehearsal's round trip. The revision graph picks the one Alembic argument that gets
     * there (on a branched graph {@code alembic downgrade <from>} can be refused); when there is none, nothing is run.
     */
    private Restore restore(Connection connection, List<String> fromRevisions, String now) throws RunnerException {
        RevisionGraph.Classification back;
        try {
            back = RevisionGraph.restore(tools, dir, fromRevisions, splitRevisions(now), this::logLine);
        } catch (RunnerException e) {
            return Restore.failed(now, "downgrade", Direction.NONE, e.exitCode(), e.getMessage() + "; nothing was run");
        }
        String command = back.direction() == Direction.UPGRADE ? "upgrade" : "downgrade";
        if (back.direction() == Direction.NONE) {
            return new Restore(now, command, Direction.NONE, List.of(), null, null, null, 0);
        }
        Execution run;
        try {
            run = execute(connection, back.direction(), back.argument(), now);
            if (run.succeeded() && back.direction() == Direction.DOWNGRADE) {
                Landing landing = land(connection, back);
                return new Restore(landing.at(), command, back.direction(), run.applied(),
                        landing.error() == null ? null : ExitCode.MIGRATION_FAILED, landing.error(), null,
                        run.attempts());
            }
        } catch (RunnerException e) {
            // The failure being reported is the run's, not this one's.
            return Restore.failed(now, command, back.direction(), e.exitCode(), e.getMessage());
        }
        if (run.succeeded()) {
            return new Restore(run.to(), command, back.direction(), run.applied(), null, null, null, run.attempts());
        }
        Failure failure = failure(back.direction(), run, back.argument());
        return new Restore(run.to(), command, back.direction(), run.applied(), failure.exitCode(), failure.what(),
                failure.failedRevision(), run.attempts());
    }

    /** {@link #downgradeTo}: the restore alone, reported as a run of its own whose target is {@code wanted}. */
    private UpgradeResult restoreTo(Connection connection, List<String> wanted) throws SQLException, RunnerException {
        String now = Revisions.describe(AlembicVersion.current(connection, settings.versionTable()));
        String target = Revisions.describe(wanted);
        log.println(KeyValueLog.line("info", "back to the revision(s) a run started from", "from", now, "to", target));
        Restore restore = restore(connection, wanted, now);
        Direction direction = restore.direction() == Direction.NONE ? Direction.DOWNGRADE : restore.direction();
        UpgradeResult result = new UpgradeResult(target, now, restore.at(), List.copyOf(restore.applied()),
                restore.failedRevision(), startedAt, now(clock), direction.word(), restore.attempts(), List.of(),
                null, null, null);
        if (restore.succeeded()) {
            return result;
        }
        throw new RunnerException(restore.exitCode() == null ? ExitCode.MIGRATION_FAILED : restore.exitCode(),
                "the " + restore.command() + " from " + now + " to " + target + " failed: " + restore.error()
                        + "; " + where(now, restore.at()), result);
    }

    /**
     * Where a downgrade Alembic reported as done left alembic_version.
     *
     * @param at    the revisions read afterwards
     * @param error null when they are the expected ones
     */
    private record Landing(String at, String error) {
    }

    /**
     * alembic_version must hold exactly the rows the revision graph expects. The ancestor rows Alembic before 1.13.1
     * writes beside them (sqlalchemy/alembic#1373; an env.py may delete them itself) are deleted here, because every
     * later upgrade fails on them; any other difference is an error.
     */
    private Landing land(Connection connection, RevisionGraph.Classification route) throws RunnerException {
        List<String> rows = currentRows(connection);
        List<String> stray = route.strayRows(rows);
        if (!stray.isEmpty()) {
            log.println(KeyValueLog.line("warn", "alembic_version: deleting rows that are ancestors of the others"
                    + " (sqlalchemy/alembic#1373)", "rows", String.join(",", stray),
                    "expected", Revisions.describe(route.expected())));
            try {
                AlembicVersion.delete(connection, settings.versionTable(), stray);
            } catch (SQLException e) {
                return new Landing(Revisions.describe(rows), "alembic downgrade " + route.argument()
                        + " left alembic_version at " + Revisions.describe(rows) + " and deleting "
                        + String.join(", ", stray) + " failed: " + e.getMessage());
            }
            rows = currentRows(connection);
        }
        String at = Revisions.describe(rows);
        if (route.landedAt(rows)) {
            return new Landing(at, null);
        }
        return new Landing(at, "alembic downgrade " + route.argument() + " exited 0 but alembic_version holds " + at
                + ", expected " + Revisions.describe(route.expected()));
    }

    /**
     * alembic_version after an upgrade Alembic reported as done must hold the rows the revision graph expects. When it
     * does not, Alembic recorded its revisions elsewhere than the runner reads them (env.py's version_table,
     * version_table_schema or search_path): what it says it applied is not what the database shows.
     */
    private Failure upgradeLanding(RevisionGraph.Classification route, Execution run) {
        List<String> rows = splitRevisions(run.to());
        if (route.landedAt(rows)) {
            return null;
        }
        List<String> logged = AlembicOutput.appliedRevisions(run.last().output());
        return new Failure(ExitCode.DATABASE_MISMATCH, "alembic upgrade " + route.argument() + " exited 0"
                + (logged.isEmpty() ? "" : " and its log says it applied " + String.join(", ", logged))
                + ", but alembic_version holds " + run.to() + ", expected " + Revisions.describe(route.expected())
                + " (" + (run.applied().isEmpty() ? "no revision" : String.join(", ", run.applied()))
                + " applied by what it shows): Alembic records its revisions somewhere the runner does not read"
                + " them (env.py's version_table, version_table_schema or search_path)", null);
    }

    static String nonTransactional(String revision) {
        return "revision " + revision + " uses autocommit_block: what it ran there was committed outside the"
                + " migration's transaction, so it may have left non-transactional changes (an index built"
                + " CONCURRENTLY, an enum value) although it failed; check for them before running it again";
    }

    private static List<String> splitRevisions(String described) {
        return described.equals(Revisions.BASE) ? List.of() : List.of(described.split(","));
    }

    static String planOutdated(String expected, String from) {
        return "the database is at " + from + ", not at " + expected + " where the approved plan started (it was"
                + " migrated since the plan was made): the plan no longer says what would run; nothing was run."
                + " Edit the resource (a new generation) to let the operator plan again, and approve the new plan";
    }

    static String backupOutdated(String backup, String from) {
        return "the database is at " + from + ", not at " + backup + " where its backup was taken just before: it"
                + " was migrated since by something else, so that backup is not the state this upgrade would start"
                + " from; nothing was run. Run the step again (a new Job) to back up the database as it is now";
    }

    static String downgradeRefused(String target, String from, List<String> undo) {
        return "target " + target + " is below the current revision " + from + ": it would undo " + undo.size()
                + " revision" + (undo.size() == 1 ? "" : "s") + " (" + String.join(", ", undo) + ");"
                + " set spec.allowDowngrade: true (--allow-downgrade) to allow it";
    }

    /** What went wrong, in words, without where it left the database. */
    private record Failure(ExitCode exitCode, String what, String failedRevision) {
    }

    private static String where(String from, String to) {
        return to.equals(from) ? "nothing was applied, the database is still at " + from : "the database is at " + to;
    }

    /**
     * What running Alembic came to, over all its attempts.
     *
     * @param last     the output of the last attempt
     * @param applied  the revisions applied (or undone) and committed, over all attempts
     * @param to       the database's revision afterwards
     * @param holders  the sessions seen blocking Alembic, over all attempts
     * @param failed   the revision whose upgrade (or downgrade) failed, when Alembic failed and its output names it
     * @param nonTransactional the failed revision's script uses autocommit_block (see {@link RevisionGraph.Between})
     */
    private record Execution(ExternalProcess.Outcome last, int attempts, List<String> applied, String to,
                             List<LockHolder> holders, String failed, boolean nonTransactional) {
        boolean succeeded() {
            return last.exitCode() == 0;
        }

        Execution at(String revisions) {
            return new Execution(last, attempts, applied, revisions, holders, failed, nonTransactional);
        }

        /** Alembic not started: the database is at the target already. */
        static Execution nothing(String at) {
            return new Execution(new ExternalProcess.Outcome(0, List.of()), 0, List.of(), at, List.of(), null, false);
        }
    }

    /**
     * Runs {@code alembic upgrade|downgrade revision}; a run that hit lock_timeout is started again after a backoff,
     * up to lockRetries times. Each run starts from wherever the previous one left the database.
     */
    private Execution execute(Connection connection, Direction direction, String revision, String from)
            throws RunnerException {
        Alembic alembic = new Alembic(settings, tools, dir, request.safety(), this::logLine);
        String command = direction == Direction.DOWNGRADE ? "downgrade" : "upgrade";
        int retries = request.safety().lockRetries();
        Map<Integer, LockHolder> holders = new LinkedHashMap<>();
        List<String> before = splitRevisions(from);
        for (int attempt = 1; ; attempt++) {
            ExternalProcess.Outcome outcome;
            try (LockWatcher watcher = LockWatcher.start(connection, Alembic.APPLICATION_NAME,
                    request.lockTimeout(), this::logHolder)) {
                outcome = alembic.run(lockPid, before, command, revision);
                watcher.close();
                watcher.holders().forEach(h -> holders.put(h.pid(), h));
            } catch (RunnerException e) {
                if (e.exitCode() != ExitCode.INTERRUPTED) {
                    throw e;
                }
                throw interrupted(connection, e, direction, from, attempt);
            }
            List<String> after = currentRows(connection);
            Optional<String> mismatch = alembic.mismatch(outcome, before);
            if (mismatch.isPresent()) {
                throw new RunnerException(ExitCode.DATABASE_MISMATCH, mismatch.get() + "; "
                        + where(from, Revisions.describe(after)), result(from, Revisions.describe(after), direction,
                        List.of(), null, attempt));
            }
            String error = AlembicOutput.error(outcome.output()).orElse(null);
            if (outcome.exitCode() == 0 || !AlembicOutput.isLockTimeout(error) || attempt > retries) {
                return finished(direction, outcome, attempt, splitRevisions(from), after,
                        List.copyOf(holders.values()));
            }
            Duration wait = backoff.delay(attempt);
            log.println(KeyValueLog.line("warn", "lock_timeout, retrying", "attempt", attempt, "attempts", retries + 1,
                    "lockTimeout", Durations.format(request.lockTimeout()), "wait", Durations.format(wait),
                    "revision", Revisions.describe(after)));
            try {
                backoff.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Interruption.exception("waiting to retry", e);
            }
            before = after;
        }
    }

    /**
     * A signal stopped Alembic: its session is ended (so its transaction is rolled back now, not when its statement
     * would have ended), and the report says where that left the database, read from alembic_version.
     */
    private RunnerException interrupted(Connection connection, RunnerException e, Direction direction, String from,
                                        int attempts) {
        Thread.interrupted(); // handled here: what follows must wait and talk to the database once more
        Alembic.endSessions(connection);
        List<String> after;
        try {
            after = currentRows(connection);
        } catch (RunnerException unreadable) {
            return new RunnerException(ExitCode.INTERRUPTED, e.getMessage() + "; Alembic was stopped, its open"
                    + " transaction rolled back; the revision afterwards could not be read: " + unreadable.getMessage(),
                    e.getCause(), result(from, from, direction, List.of(), null, attempts));
        }
        // What the stopped run committed, as for a run that ended: from the revision graph (its log is gone with it).
        RevisionGraph.Between between = graph(splitRevisions(from), after, null, "applied revisions unknown");
        List<String> applied = between == null ? List.of() : committed(direction, between);
        String at = Revisions.describe(after);
        return new RunnerException(ExitCode.INTERRUPTED, e.getMessage() + "; Alembic was stopped, its open transaction"
                + " rolled back; " + where(from, at), e.getCause(), result(from, at, direction, applied, null, attempts));
    }

    /**
     * What the run did, over all its attempts, from the revision graph between the rows before the first attempt and
     * after the last (the log need not say: a logger at WARN prints no "Running upgrade" line); the log and the
     * traceback only name the revision that failed.
     */
    private Execution finished(Direction direction, ExternalProcess.Outcome last, int attempts, List<String> from,
                               List<String> after, List<LockHolder> holders) {
        String failed = last.exitCode() == 0 ? null : failedRevision(direction, last.output());
        RevisionGraph.Between between = graph(from, after, failed, "applied revisions taken from Alembic's log");
        if (between == null) {
            // Rows the scripts do not know: only the log can tell, and it must not hide the run's own outcome.
            List<String> logged = stepsRan(direction, last.output());
            List<String> committed = Revisions.same(from, after) ? List.of() : last.exitCode() == 0 || logged.isEmpty()
                    ? logged : logged.subList(0, logged.size() - 1);
            return new Execution(last, attempts, committed, Revisions.describe(after), holders, failed, false);
        }
        return new Execution(last, attempts, committed(direction, between), Revisions.describe(after), holders, failed,
                between.nonTransactional());
    }

    /**
     * The revision graph between the rows before and after a run; null, with {@code fallback} logged as a warning,
     * when the rows name revisions the scripts do not know.
     */
    private RevisionGraph.Between graph(List<String> from, List<String> after, String failed, String fallback) {
        try {
            return RevisionGraph.between(tools, dir, from, after, failed, this::logLine);
        } catch (RunnerException e) {
            log.println(KeyValueLog.line("warn", fallback, "error", e.getMessage()));
            return null;
        }
    }

    private static List<String> committed(Direction direction, RevisionGraph.Between between) {
        return direction == Direction.DOWNGRADE ? between.undone() : between.applied();
    }

    private void logHolder(LockHolder holder) {
        log.println(KeyValueLog.line("warn", "alembic waits for a lock", "holder", settings.redact(holder.describe())));
    }

    private static List<String> stepsRan(Direction direction, List<String> output) {
        return direction == Direction.DOWNGRADE ? AlembicOutput.undoneRevisions(output)
                : AlembicOutput.appliedRevisions(output);
    }

    // A long migration may outlive the lock connection (idle_session_timeout, a proxy); read on a fresh one then.
    private List<String> currentRows(Connection connection) throws RunnerException {
        try {
            return AlembicVersion.current(connection, settings.versionTable());
        } catch (SQLException first) {
            try (Connection fresh = settings.open()) {
                return AlembicVersion.current(fresh, settings.versionTable());
            } catch (SQLException e) {
                throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
            }
        }
    }

    /** Why a run of {@code alembic upgrade|downgrade target} failed, from its last attempt's output. */
    private Failure failure(Direction direction, Execution run, String target) {
        List<String> output = run.last().output();
        String function = direction == Direction.DOWNGRADE ? "downgrade" : "upgrade";
        String failed = run.failed();
        String error = AlembicOutput.error(output)
                .orElse("alembic exited with " + run.last().exitCode() + " without output");
        String subject = failed == null ? "the migration"
                : (direction == Direction.DOWNGRADE ? "the downgrade of revision " : "revision ") + failed;

        if (AlembicOutput.isLockTimeout(error)) {
            String blockedBy = LockHolder.blockedBy(run.holders());
            return new Failure(ExitCode.LOCK_TIMEOUT, subject + " could not lock a table within lock_timeout "
                    + Durations.format(request.lockTimeout()) + " on "
                    + (run.attempts() == 1 ? "its only attempt" : "any of " + run.attempts() + " attempts")
                    + "; " + (blockedBy.isEmpty() ? "the session holding the lock was not seen" : blockedBy), failed);
        }
        if (AlembicOutput.isStatementTimeout(error)) {
            return new Failure(ExitCode.MIGRATION_FAILED, subject + " ran into statement_timeout "
                    + Durations.format(request.safety().statementTimeout()) + ": " + error, failed);
        }
        String what = failed == null
                ? "alembic " + function + " " + target + " failed (exit " + run.last().exitCode() + ")"
                : subject + " failed";
        return new Failure(ExitCode.MIGRATION_FAILED, what + ": " + error, failed);
    }

    /** The revision whose upgrade (or downgrade) failed: the last one Alembic's log started, else the traceback's. */
    private String failedRevision(Direction direction, List<String> output) {
        String function = direction == Direction.DOWNGRADE ? "downgrade" : "upgrade";
        Optional<String> started = direction == Direction.DOWNGRADE ? AlembicOutput.lastUndoneRevision(output)
                : AlembicOutput.lastStartedRevision(output);
        return started.or(() -> AlembicOutput.failingScript(output, function).map(this::revisionOfScript))
                .orElse(null);
    }

    private UpgradeResult result(String from, String to, Direction direction, List<String> applied, String failed,
                                 int attempts) {
        return result(from, to, direction, applied, failed, attempts, List.of(), null, null);
    }

    private UpgradeResult result(String from, String to, Direction direction, List<String> applied, String failed,
                                 int attempts, List<String> verified, String failedVerification,
                                 String rolledBackTo) {
        return new UpgradeResult(request.target(), from, to, List.copyOf(applied), failed, startedAt, now(clock),
                direction == Direction.NONE ? UpgradeResult.UPGRADE : direction.word(), attempts,
                List.copyOf(verified), failedVerification, rolledBackTo, request.expectFrom());
    }

    /** The revision id the script declares; its file name without .py when it cannot be read. */
    private String revisionOfScript(String printedPath) {
        Path script = dir.resolve(printedPath).normalize();
        String fileName = script.getFileName().toString();
        String fallback = fileName.endsWith(".py") ? fileName.substring(0, fileName.length() - 3) : fileName;
        try {
            return AlembicOutput.revisionDeclaredIn(Files.readString(script)).orElse(fallback);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }
}
