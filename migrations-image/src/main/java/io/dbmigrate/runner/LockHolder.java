package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A session that held a lock the migration waited for, as pg_stat_activity and pg_locks show it. Deliberately without
 * the session's query text: its literals may be anybody's data or secrets.
 *
 * @param user             pg_stat_activity.usename; null when not visible
 * @param application      application_name; null or empty when not set
 * @param clientAddress    client_addr; null for a local (unix socket) connection or when not visible
 * @param state            e.g. "idle in transaction", "active"; null when not visible (no pg_read_all_stats)
 * @param backendType      e.g. "client backend", "autovacuum worker"
 * @param transactionAge   now() - xact_start; null when not in a transaction or not visible
 * @param locks            what it holds on the table the migration waited for, e.g. "AccessShareLock on public.tickets"
 */
public record LockHolder(int pid, String user, String application, String clientAddress, String state,
                         String backendType, Duration transactionAge, List<String> locks) {

    /** More than this many holders or locks are counted, not listed: a message must stay readable. */
    static final int MAX_LISTED = 3;

    public LockHolder {
        locks = locks == null ? List.of() : List.copyOf(locks);
    }

    /**
     * {@code pid 4242 (user app, application 'psql', idle in transaction, transaction open 2.1s, holding
     * AccessShareLock on public.tickets)}.
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (user != null && !user.isEmpty()) {
            parts.add("user " + user);
        }
        if (application != null && !application.isEmpty()) {
            parts.add("application '" + application + "'");
        }
        if (clientAddress != null && !clientAddress.isEmpty()) {
            parts.add("client " + clientAddress);
        }
        if (backendType != null && !backendType.isEmpty() && !backendType.equals("client backend")) {
            parts.add(backendType);
        }
        if (state != null && !state.isEmpty()) {
            parts.add(state);
        }
        if (transactionAge != null && !transactionAge.isNegative()) {
            parts.add("transaction open " + roughly(transactionAge));
        }
        if (!locks.isEmpty()) {
            parts.add("holding " + listed(locks, ", "));
        }
        return "pid " + pid + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }

    /** "blocked by pid 1 (...)", "blocked by pid 1 (...) and pid 2 (...)"; empty when nobody was seen. */
    public static String blockedBy(List<LockHolder> holders) {
        if (holders.isEmpty()) {
            return "";
        }
        return "blocked by " + listed(holders.stream().map(LockHolder::describe).toList(), " and ");
    }

    private static String listed(List<String> items, String separator) {
        if (items.size() <= MAX_LISTED) {
            return String.join(separator, items);
        }
        return String.join(separator, items.subList(0, MAX_LISTED)) + separator + (items.size() - MAX_LISTED)
                + " more";
    }

    // Tenths of a second: 2.1s, 3m12.5s.
    private static String roughly(Duration d) {
        long tenths = Math.round(d.toMillis() / 100.0);
        return Durations.format(Duration.ofMillis(tenths * 100));
    }
}
