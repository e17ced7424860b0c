package io.dbmigrate.contract;

import java.util.List;

/**
 * What a rehearsal's upgrade held, as sampled from pg_locks on a connection of its own.
 *
 * @param intervalMillis  the sampling interval asked for
 * @param periodMicros    the mean time from one sample to the next as measured: the profile's resolution (a query
 *                        takes time too)
 * @param samples         how many samples were taken
 * @param holds           per relation, its strongest mode's longest hold, longest first, at most {@link #MAX_HOLDS}
 * @param relations       how many relations were seen locked (holds may list fewer)
 * @param unavailable     why there is no profile (then holds is empty): "profile unavailable: ..."; null when there is
 */
public record LockProfile(long intervalMillis, long periodMicros, int samples, List<LockHold> holds, int relations,
                          String unavailable) {

    public static final int MAX_HOLDS = 10;

    public static LockProfile unavailable(long intervalMillis, String why) {
        return new LockProfile(intervalMillis, 0, 0, List.of(), 0, "profile unavailable: " + why);
    }

    public LockProfile withHolds(List<LockHold> kept) {
        return new LockProfile(intervalMillis, periodMicros, samples, kept, relations, unavailable);
    }
}
