package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs pg_dump, pg_restore or Alembic with an argument list (never through a shell) and collects what it prints,
 * stdout and stderr interleaved as a user would see them.
 */
final class ExternalProcess {

    /**
     * Connection variables a child must not inherit from the runner's own environment: the child connects exactly
     * where {@link ConnectionSettings} says. Without this, an operator in local mode that happens to have PGPASSWORD set
     * would hand its own password to a child meant to connect without one.
     */
    private static final Set<String> CONNECTION_VARIABLES = Set.of(
            "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE", "PGSSLMODE",
            "PGREQUIRESSL", "PGOPTIONS", "PGAPPNAME", "PGCONNECT_TIMEOUT", "PGTARGETSESSIONATTRS",
            // The env.py templates take it over PG*: a rehearsal would run on whatever it names, production included.
            "DBMIGRATE_SQLALCHEMY_URL",
            // ... and a schema that is not the target's would migrate (and check) another tenant.
            "DBMIGRATE_SCHEMA");

    /** The children running now, for {@link #stopAll()}. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final long STOP_WAIT_SECONDS = 5;

    /** Enough for any sane tool output; beyond this we keep streaming but stop remembering. */
    static final int MAX_KEPT_LINES = 100_000;

    record Outcome(int exitCode, List<String> output) {
        /** The last lines of output, joined for a one-line message. */
        String tail(int lines) {
            List<String> nonBlank = output.stream().filter(l -> !l.isBlank()).toList();
            List<String> last = nonBlank.subList(Math.max(0, nonBlank.size() - lines), nonBlank.size());
            return String.join(" | ", last.stream().map(String::strip).toList());
        }
    }

    /** Standard output kept apart (the SQL of Alembic's offline mode), standard error as lines (its log). */
    record SeparateOutcome(int exitCode, String stdout, List<String> stderr) {
    }

    private ExternalProcess() {
    }

    /** A run of a child: IOException when it cannot start, InterruptedException when the runner is told to stop. */
    interface Child<T> {
        T run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code child}: a child that cannot be started is {@code cannotStart}'s exception; an interrupt (SIGTERM,
     * SIGINT) keeps the thread's interrupt flag and is {@link ExitCode#INTERRUPTED} while {@code doing}.
     */
    static <T> T supervise(String doing, Function<IOException, RunnerException> cannotStart, Child<T> child)
            throws RunnerException {
        try {
            return child.run();
        } catch (IOException e) {
            throw cannotStart.apply(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Interruption.exception(doing, e);
        }
    }

    /** A child's environment: the inherited one without any connection variable, then the ones given. */
    static void childEnvironment(Map<String, String> inherited, Map<String, String> given) {
        inherited.keySet().removeAll(CONNECTION_VARIABLES);
        inherited.putAll(given);
    }

    /**
     * Ends every running child, its own children first: SIGTERM, and SIGKILL after a few seconds. Alembic dies with
     * its connection, so PostgreSQL rolls its open transaction back.
     */
    static void stopAll() {
        List<Process> running = List.copyOf(RUNNING);
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : running) {
            try {
                if (!p.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // Started and remembered, unless the runner is stopping: then nothing new starts.
    static Process start(ProcessBuilder pb) throws IOException, InterruptedException {
        if (Interruption.requested()) {
            throw new InterruptedException("stopping: " + pb.command().get(0) + " not started");
        }
        Process process = pb.start();
        RUNNING.add(process);
        if (Interruption.requested()) {
            process.destroy(); // the signal came while it started; stopAll may have missed it
        }
        return process;
    }

    // A child that failed because the runner is stopping did not fail on its own: its output must not be read as that.
    // One that succeeded did what it was asked, signal or not.
    static void checkNotStopped(Process process, int exit) throws InterruptedException {
        if (exit != 0 && Interruption.requested()) {
            throw new InterruptedException("stopping: " + process.info().command().orElse("a child") + " stopped");
        }
    }

    /**
     * @param environment variables to set for the child on top of the inherited ones (minus the connection ones)
     * @param onLine      sees every line as it arrives (for streaming to the log); may be null
     */
    static Outcome run(List<String> command, Path workingDirectory, Map<String, String> environment,
                       Consumer<String> onLine) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        childEnvironment(pb.environment(), environment);
        Process process = start(pb);
        List<String> kept = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            process.getOutputStream().close(); // nothing to say to it; a prompt must not wait for us
            String line;
            while ((line = reader.readLine()) != null) {
                if (kept.size() < MAX_KEPT_LINES) {
                    kept.add(line);
                }
                if (onLine != null) {
                    onLine.accept(line);
                }
            }
            int exit = process.waitFor();
            checkNotStopped(process, exit);
            return new Outcome(exit, List.copyOf(kept));
        } finally {
            end(process);
        }
    }

    /** A started child done with: killed if it still runs (interrupted or failed while reading), and forgotten. */
    static void end(Process process) {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        RUNNING.remove(process);
    }

    /**
     * As {@link #run}, but standard output is returned whole and apart from standard error, whose lines go to
     * {@code onStderrLine} as they arrive.
     */
    static SeparateOutcome runSeparately(List<String> command, Path workingDirectory, Map<String, String> environment,
                                         Consumer<String> onStderrLine) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        childEnvironment(pb.environment(), environment);
        Process process = start(pb);
        List<String> stderr = new ArrayList<>();
        Thread errors = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (stderr) {
                        if (stderr.size() < MAX_KEPT_LINES) {
                            stderr.add(line);
                        }
                    }
                    if (onStderrLine != null) {
                        onStderrLine.accept(line);
                    }
                }
            } catch (IOException e) {
                // the process is gone; its exit code tells
            }
        }, "stderr-" + command.get(0));
        errors.setDaemon(true);
        try {
            process.getOutputStream().close();
            errors.start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            errors.join();
            checkNotStopped(process, exit);
            synchronized (stderr) {
                return new SeparateOutcome(exit, stdout, List.copyOf(stderr));
            }
        } finally {
            end(process);
        }
    }
}
