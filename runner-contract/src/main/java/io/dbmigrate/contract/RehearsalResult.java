package io.dbmigrate.contract;

import java.time.Instant;
import java.util.List;

/**
 * What a step did on a restored copy of the database. Revisions are written as in {@link BackupResult#revision()}.
 *
 * @param scratchDatabase   the scratch database the archive was restored into (dropped afterwards)
 * @param server            host:port of the server the copy was on
 * @param archive           the archive restored (the step's backup)
 * @param fromRevision      the revision of the restored copy: where the step starts from
 * @param toRevision        where the copy was when the rehearsal ended
 * @param appliedRevisions  the revisions the (first) upgrade applied to the copy
 * @param roundTrip         whether a downgrade back to fromRevision and a second upgrade were part of it
 * @param passed            whether every phase succeeded
 * @param failedPhase       null when it passed; else {@link #RESTORE}, {@link #UPGRADE}, {@link #DOWNGRADE} or
 *                          {@link #UPGRADE_AGAIN}
 * @param failedRevision    the revision whose upgrade or downgrade failed, when known
 * @param failureReason     the reason of the phase that failed (MigrationFailed, VerificationFailed, LockTimeout, ...)
 * @param error             what went wrong, for people; never a password
 * @param verified          names of the verification queries that held on the copy
 * @param upgradeMillis     how long the (first) upgrade of the copy took, verification included: the step's
 *                          expected duration; null when it did not get that far
 * @param lockProfile       what the (first) upgrade of the copy held, sampled from pg_locks; null when not sampled
 * @param dropped           whether the scratch database was dropped (a false here is only housekeeping: the next
 *                          rehearsal of the same resource drops it)
 */
public record RehearsalResult(String scratchDatabase, String server, String archive, String fromRevision,
                              String toRevision, List<String> appliedRevisions, boolean roundTrip, boolean passed,
                              String failedPhase, String failedRevision, String failureReason, String error,
                              List<String> verified, Long upgradeMillis, Instant startedAt, Instant finishedAt,
                              boolean dropped, LockProfile lockProfile) {

    /** failureReason of a lock held longer than the budget of its mode. */
    public static final String LOCK_HOLD_EXCEEDED = "LockHoldExceeded";
    /** failureReason when a budget is set but the locks could not be sampled: the budget cannot be checked. */
    public static final String LOCK_PROFILE_UNAVAILABLE = "LockProfileUnavailable";

    public static final String RESTORE = "restore";
    public static final String UPGRADE = "upgrade";
    public static final String DOWNGRADE = "downgrade";
    public static final String UPGRADE_AGAIN = "upgrade-again";

    /** Without a lock profile. */
    public RehearsalResult(String scratchDatabase, String server, String archive, String fromRevision,
                           String toRevision, List<String> appliedRevisions, boolean roundTrip, boolean passed,
                           String failedPhase, String failedRevision, String failureReason, String error,
                           List<String> verified, Long upgradeMillis, Instant startedAt, Instant finishedAt,
                           boolean dropped) {
        this(scratchDatabase, server, archive, fromRevision, toRevision, appliedRevisions, roundTrip, passed,
                failedPhase, failedRevision, failureReason, error, verified, upgradeMillis, startedAt, finishedAt,
                dropped, null);
    }

    /** Whether the failure is one of the lock budget's: the result's reason is then failureReason. */
    public boolean failedOnLocks() {
        return LOCK_HOLD_EXCEEDED.equals(failureReason) || LOCK_PROFILE_UNAVAILABLE.equals(failureReason);
    }

    public RehearsalResult withLockProfile(LockProfile profile) {
        return new RehearsalResult(scratchDatabase, server, archive, fromRevision, toRevision, appliedRevisions,
                roundTrip, passed, failedPhase, failedRevision, failureReason, error, verified, upgradeMillis,
                startedAt, finishedAt, dropped, profile);
    }
}
