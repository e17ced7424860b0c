package io.dbmigrate.runner;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * While Alembic runs, looks on the runner's own connection for Alembic's sessions waiting for a lock, and remembers
 * who blocks them (pg_blocking_pids), so that a lock_timeout can be reported with the session to look at. Best
 * effort: without pg_read_all_stats PostgreSQL hides most columns of other users' sessions, and a holder that comes
 * and goes between two looks is not seen.
 *
 * <p>The connection is the caller's: the caller must not use it until {@link #close()} returned.
 */
final class LockWatcher implements AutoCloseable {

    static final Duration MAX_PERIOD = Duration.ofMillis(250);
    static final Duration MIN_PERIOD = Duration.ofMillis(10);

    // Relation locks of the blocker on the relation the waiter waits for (all of its relation locks in this database
    // when the waiter waits for something else, e.g. a row's transaction). Never the query text.
    private static final String BLOCKERS = """
            select b.pid, b.usename, b.application_name, host(b.client_addr), b.state, b.backend_type,
                   (extract(epoch from now() - b.xact_start) * 1000)::bigint,
                   array(select distinct l.mode || ' on ' || l.relation::regclass::text
                         from pg_locks l
                         where l.pid = b.pid and l.granted and l.locktype = 'relation' and l.database = w.datid
                           and (wl.relation is null or l.relation = wl.relation)
                         order by 1 limit 20)
            from pg_stat_activity w
            left join lateral (select relation from pg_locks
                               where pid = w.pid and not granted and locktype = 'relation' limit 1) wl on true
            cross join lateral unnest(pg_blocking_pids(w.pid)) as bp(pid)
            join pg_stat_activity b on b.pid = bp.pid
            where w.datname = current_database() and w.application_name = ? and w.wait_event_type = 'Lock'
              and w.pid <> pg_backend_pid()
            order by b.pid
            """;

    private final Connection connection;
    private final String applicationName;
    private final Duration period;
    private final Consumer<LockHolder> onNewHolder;
    private final Map<Integer, LockHolder> seen = new LinkedHashMap<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private LockWatcher(Connection connection, String applicationName, Duration period,
                        Consumer<LockHolder> onNewHolder) {
        this.connection = connection;
        this.applicationName = applicationName;
        this.period = period;
        this.onNewHolder = onNewHolder;
        this.thread = new Thread(this::watch, "dbmigrate-lock-watcher");
        this.thread.setDaemon(true);
    }

    /**
     * @param applicationName the application_name of the sessions to watch (Alembic's)
     * @param onNewHolder     called (on the watcher's thread) the first time a holder is seen
     */
    static LockWatcher start(Connection connection, String applicationName, Duration lockTimeout,
                             Consumer<LockHolder> onNewHolder) {
        LockWatcher watcher = new LockWatcher(connection, applicationName, period(lockTimeout), onNewHolder);
        watcher.thread.start();
        return watcher;
    }

    /** A quarter of lock_timeout, so a wait that short is seen several times; between 10 ms and 250 ms. */
    static Duration period(Duration lockTimeout) {
        if (lockTimeout.isZero()) {
            return MAX_PERIOD;
        }
        Duration quarter = lockTimeout.dividedBy(4);
        if (quarter.compareTo(MIN_PERIOD) < 0) {
            return MIN_PERIOD;
        }
        return quarter.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD : quarter;
    }

    private void watch() {
        try (PreparedStatement st = connection.prepareStatement(BLOCKERS)) {
            st.setString(1, applicationName);
            do {
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        record(holder(rs));
                    }
                }
            } while (!stop.await(period.toMillis(), TimeUnit.MILLISECONDS));
        } catch (SQLException | RuntimeException e) {
            // Only decoration for a message: the migration's outcome does not depend on it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static LockHolder holder(ResultSet rs) throws SQLException {
        long ageMs = rs.getLong(7);
        Duration age = rs.wasNull() ? null : Duration.ofMillis(ageMs);
        Array locks = rs.getArray(8);
        List<String> lockList = locks == null ? List.of() : Arrays.asList((String[]) locks.getArray());
        return new LockHolder(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), age, new ArrayList<>(lockList));
    }

    private void record(LockHolder holder) {
        LockHolder previous;
        synchronized (seen) {
            previous = seen.put(holder.pid(), holder);
        }
        if (previous == null && onNewHolder != null) {
            onNewHolder.accept(holder);
        }
    }

    /** Everyone seen blocking so far, the latest look at each, in the order first seen. */
    List<LockHolder> holders() {
        synchronized (seen) {
            return List.copyOf(seen.values());
        }
    }

    /** Stops watching and waits for the last look to finish, so the connection is the caller's again. */
    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
