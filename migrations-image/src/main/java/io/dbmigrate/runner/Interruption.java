package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGINT and SIGTERM (Ctrl-C, a deleted pod, a drained node): the JVM's shutdown hook stops the child processes
 * (Alembic's connection closes, so its open transaction rolls back), interrupts the main thread, waits for it to
 * report {@link ExitCode#INTERRUPTED} and release the migration lock, then ends the process with exit 130.
 */
public final class Interruption implements AutoCloseable {

    /** Kubernetes kills the pod 30s after SIGTERM by default; the report must be written well before that. */
    static final Duration GRACE = Duration.ofSeconds(20);

    private static volatile boolean requested;

    private final CountDownLatch finished = new CountDownLatch(1);
    private Thread hook;

    private Interruption() {
    }

    /** Whether a signal asked the process to stop: a failure from now on is the interruption's doing. */
    public static boolean requested() {
        return requested;
    }

    /**
     * Installs the shutdown hook for {@code main}, the thread running the command, which closes this once it has
     * reported: that removes the hook again, or, when a signal came, lets it end the process with exit 130.
     */
    public static Interruption install(Thread main) {
        Interruption interruption = new Interruption();
        interruption.hook = new Thread(() -> interruption.stop(main), "dbmigrate-interrupt");
        Runtime.getRuntime().addShutdownHook(interruption.hook);
        return interruption;
    }

    /** The command has reported (and released what it held). */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook ends the process
        }
    }

    private void stop(Thread main) {
        if (finished.getCount() == 0) {
            return; // an ordinary exit: nothing to stop
        }
        requested = true;
        ExternalProcess.stopAll();
        main.interrupt();
        try {
            // A main thread stuck in a statement cannot be waited for forever: the lock goes with the session anyway.
            finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(ExitCode.INTERRUPTED.code());
    }

    /** The failure to report for a command that a signal stopped while {@code what}. */
    static RunnerException exception(String what, Throwable cause) {
        return new RunnerException(ExitCode.INTERRUPTED, "interrupted (SIGINT or SIGTERM) while " + what, cause);
    }
}
