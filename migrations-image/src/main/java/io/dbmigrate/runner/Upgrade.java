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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs {@code alembic upgrade <target>} under the database's migration lock and reports which revisions it applied,
 * or which one failed and why.
 */
public final class Upgrade {

    private Upgrade() {
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
        Path dir = request.migrationsDir().toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("alembic.ini"))) {
            throw new RunnerException(ExitCode.BAD_INPUT, "no alembic.ini in " + dir
                    + " (the migrations image must COPY alembic.ini, env.py, script.py.mako and versions/ there)");
        }
        Instant startedAt = now(clock);
        // Our own connection, separate from Alembic's: it holds the lock and tells us the revisions before and after.
        try (Connection connection = settings.open()) {
            AdvisoryLock lock;
            try {
                lock = AdvisoryLock.acquire(connection, request.lockWait(), settings.database());
            } catch (RunnerException e) {
                throw new RunnerException(e.exitCode(), e.getMessage(), e.getCause(), new UpgradeResult(
                        request.target(), null, null, List.of(), null, startedAt, now(clock)));
            }
            try (lock) {
                String from = Revisions.describe(Revisions.current(connection));
                List<String> output = new ArrayList<>();
                int exit = runAlembic(settings, tools, request, dir, line -> {
                    String safe = settings.redact(line);
                    output.add(safe);
                    log.println("alembic: " + safe);
                });
                String to = revisionAfter(connection, settings);
                Instant finishedAt = now(clock);
                if (exit == 0) {
                    return new UpgradeResult(request.target(), from, to, AlembicOutput.appliedRevisions(output), null,
                            startedAt, finishedAt);
                }
                throw failure(request, dir, output, exit, from, to, startedAt, finishedAt);
            }
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "talking to " + settings.describe());
        }
    }

    private static int runAlembic(ConnectionSettings settings, Tools tools, UpgradeRequest request, Path dir,
                                  java.util.function.Consumer<String> onLine) throws RunnerException {
        Map<String, String> env = new LinkedHashMap<>(settings.libpqEnvironment());
        if (!request.lockTimeout().isZero()) {
            // libpq applies PGOPTIONS to every session Alembic opens, whatever env.py does.
            env.put("PGOPTIONS", "-c lock_timeout=" + Durations.toPostgres(request.lockTimeout()));
        }
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // the image's /migrations is read-only for our user
        env.put("PYTHONUNBUFFERED", "1");        // lines in the order they happened, tracebacks included
        List<String> command = List.of(tools.alembic(), "-c", "alembic.ini", "upgrade", request.target());
        try {
            return ExternalProcess.run(command, dir, env, onLine).exitCode();
        } catch (IOException e) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "cannot run " + tools.alembic() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException(ExitCode.UNEXPECTED, "interrupted while running alembic", e);
        }
    }

    // A long migration may outlive the lock connection (idle_session_timeout, a proxy); read on a fresh one then.
    private static String revisionAfter(Connection connection, ConnectionSettings settings) throws RunnerException {
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

    private static RunnerException failure(UpgradeRequest request, Path dir, List<String> output, int exit,
                                           String from, String to, Instant startedAt, Instant finishedAt) {
        Optional<String> started = AlembicOutput.lastStartedRevision(output);
        String failed = started.or(() -> AlembicOutput.failingScript(output).map(f -> revisionOfScript(dir, f)))
                .orElse(null);
        String error = AlembicOutput.error(output).orElse("alembic exited with " + exit + " without output");

        // Alembic runs all revisions in one transaction by default, so nothing stays applied; with
        // transaction_per_migration the ones before the failing one were committed.
        List<String> applied = List.of();
        if (!to.equals(from) && started.isPresent()) {
            List<String> ran = AlembicOutput.appliedRevisions(output);
            applied = ran.subList(0, ran.size() - 1);
        }
        UpgradeResult partial = new UpgradeResult(request.target(), from, to, applied, failed, startedAt, finishedAt);

        if (AlembicOutput.isLockTimeout(error)) {
            return new RunnerException(ExitCode.LOCK_NOT_ACQUIRED, (failed == null ? "the migration" : "revision " + failed)
                    + " could not lock a table within lock timeout " + Durations.format(request.lockTimeout())
                    + " (the application holds it); the database is at " + to + "; " + error, partial);
        }
        String what = failed == null
                ? "alembic upgrade " + request.target() + " failed (exit " + exit + ")"
                : "revision " + failed + " failed";
        return new RunnerException(ExitCode.MIGRATION_FAILED,
                what + ": " + error + "; the database is at " + to, partial);
    }

    /** The revision id the script declares; its file name without .py when it cannot be read. */
    private static String revisionOfScript(Path dir, String printedPath) {
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
