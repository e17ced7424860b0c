package io.dbmigrate.runner;

import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples, on a connection of its own to the copy, the relation locks Alembic's sessions hold and wait for, every
 * interval, while a rehearsal upgrades the copy; {@link LockHoldTracker} turns the samples into holds. Reads pg_class
 * before and after to tell which tables were rewritten. It never fails the rehearsal: what goes wrong makes the profile
 * "unavailable" with the reason, and the rehearsal decides what that means.
 */
final class LockSampler implements AutoCloseable {

    // One query a sample: Alembic's relation locks in this database, named when the sampler can see the relation.
    // System catalogs are left out: every session reads them, and DDL's catalog locks are not what blocks the app.
    private static final String LOCKS = """
            select l.relation, l.mode, l.granted, n.nspname, c.relname
            from pg_locks l
            join pg_stat_activity a on a.pid = l.pid
            left join pg_class c on c.oid = l.relation
            left join pg_namespace n on n.oid = c.relnamespace
            where l.locktype = 'relation' and a.application_name = ? and a.datname = current_database()
              and l.database = (select oid from pg_database where datname = current_database())
              and (n.nspname is null or (n.nspname not in ('pg_catalog', 'information_schema')
                                         and n.nspname not like 'pg\\_toast%'))
            """;
    private static final String FILES = """
            select c.oid, c.relfilenode, n.nspname, c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
            """;

    private final ConnectionSettings copy;
    private final long intervalNanos;
    private final PrintStream log;
    private final LockHoldTracker tracker = new LockHoldTracker();
    private final Map<Long, Long> filesBefore = new HashMap<>();
    private volatile Announcement announced;
    private volatile boolean stopping;
    private volatile String failure;
    private Connection connection;
    private Thread thread;

    private LockSampler(ConnectionSettings copy, Duration interval, PrintStream log) {
        this.copy = copy;
        this.intervalNanos = interval.toNanos();
        this.log = log;
    }

    /** Connects, reads the relations' files and starts sampling; a failure to do so is kept for {@link #profile}. */
    static LockSampler start(ConnectionSettings copy, Duration interval, PrintStream log) {
        LockSampler sampler = new LockSampler(copy, interval, log);
        try {
            sampler.connection = copy.open();
            sampler.connection.setAutoCommit(true); // a fresh snapshot of the catalogs each sample
            sampler.readFiles(sampler.filesBefore, null);
            sampler.thread = new Thread(sampler::sample, "dbmigrate-lock-sampler");
            sampler.thread.setDaemon(true);
            sampler.thread.start();
        } catch (RunnerException | SQLException e) {
            sampler.failure = "cannot start sampling pg_locks: " + copy.redact(e.getMessage());
            sampler.closeConnection();
        }
        return sampler;
    }

    /** Alembic's "Running upgrade A -> B" line, read now: samples from now on are B's, and holds begun just before. */
    void running(String startedRevision) {
        announced = new Announcement(startedRevision, System.nanoTime());
    }

    private record Announcement(String revision, long nanos) {
    }

    private void sample() {
        try (PreparedStatement st = connection.prepareStatement(LOCKS)) {
            st.setString(1, Alembic.APPLICATION_NAME);
            long next = System.nanoTime();
            while (!stopping) {
                long at = System.nanoTime();
                try (ResultSet rs = st.executeQuery()) {
                    Announcement a = announced;
                    if (a == null) {
                        tracker.beginSample(at, null);
                    } else {
                        tracker.beginSample(at, a.revision(), a.nanos());
                    }
                    while (rs.next()) {
                        Optional<LockMode> mode = LockMode.ofPostgres(rs.getString(2));
                        if (mode.isEmpty()) {
                            continue;
                        }
                        String relname = rs.getString(5);
                        tracker.lock(rs.getLong(1), relname == null ? null : rs.getString(4) + "." + relname,
                                mode.get(), rs.getBoolean(3));
                    }
                }
                next += intervalNanos;
                long now = System.nanoTime();
                if (next < now) {
                    next = now; // a slow sample: the next one now, not a burst to catch up
                } else {
                    LockSupport.parkNanos(next - now);
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure = "sampling pg_locks failed after " + tracker.samples() + " samples: "
                    + copy.redact(Truncation.truncate(String.valueOf(e.getMessage()), 300));
        }
    }

    /** Stops sampling; what was sampled stays for {@link #profile}. */
    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The profile, after {@link #close}: the top holds for the result, and all of them for a budget. Reads pg_class
     * once more to name relations and tell rewrites, then disconnects.
     */
    Profile profile() {
        close();
        long intervalMillis = intervalNanos / 1_000_000;
        if (failure != null) {
            closeConnection();
            log.println(KeyValueLog.line("warn", "rehearsal: lock profile unavailable", "why", failure));
            return new Profile(LockProfile.unavailable(intervalMillis, failure), List.of());
        }
        Map<Long, Long> filesAfter = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try {
            readFiles(filesAfter, names);
        } catch (SQLException e) {
            String why = "cannot read pg_class after the upgrade: " + copy.redact(e.getMessage());
            log.println(KeyValueLog.line("warn", "rehearsal: lock profile unavailable", "why", why));
            return new Profile(LockProfile.unavailable(intervalMillis, why), List.of());
        } finally {
            closeConnection();
        }
        LockHoldTracker.After after = new LockHoldTracker.After(names, filesBefore, filesAfter);
        List<LockHold> top = tracker.topHolds(after, LockProfile.MAX_HOLDS);
        LockProfile profile = new LockProfile(intervalMillis, tracker.periodMicros(), tracker.samples(), top,
                tracker.relationCount(), null);
        log.println(KeyValueLog.line("info", "rehearsal: lock profile", "samples", profile.samples(),
                "periodMicros", profile.periodMicros(), "relations", profile.relations()));
        for (LockHold h : top) {
            log.println(KeyValueLog.line("info", "rehearsal: lock hold", "relation", h.relation(), "mode", h.mode(),
                    "holdMillis", h.holdMillis(), "revision", h.revision(), "rewritten", h.rewritten(),
                    "waitMillis", h.waitMillis()));
        }
        return new Profile(profile, tracker.allHolds(after));
    }

    /** The result's profile, and every (relation, mode) hold for the budget. */
    record Profile(LockProfile profile, List<LockHold> allHolds) {
    }

    private void readFiles(Map<Long, Long> files, Map<Long, String> names) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(FILES)) {
            while (rs.next()) {
                files.put(rs.getLong(1), rs.getLong(2));
                if (names != null) {
                    names.put(rs.getLong(1), rs.getString(3) + "." + rs.getString(4));
                }
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the copy is dropped next
            }
            connection = null;
        }
    }
}
