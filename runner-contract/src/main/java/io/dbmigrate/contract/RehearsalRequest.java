package io.dbmigrate.contract;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A rehearsal: restore the step's backup into a scratch database, run the step's upgrade there and drop the copy.
 *
 * @param archive   the archive to restore; null to take the newest archive of {@code name} labelled {@code label} in
 *                  {@code directory} (in a Job, the backup container of the same pod just wrote it)
 * @param upgrade   the step's upgrade, with the same safety settings and verification queries as in production
 * @param roundTrip also downgrade the copy back to where it started and upgrade it again
 * @param lockSampleInterval how often pg_locks is sampled during the upgrade of the copy; null: {@link
 *                  #DEFAULT_LOCK_SAMPLE_INTERVAL}; zero: no lock profile (and no budget to check)
 * @param maxLockHold the longest hold each lock mode may have on any relation during the upgrade; a mode without
 *                  its own entry has the budget of the nearest weaker mode that has one (none: no limit)
 */
public record RehearsalRequest(Path archive, Path directory, String name, String label, UpgradeRequest upgrade,
                               boolean roundTrip, Duration lockSampleInterval, Map<LockMode, Duration> maxLockHold) {

    public static final Duration DEFAULT_LOCK_SAMPLE_INTERVAL = Duration.ofMillis(5);

    /** Sampled every {@link #DEFAULT_LOCK_SAMPLE_INTERVAL}, without a budget. */
    public RehearsalRequest(Path archive, Path directory, String name, String label, UpgradeRequest upgrade,
                            boolean roundTrip) {
        this(archive, directory, name, label, upgrade, roundTrip, null, Map.of());
    }

    public RehearsalRequest {
        maxLockHold = maxLockHold == null ? Map.of() : Map.copyOf(maxLockHold);
    }

    public Duration lockSampleIntervalOrDefault() {
        return lockSampleInterval == null ? DEFAULT_LOCK_SAMPLE_INTERVAL : lockSampleInterval;
    }

    public void validate() throws RunnerException {
        validate("directory", "name", "label");
    }

    /**
     * The name is always required: it keys the scratch database's name. Directory and label only when the archive is
     * to be found there.
     */
    public void validate(String directoryField, String nameField, String labelField) throws RunnerException {
        if (upgrade == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the upgrade to rehearse is required");
        }
        if (archive == null) {
            new BackupRequest(directory, name, label, 1).validate(directoryField, nameField, labelField, "retain", "compression");
        } else {
            new BackupRequest(archive.toAbsolutePath().getParent(), name, "x", 1)
                    .validate(directoryField, nameField, labelField, "retain", "compression");
        }
        upgrade.validate();
        if (lockSampleInterval != null && (lockSampleInterval.isNegative()
                || lockSampleInterval.compareTo(Duration.ofSeconds(1)) > 0)) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the lock sample interval must be between 0 (off) and 1s, not "
                    + Durations.format(lockSampleInterval));
        }
        for (Map.Entry<LockMode, Duration> budget : maxLockHold.entrySet()) {
            if (budget.getValue() == null || budget.getValue().isNegative() || budget.getValue().isZero()) {
                throw new RunnerException(ExitCode.BAD_INPUT, "the lock budget of " + budget.getKey()
                        + " must be a positive duration");
            }
        }
        if (!maxLockHold.isEmpty() && lockSampleInterval != null && lockSampleInterval.isZero()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "a lock budget needs the lock profile: the lock sample"
                    + " interval cannot be 0 with one");
        }
    }
}
