package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.MigrationLock;
import io.dbmigrate.contract.RunnerException;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The migration lock of one database: a session-level advisory lock on ({@link MigrationLock#KEY}, hashtext(database
 * name)).
 * Session-level, so it is held for as long as the runner's own connection lives, across Alembic's separate
 * connection and transactions, and PostgreSQL drops it by itself if the runner dies.
 */
public final class AdvisoryLock implements AutoCloseable {

    private static final Duration RETRY_EVERY = Duration.ofMillis(500);
    /** How often a waiting run says who holds the lock: a person watching the log must not wait minutes in silence. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    private final Connection connection;
    private final int backendPid;
    private boolean held = true;

    private AdvisoryLock(Connection connection, int backendPid) {
        this.connection = connection;
        this.backendPid = backendPid;
    }

    /** The pid of the session holding the lock: Alembic's sessions must see it in pg_locks (checked_alembic.py). */
    public int backendPid() {
        return backendPid;
    }

    /**
     * Tries every 500ms until {@code wait} has passed. Polling instead of a blocking pg_advisory_lock keeps the wait
     * bounded without a statement_timeout that would also cut off a slow server. While it waits, {@code log} is told
     * who holds the lock when the wait starts and every {@link #REPORT_EVERY} after.
     */
    public static AdvisoryLock acquire(Connection connection, Duration wait, String database, PrintStream log)
            throws RunnerException, SQLException {
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        long nextReport = start;
        while (true) {
            if (tryLock(connection)) {
                return new AdvisoryLock(connection, backendPid(connection));
            }
            long now = System.nanoTime();
            long remaining = deadline - now;
            if (remaining <= 0) {
                String holder = holder(connection);
                throw new RunnerException(ExitCode.LOCK_NOT_ACQUIRED, "another migration holds the lock of database '"
                        + database + "'" + (holder.isEmpty() ? "" : " (held by " + holder + ")") + "; waited "
                        + Durations.format(wait));
            }
            if (now - nextReport >= 0) {
                log.println(KeyValueLog.line("info", "waiting for the migration lock", "database", database,
                        "heldBy", Optional.of(holder(connection)).filter(h -> !h.isEmpty()).orElse("(not visible)"),
                        "waited", Durations.format(Duration.ofNanos(now - start).truncatedTo(ChronoUnit.SECONDS)),
                        "lockWait", Durations.format(wait)));
                nextReport = now + REPORT_EVERY.toNanos();
            }
            try {
                Thread.sleep(Math.max(1, Math.min(RETRY_EVERY.toMillis(), remaining / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Interruption.exception("waiting for the migration lock", e);
            }
        }
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(
                     "select pg_try_advisory_lock(" + MigrationLock.KEY + ", hashtext(current_database()))")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    // Who holds it ("" when not visible), so the message points somewhere. Best effort: without pg_read_all_stats the
    // columns may be hidden.
    private static String holder(Connection connection) {
        String sql = "select a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'),"
                + " a.backend_start"
                + " from pg_locks l join pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'advisory' and l.granted and l.objsubid = 2"
                + " and l.database = (select oid from pg_database where datname = current_database())"
                + " and l.classid = (" + MigrationLock.KEY + ")::oid and l.objid = hashtext(current_database())::oid"
                + " and l.pid <> pg_backend_pid() limit 1";
        try (PreparedStatement st = connection.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            if (rs.next()) {
                String app = rs.getString(2);
                java.sql.Timestamp since = rs.getTimestamp(4);
                return "backend pid " + rs.getInt(1) + (app.isEmpty() ? "" : ", application '" + app + "'")
                        + ", client " + rs.getString(3)
                        + (since == null ? "" : ", connected since " + since.toInstant().truncatedTo(ChronoUnit.SECONDS));
            }
        } catch (SQLException e) {
            // only decoration
        }
        return "";
    }

    /**
     * Unlocks. A failure here is not worth reporting: the lock is session-level, so closing (or losing) the
     * connection releases it anyway, and the migration's outcome must not be replaced by a housekeeping error.
     */
    @Override
    public void close() {
        if (!held) {
            return;
        }
        held = false;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(
                     "select pg_advisory_unlock(" + MigrationLock.KEY + ", hashtext(current_database()))")) {
            rs.next();
        } catch (SQLException e) {
            // released with the session
        }
    }
}
