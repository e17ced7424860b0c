package io.dbmigrate.runner;

import static io.dbmigrate.contract.LockMode.AccessExclusive;
import static io.dbmigrate.contract.LockMode.AccessShare;
import static io.dbmigrate.contract.LockMode.RowExclusive;
import static io.dbmigrate.contract.LockMode.ShareUpdateExclusive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dbmigrate.contract.LockHold;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockHoldTrackerTest {

    private static final long MS = 1_000_000;
    private static final long T = 17; // oid of table t
    private static final long V = 18; // oid of table v

    private final LockHoldTracker tracker = new LockHoldTracker();

    @Test
    void aHoldRunsFromTheFirstToTheLastConsecutiveSampleAndTheLongestRunCounts() {
        // t: AccessExclusive at 0, 5, 10 (10 ms), gone at 15, again at 20, 25 (5 ms).
        long[] times = {0, 5, 10, 15, 20, 25};
        for (long at : times) {
            tracker.beginSample(at * MS, at < 20 ? "0002_a" : "0003_b");
            if (at != 15) {
                tracker.lock(T, "public.t", AccessExclusive, true);
            }
        }

        List<LockHold> top = tracker.topHolds(LockHoldTracker.After.NOTHING, 10);

        assertEquals(List.of(new LockHold("public.t", "AccessExclusive", 10, "0002_a", null, null)), top);
        assertEquals(6, tracker.samples());
        assertEquals(5_000, tracker.periodMicros());
    }

    @Test
    void aHoldSeenJustBeforeItsRevisionsLineWasReadIsThatRevisionsAndAnOlderOneStaysWithItsOwn() {
        // 0002_a's line was read at 0. v is locked from 10 ms on (by 0002_a); t from 100 ms on, by 0003_b, whose line
        // the runner read only at 120 ms (a cold JVM, a busy machine): t's hold began 20 ms before, within the grace.
        for (long at = 0; at <= 300; at += 5) {
            String revision = at < 125 ? "0002_a" : "0003_b";
            tracker.beginSample(at * MS, revision, at < 125 ? 0 : 120 * MS);
            if (at >= 10) {
                tracker.lock(V, "public.v", ShareUpdateExclusive, true);
            }
            if (at >= 100) {
                tracker.lock(T, "public.t", AccessExclusive, true);
            }
        }

        assertEquals(List.of(new LockHold("public.v", "ShareUpdateExclusive", 290, "0002_a", null, null),
                        new LockHold("public.t", "AccessExclusive", 200, "0003_b", null, null)),
                tracker.topHolds(LockHoldTracker.After.NOTHING, 10));
    }

    @Test
    void aHoldSeenBeforeTheFirstRevisionsLineWasReadIsTheFirstRevisions() {
        for (long at = 0; at <= 50; at += 5) {
            tracker.beginSample(at * MS, at < 15 ? null : "0002_a", 12 * MS);
            tracker.lock(T, "public.t", AccessExclusive, true);
        }

        assertEquals(List.of(new LockHold("public.t", "AccessExclusive", 50, "0002_a", null, null)),
                tracker.topHolds(LockHoldTracker.After.NOTHING, 10));
    }

    @Test
    void perRelationTheStrongestModeIsListedThenWeakerOnesHeldLongerAndEveryModeIsKeptForTheBudget() {
        for (int i = 0; i <= 4; i++) {
            tracker.beginSample(i * 100 * MS, "0002_a");
            tracker.lock(T, "public.t", RowExclusive, true); // 400 ms
            if (i == 2) {
                tracker.lock(T, "public.t", AccessExclusive, true); // seen once: 0 ms
            }
            tracker.lock(T, "public.t", RowExclusive, true); // a second session: the same hold
        }

        tracker.beginSample(500 * MS, "0002_a");
        tracker.lock(T, "public.t", AccessShare, true); // weaker and shorter than RowExclusive: not listed

        assertEquals(List.of(new LockHold("public.t", "RowExclusive", 400, "0002_a", null, null),
                        new LockHold("public.t", "AccessExclusive", 0, "0002_a", null, null)),
                tracker.topHolds(LockHoldTracker.After.NOTHING, 10));
        assertEquals(List.of(new LockHold("public.t", "RowExclusive", 400, "0002_a", null, null),
                        new LockHold("public.t", "AccessExclusive", 0, "0002_a", null, null),
                        new LockHold("public.t", "AccessShare", 0, "0002_a", null, null)),
                tracker.allHolds(LockHoldTracker.After.NOTHING));
    }

    @Test
    void namesComeFromTheSamplesElseFromAfterElseTheOidAndRewritesFromTheFiles() {
        long created = 99;
        long dropped = 100;
        for (int i = 0; i < 3; i++) {
            tracker.beginSample(i * 10 * MS, "0002_a");
            tracker.lock(T, "public.t", AccessExclusive, true);
            tracker.lock(V, null, ShareUpdateExclusive, true);
            tracker.lock(created, null, AccessExclusive, true);
            tracker.lock(dropped, null, AccessShare, true);
        }
        LockHoldTracker.After after = new LockHoldTracker.After(
                Map.of(T, "public.t", V, "app.v", created, "public.fresh"),
                Map.of(T, 1000L, V, 2000L),
                Map.of(T, 1001L, V, 2000L, created, 3000L));

        List<LockHold> top = tracker.topHolds(after, 10);

        assertEquals(List.of(new LockHold("public.fresh", "AccessExclusive", 20, "0002_a", null, null),
                new LockHold("public.t", "AccessExclusive", 20, "0002_a", true, null),
                new LockHold("app.v", "ShareUpdateExclusive", 20, "0002_a", false, null),
                new LockHold("oid 100", "AccessShare", 20, "0002_a", null, null)), top);
        assertEquals(4, tracker.relationCount());
        assertEquals(2, tracker.topHolds(after, 2).size());
    }

    @Test
    void waitsAreTheirOwnRunsAndARelationOnlyWaitedForIsListedByItsWait() {
        for (int i = 0; i < 4; i++) {
            tracker.beginSample(i * 10 * MS, null);
            tracker.lock(T, "public.t", AccessExclusive, i == 3);
            tracker.lock(V, "public.v", RowExclusive, false);
        }

        List<LockHold> top = tracker.topHolds(LockHoldTracker.After.NOTHING, 10);

        assertEquals(new LockHold("public.t", "AccessExclusive", 0, null, null, 20L), top.get(0));
        LockHold v = top.get(1);
        assertEquals("public.v", v.relation());
        assertNull(v.mode());
        assertEquals(30L, v.waitMillis());
    }
}
