package io.dbmigrate.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Takes the database to a target revision under its migration lock: {@code alembic upgrade <target>}, or, when the
 * target is below the current revision and that is allowed, {@code alembic downgrade <target>}. Reports which
 * revisions it applied (or undid), or which one failed and why.
 */
public final class Upgrade {

    private final ConnectionSettings settings;
    private final Tools tools;
    private final UpgradeRequest request;
    private final Path dir;
    private final Clock clock;
    private final PrintStream log;
    private final Instant startedAt;

    private Upgrade(ConnectionSettings settings, Tools tools, UpgradeRequest request, Path dir, Clock clock,
                    PrintStream log) {
        this.settings = settings;
        this.tools = tools;
        this.request = request;
        this.dir = dir;
        this.clock = clock;
        this.log = log;
        this.startedAt = now(clock);
    }

    /** Alembic's output goes to {@link System#err}, prefixed {@code alembic: }. */
    public static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock)
            throws RunnerException {
        return run(settings, tools, request, clock, System.err);
    }

    /** As {@link #run(ConnectionSettings, Tools, UpgradeRequest, Clock)}, with Alembic's output going to {@code log}. */
    public static UpgradeResult run(ConnectionSettings settings, Tools tools, UpgradeRequest request, Clock clock,
                                    PrintStream log) throws RunnerException {
        request.validate();
        Path dir = migrationsDirectory(request.migrationsDir());
        Upgrade upgrade = new Upgrade(settings, tools, request, dir, clock, log);
        // Our own connection, separate from Alembic's: it holds the lock and tells us the revisions before and after.
        try (Connection connection = settings.open()) {
            AdvisoryLock lock;
            try {
                lock = AdvisoryLock.acquire(connection, request.lockWait(), settings.database());
            } catch (RunnerException e) {
                throw new RunnerException(e.exitCode(), e.getMessage(), e.getCause(),
                        upgrade.result(null, null, Direction.UPGRADE, List.of(), null, 0));
            }
            try (lock) {
                return upgrade.migrate(connection);
            }
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "talking to " + settings.describe());
        }
    }

    /** The directory, absolute, when it holds an alembic.ini; BAD_INPUT otherwise. */
    static Path migrationsDirectory(Path given) throws RunnerException {
        Path dir = given.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("alembic.ini"))) {
            throw new RunnerException(ExitCode.BAD_INPUT, "no alembic.ini in " + dir
                    + " (the migrations image must COPY alembic.ini, env.py, script.py.mako and versions/ there)");
        }
        return dir;
    }

    private UpgradeResult migrate(Connection connection) throws SQLException, RunnerException {
        List<String> fromRevisions = Revisions.current(connection);
        String from = Revisions.describe(fromRevisions);
        RevisionGraph.Classification route;
        try {
            route = RevisionGraph.classify(tools, dir, request.target(), fromRevisions, this::logLine);
        } catch (RunnerException e) {
            throw new RunnerException(e.exitCode(), e.getMessage() + "; the database is at " + from, e.getCause(),
                    result(from, from, Direction.UPGRADE, List.of(), null, 0));
        }
        Direction direction = route.direction();
        if (direction == Direction.DOWNGRADE && !request.allowDowngrade()) {
            List<String> undo = route.revisions();
            throw new RunnerException(ExitCode.DOWNGRADE_NOT_ALLOWED, "target " + request.target()
                    + " is below the current revision " + from + ": it would undo " + undo.size() + " revision"
                    + (undo.size() == 1 ? "" : "s") + " (" + String.join(", ", undo) + "); set spec.allowDowngrade:"
                    + " true (--allow-downgrade) to allow it; nothing was run",
                    result(from, from, direction, List.of(), null, 0));
        }
        if (direction == Direction.NONE) {
            return result(from, from, direction, List.of(), null, 0);
        }

        Alembic alembic = new Alembic(settings, tools, dir, request.safety(), this::logLine);
        String command = direction == Direction.UPGRADE ? "upgrade" : "downgrade";
        ExternalProcess.Outcome outcome = alembic.run(command, request.target());
        String to = revisionAfter(connection);
        List<String> ran = stepsRan(direction, outcome.output());
        if (outcome.exitCode() == 0) {
            return result(from, to, direction, ran, null, 1);
        }
        throw failure(direction, outcome, from, to, ran);
    }

    private void logLine(String line) {
        log.println("alembic: " + settings.redact(line));
    }

    private static List<String> stepsRan(Direction direction, List<String> output) {
        return direction == Direction.DOWNGRADE ? AlembicOutput.undoneRevisions(output)
                : AlembicOutput.appliedRevisions(output);
    }

    // A long migration may outlive the lock connection (idle_session_timeout, a proxy); read on a fresh one then.
    private String revisionAfter(Connection connection) throws RunnerException {
        try {
            return Revisions.describe(Revisions.current(connection));
        } catch (SQLException first) {
            try (Connection fresh = settings.open()) {
                return Revisions.describe(Revisions.current(fresh));
            } catch (SQLException e) {
                throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
            }
        }
    }

    private RunnerException failure(Direction direction, ExternalProcess.Outcome outcome, String from, String to,
                                    List<String> ran) {
        List<String> output = outcome.output();
        String function = direction == Direction.DOWNGRADE ? "downgrade" : "upgrade";
        Optional<String> started = direction == Direction.DOWNGRADE ? AlembicOutput.lastUndoneRevision(output)
                : AlembicOutput.lastStartedRevision(output);
        String failed = started.or(() -> AlembicOutput.failingScript(output, function).map(this::revisionOfScript))
                .orElse(null);
        String error = AlembicOutput.error(output).orElse("alembic exited with " + outcome.exitCode() + " without output");

        // Alembic runs all revisions in one transaction by default, so nothing stays applied; with
        // transaction_per_migration the ones before the failing one were committed.
        List<String> kept = List.of();
        if (!to.equals(from) && started.isPresent()) {
            kept = ran.subList(0, ran.size() - 1);
        }
        UpgradeResult partial = result(from, to, direction, kept, failed, 1);

        if (AlembicOutput.isLockTimeout(error)) {
            return new RunnerException(ExitCode.LOCK_NOT_ACQUIRED, (failed == null ? "the migration" : "revision " + failed)
                    + " could not lock a table within lock timeout " + Durations.format(request.lockTimeout())
                    + " (the application holds it); the database is at " + to + "; " + error, partial);
        }
        String what = failed == null
                ? "alembic " + function + " " + request.target() + " failed (exit " + outcome.exitCode() + ")"
                : (direction == Direction.DOWNGRADE ? "the downgrade of revision " : "revision ") + failed + " failed";
        return new RunnerException(ExitCode.MIGRATION_FAILED, what + ": " + error + "; the database is at " + to, partial);
    }

    private UpgradeResult result(String from, String to, Direction direction, List<String> applied, String failed,
                                 int attempts) {
        return new UpgradeResult(request.target(), from, to, List.copyOf(applied), failed, startedAt, now(clock),
                direction == Direction.NONE ? UpgradeResult.UPGRADE : direction.word(), attempts, List.of(), null,
                null);
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

    // Milliseconds, like the file names: nobody needs nanoseconds, and the termination message has 4096 bytes.
    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
