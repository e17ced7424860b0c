package io.dbmigrate.runner;

import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of a lock profile, fed one sample of pg_locks at a time: per relation and mode, the longest run of
 * consecutive samples that saw the lock granted (from the first sample of the run to its last), the revision running
 * when that run began, and per relation the longest run of samples that saw a session waiting for it. No I/O: the
 * sampler feeds it, the tests too.
 */
final class LockHoldTracker {

    private static final LockMode[] MODES = LockMode.values();
    /** How late the runner may read Alembic's "Running upgrade" line after the revision took its first lock. */
    static final long ANNOUNCEMENT_GRACE_NANOS = 50_000_000;

    /** One relation's runs. Arrays indexed by mode ordinal, so a sample allocates nothing once a relation is known. */
    private static final class Relation {
        final long oid;
        String name;
        final int[] lastSample = filled(MODES.length, -2);
        final long[] runStart = new long[MODES.length];
        final String[] runRevision = new String[MODES.length];
        final long[] longest = filled(MODES.length, -1L);
        final String[] longestRevision = new String[MODES.length];
        int waitLastSample = -2;
        long waitStart;
        long longestWait = -1;

        Relation(long oid) {
            this.oid = oid;
        }
    }

    private final Map<Long, Relation> relations = new HashMap<>();
    private int sample = -1;
    private long sampleNanos;
    private String revision;
    private long firstNanos;
    private long lastNanos;

    /** Starts a sample taken at {@code nanos} (a monotonic clock) while {@code runningRevision} was running. */
    void beginSample(long nanos, String runningRevision) {
        begin(nanos, runningRevision);
    }

    /**
     * The same, knowing when the runner read the line that announced {@code runningRevision}: the line reaches the
     * runner after Alembic printed it and went on to the revision's first statement, so a hold that began up to {@link
     * #ANNOUNCEMENT_GRACE_NANOS} before it was read, and is still held, is that revision's, not the one before (or
     * none: "before the first revision"). A hold the previous revision took in its last moments is counted as the
     * next one's: the lesser error, since a transaction's locks are held on through the next revision anyway.
     */
    void beginSample(long nanos, String runningRevision, long announcedNanos) {
        if (runningRevision != null && !runningRevision.equals(revision)) {
            long since = announcedNanos - ANNOUNCEMENT_GRACE_NANOS;
            for (Relation r : relations.values()) {
                for (int m = 0; m < MODES.length; m++) {
                    if (r.lastSample[m] == sample && r.runStart[m] >= since) {
                        boolean longestIsThisRun = r.longest[m] == lastNanos - r.runStart[m];
                        r.runRevision[m] = runningRevision;
                        if (longestIsThisRun) {
                            r.longestRevision[m] = runningRevision;
                        }
                    }
                }
            }
        }
        begin(nanos, runningRevision);
    }

    private void begin(long nanos, String runningRevision) {
        sample++;
        sampleNanos = nanos;
        revision = runningRevision;
        if (sample == 0) {
            firstNanos = nanos;
        }
        lastNanos = nanos;
    }

    /**
     * One row of the sample: a lock of a session of Alembic's on relation {@code oid}.
     *
     * @param name schema-qualified, when the sampler could see it (null for a relation created in a transaction not
     *             yet committed); the last name seen is kept
     */
    void lock(long oid, String name, LockMode mode, boolean granted) {
        Relation r = relations.computeIfAbsent(oid, Relation::new);
        if (name != null) {
            r.name = name;
        }
        if (!granted) {
            if (r.waitLastSample == sample) {
                return;
            }
            if (r.waitLastSample != sample - 1) {
                r.waitStart = sampleNanos;
            }
            r.waitLastSample = sample;
            r.longestWait = Math.max(r.longestWait, sampleNanos - r.waitStart);
            return;
        }
        int m = mode.ordinal();
        if (r.lastSample[m] == sample) {
            return; // two of Alembic's sessions hold it: one hold
        }
        if (r.lastSample[m] != sample - 1) {
            r.runStart[m] = sampleNanos;
            r.runRevision[m] = revision;
        }
        r.lastSample[m] = sample;
        long held = sampleNanos - r.runStart[m];
        if (held > r.longest[m]) {
            r.longest[m] = held;
            r.longestRevision[m] = r.runRevision[m];
        }
    }

    int samples() {
        return sample + 1;
    }

    /** The mean time between two samples, in microseconds; 0 with fewer than two. */
    long periodMicros() {
        return sample < 1 ? 0 : (lastNanos - firstNanos) / sample / 1_000;
    }

    int relationCount() {
        return relations.size();
    }

    /** What is known about the relations after the run, to name and judge what the samples saw. */
    record After(Map<Long, String> names, Map<Long, Long> filesBefore, Map<Long, Long> filesAfter) {

        static final After NOTHING = new After(Map.of(), Map.of(), Map.of());

        String name(long oid, String seen) {
            return seen != null ? seen : names.getOrDefault(oid, "oid " + oid);
        }

        /** Null for a relation that was not there before, or is gone after: neither was rewritten. */
        Boolean rewritten(long oid) {
            Long before = filesBefore.get(oid);
            Long after = filesAfter.get(oid);
            return before == null || after == null ? null : !before.equals(after);
        }
    }

    /** Every relation and mode that was held, each with its longest hold: what a budget is checked against. */
    List<LockHold> allHolds(After after) {
        List<LockHold> all = new ArrayList<>();
        for (Relation r : relations.values()) {
            for (LockMode mode : MODES) {
                if (r.longest[mode.ordinal()] >= 0) {
                    all.add(hold(r, mode, after));
                }
            }
        }
        all.sort(LONGEST_FIRST);
        return all;
    }

    /**
     * Per relation, its strongest mode's longest hold, and each weaker mode held longer than every stronger one (a
     * CREATE INDEX CONCURRENTLY's long SHARE UPDATE EXCLUSIVE after a moment of ACCESS EXCLUSIVE); longest first (the
     * stronger first when equal), at most {@code max}. A relation only waited for is listed by its wait.
     */
    List<LockHold> topHolds(After after, int max) {
        List<LockHold> top = new ArrayList<>();
        for (Relation r : relations.values()) {
            long longestSoFar = -1;
            for (int m = MODES.length - 1; m >= 0; m--) {
                if (r.longest[m] > longestSoFar) {
                    top.add(hold(r, MODES[m], after));
                    longestSoFar = r.longest[m];
                }
            }
            if (longestSoFar < 0 && r.longestWait >= 0) {
                top.add(new LockHold(after.name(r.oid, r.name), null, 0, null, after.rewritten(r.oid),
                        millis(r.longestWait)));
            }
        }
        top.sort(LONGEST_FIRST);
        return List.copyOf(top.subList(0, Math.min(max, top.size())));
    }

    private static final Comparator<LockHold> LONGEST_FIRST = Comparator.comparingLong(LockHold::holdMillis)
            .reversed().thenComparing(h -> h.mode() == null ? -1 : h.lockMode().ordinal(), Comparator.reverseOrder())
            .thenComparing(h -> h.relation().startsWith("oid ")).thenComparing(LockHold::relation);

    private static LockHold hold(Relation r, LockMode mode, After after) {
        int m = mode.ordinal();
        return new LockHold(after.name(r.oid, r.name), mode.name(), millis(r.longest[m]), r.longestRevision[m],
                after.rewritten(r.oid), r.longestWait < 0 ? null : millis(r.longestWait));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }
}
