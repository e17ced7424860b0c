package io.dbmigrate.contract;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to migrate to, how patient to be, what must hold afterwards, and what to do when it does not.
 *
 * @param migrationsDir  the directory holding {@code alembic.ini} (Alembic runs with it as working directory)
 * @param target         an Alembic revision spec, see {@link RevisionSpec}
 * @param safety         lock_timeout, its retries, statement_timeout and the wait for the migration lock
 * @param verify         queries that must return true after the migration, in order
 * @param onFailure      what to do after a failed migration or verification
 * @param allowDowngrade whether a target below the current revision may be downgraded to
 * @param expectFrom     null, or the revision(s) the database must be at for anything to run, as
 *                       {@link Revisions#describe} writes them (a gated step's approved plan started there); at any
 *                       other revision the run is refused with {@link ExitCode#PLAN_OUTDATED}
 * @param windowClosesAt null, or when the step's maintenance window closes: with less than expectedDuration left
 *                       (or none) before Alembic would start, nothing runs ({@link ExitCode#OUTSIDE_WINDOW})
 * @param expectedDuration null when unknown (zero is then assumed), or how long the step is expected to take: its
 *                       rehearsal's upgrade, or an earlier run's
 * @param expectBackup   null, or the revision(s) the backup taken just before was taken at, as {@link BackupResult}
 *                       writes them: read under the migration lock, the database must still be there, or nothing
 *                       runs ({@link ExitCode#BACKUP_OUTDATED}), so the backup is the state the upgrade starts from
 */
public record UpgradeRequest(Path migrationsDir, String target, LockSafety safety, List<VerifyQuery> verify,
                             OnFailure onFailure, boolean allowDowngrade, String expectFrom, Instant windowClosesAt,
                             Duration expectedDuration, String expectBackup) {

    public static final Duration DEFAULT_LOCK_TIMEOUT = LockSafety.DEFAULT_LOCK_TIMEOUT;
    public static final Duration DEFAULT_LOCK_WAIT = LockSafety.DEFAULT_LOCK_WAIT;

    public UpgradeRequest {
        verify = verify == null ? List.of() : List.copyOf(verify);
        onFailure = onFailure == null ? OnFailure.HALT : onFailure;
    }

    /** Without a maintenance window. */
    public UpgradeRequest(Path migrationsDir, String target, LockSafety safety, List<VerifyQuery> verify,
                          OnFailure onFailure, boolean allowDowngrade, String expectFrom) {
        this(migrationsDir, target, safety, verify, onFailure, allowDowngrade, expectFrom, null, null, null);
    }

    public Duration lockTimeout() {
        return safety.lockTimeout();
    }

    public Duration lockWait() {
        return safety.lockWait();
    }

    /** The same, run only when the database is at exactly these revision(s). */
    public UpgradeRequest expectingFrom(String revisions) {
        return new UpgradeRequest(migrationsDir, target, safety, verify, onFailure, allowDowngrade, revisions,
                windowClosesAt, expectedDuration, expectBackup);
    }

    /** The same, doing {@code then} after a failure. */
    public UpgradeRequest withOnFailure(OnFailure then) {
        return new UpgradeRequest(migrationsDir, target, safety, verify, then, allowDowngrade, expectFrom,
                windowClosesAt, expectedDuration, expectBackup);
    }

    /** The same, run only when at least {@code expected} (null: unknown) is left before {@code closesAt}. */
    public UpgradeRequest withinWindow(Instant closesAt, Duration expected) {
        return new UpgradeRequest(migrationsDir, target, safety, verify, onFailure, allowDowngrade, expectFrom,
                closesAt, expected, expectBackup);
    }

    /** The same, run only when the database is still at the revision(s) its backup was taken at. */
    public UpgradeRequest expectingBackup(String revisions) {
        return new UpgradeRequest(migrationsDir, target, safety, verify, onFailure, allowDowngrade, expectFrom,
                windowClosesAt, expectedDuration, revisions);
    }

    /** The revisions of {@link #expectFrom}, sorted; empty for base. Only when it is not null. */
    public List<String> expectedRevisions() throws RunnerException {
        return Revisions.parse("expect-from", expectFrom);
    }

    public void validate() throws RunnerException {
        RevisionSpec.validate("target", target);
        if (expectFrom != null) {
            expectedRevisions();
        }
        if (expectBackup != null) {
            Revisions.parse("the backup's revision", expectBackup);
        }
        if (migrationsDir == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the migrations directory is required");
        }
        if (safety == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock safety settings are required");
        }
        if (safety.lockTimeout() == null || safety.lockTimeout().isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock timeout must be zero or positive");
        }
        if (safety.lockWait() == null || safety.lockWait().isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock wait must be zero or positive");
        }
        if (safety.statementTimeout() == null || safety.statementTimeout().isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "statement timeout must be zero or positive");
        }
        if (safety.lockRetries() < 0 || safety.lockRetries() > 100) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock retries must be between 0 and 100");
        }
        Set<String> names = new HashSet<>();
        for (VerifyQuery query : verify) {
            if (query.name() != null && !names.add(query.name())) {
                throw new RunnerException(ExitCode.BAD_INPUT, "verification " + query.name()
                        + " is given twice: names must be unique, they are what status reports");
            }
            if (!VerifyQuery.validName(query.name())) {
                throw new RunnerException(ExitCode.BAD_INPUT, "verification name '" + query.name()
                        + "' must be lowercase letters, digits and dashes (at most 63)");
            }
            if (query.sql() == null || query.sql().isBlank()) {
                throw new RunnerException(ExitCode.BAD_INPUT, "verification " + query.name() + " has no SQL");
            }
            String problem = VerifyQuery.statementProblem(query.sql());
            if (problem != null) {
                throw new RunnerException(ExitCode.BAD_INPUT, "verification " + query.name() + ": " + problem);
            }
        }
    }
}
