package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockHolderTest {

    private static LockHolder app(int pid) {
        return new LockHolder(pid, "app", "psql", "10.1.2.3", "idle in transaction", "client backend",
                Duration.ofMillis(2_149), List.of("AccessShareLock on public.tickets"));
    }

    @Test
    void describesWhoWhatAndHowLongButNoQuery() {
        assertEquals("pid 4242 (user app, application 'psql', client 10.1.2.3, idle in transaction,"
                + " transaction open 2.1s, holding AccessShareLock on public.tickets)", app(4242).describe());
    }

    @Test
    void leavesOutWhatPostgresHid() {
        // Another user's session without pg_read_all_stats: most columns are NULL.
        assertEquals("pid 7 (user other)", new LockHolder(7, "other", null, null, null, null, null, null).describe());
        assertEquals("pid 8", new LockHolder(8, null, "", "", "", "client backend", null, List.of()).describe());
    }

    @Test
    void namesBackgroundWorkersAndRoundsLongTransactions() {
        LockHolder vacuum = new LockHolder(9, "postgres", "", null, "active", "autovacuum worker",
                Duration.ofSeconds(192, 460_000_000), List.of("ShareUpdateExclusiveLock on public.customers",
                "AccessShareLock on public.customers"));
        assertEquals("pid 9 (user postgres, autovacuum worker, active, transaction open 3m12.5s, holding"
                + " ShareUpdateExclusiveLock on public.customers, AccessShareLock on public.customers)", vacuum.describe());
    }

    @Test
    void listsAFewHoldersAndCountsTheRest() {
        assertEquals("", LockHolder.blockedBy(List.of()));
        assertEquals("blocked by pid 1 (user u) and pid 2 (user u)", LockHolder.blockedBy(List.of(
                new LockHolder(1, "u", null, null, null, null, null, null),
                new LockHolder(2, "u", null, null, null, null, null, null))));
        List<LockHolder> five = List.of(1, 2, 3, 4, 5).stream()
                .map(pid -> new LockHolder(pid, null, null, null, null, null, null, null)).toList();
        assertEquals("blocked by pid 1 and pid 2 and pid 3 and 2 more", LockHolder.blockedBy(five));
        LockHolder many = new LockHolder(6, null, null, null, null, null, null,
                List.of("A on t1", "A on t2", "A on t3", "A on t4"));
        assertEquals("pid 6 (holding A on t1, A on t2, A on t3, 1 more)", many.describe());
    }

    @Test
    void watcherPeriodIsAQuarterOfLockTimeoutWithinBounds() {
        assertEquals(Duration.ofMillis(25), LockWatcher.period(Duration.ofMillis(100)));
        assertEquals(Duration.ofMillis(10), LockWatcher.period(Duration.ofMillis(20)));
        assertEquals(Duration.ofMillis(250), LockWatcher.period(Duration.ofSeconds(1)));
        assertEquals(Duration.ofMillis(250), LockWatcher.period(Duration.ofSeconds(30)));
        assertEquals(Duration.ofMillis(250), LockWatcher.period(Duration.ZERO));
    }
}
