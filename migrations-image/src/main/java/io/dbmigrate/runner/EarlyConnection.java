package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A JDBC connection opened on a thread of its own while the caller checks its input, so that the two waits overlap.
 * A runner's first connection costs a cold JVM about 0.1 to 0.2 s (the driver's classes, SCRAM's key derivation run
 * interpreted); a backup's is opened before picocli parses the command line ({@link #beforeParsing}), which costs about
 * 0.1 s too, and it asks {@code pg_dump --version} meanwhile. Opening a connection changes nothing in the
 * database, so input checks still come first in what is reported: the connection is only looked at once they passed.
 * Whatever the outcome, {@link #close} leaves no connection open that was not {@linkplain #take(String) taken}.
 */
final class EarlyConnection implements AutoCloseable {

    private final ConnectionSettings settings;
    private final FutureTask<Connection> opening;
    private boolean taken;

    private EarlyConnection(ConnectionSettings settings) {
        this.settings = settings;
        opening = new FutureTask<>(settings::open);
        Thread thread = new Thread(opening, "connect");
        thread.setDaemon(true);
        thread.start();
    }

    static EarlyConnection open(ConnectionSettings settings) {
        return new EarlyConnection(settings);
    }

    /**
     * For {@code dbmigrate-runner backup}, whose first step is its connection: the one the PG* variables in {@code env}
     * make, opened before the command line is even parsed. Null for any other command, and when the variables make no
     * connection: the command then reports that, as it always did.
     */
    static EarlyConnection beforeParsing(String[] args, Map<String, String> env) {
        if (args.length == 0 || !"backup".equals(args[0])) {
            return null;
        }
        try {
            return open(ConnectionSettings.fromEnvironment(env));
        } catch (RunnerException e) {
            return null;
        }
    }

    boolean isFor(ConnectionSettings other) {
        return settings.equals(other);
    }

    boolean taken() {
        return taken;
    }

    /** The connection, now the caller's to close; or the failure {@link ConnectionSettings#open()} classified. */
    Connection take(String doing) throws RunnerException {
        try {
            Connection c = opening.get();
            taken = true;
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Interruption.exception(doing, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RunnerException r) {
                throw r;
            }
            throw new IllegalStateException("opening a connection failed unexpectedly", e.getCause());
        }
    }

    /**
     * Closes a connection nobody took: a caller that fails before taking it must not leave it to the server. One still
     * being opened is closed by a thread of its own once it is open (at most the connect timeout from now).
     */
    @Override
    public void close() {
        if (taken) {
            return;
        }
        if (opening.isDone()) {
            closeWhenOpen();
            return;
        }
        Thread closer = new Thread(this::closeWhenOpen, "connect-close");
        closer.setDaemon(true);
        closer.start();
    }

    private void closeWhenOpen() {
        try {
            opening.get().close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | SQLException | RuntimeException e) {
            // nothing opened, or nothing more to close
        }
    }
}
