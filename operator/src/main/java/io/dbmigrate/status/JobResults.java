package io.dbmigrate.status;

import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.StampResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;

/**
 * What the runner of a Job reported, read in one walk of its attempts, oldest first: the latest of each kind wins.
 *
 * @param backup      the latest backup whose container succeeded
 * @param migration   the latest main-container result that reports an upgrade (or downgrade)
 * @param stamp       the latest stamp
 * @param lastRead    the revision the Job last read from the database: its latest backup's, or the revision an
 *                    upgrade after it left (its automatic downgrade's, when one ran)
 * @param lastUpgrade the revision the Job's latest upgrade that read one left: {@code lastRead} without its backups
 */
record JobResults(BackupResult backup, RunnerResult migration, StampResult stamp, String lastRead,
                                    String lastUpgrade) {

    static JobResults of(JobObservation job) {
        BackupResult backup = null;
        RunnerResult migration = null;
        StampResult stamp = null;
        String lastRead = null;
        String lastUpgrade = null;
        for (Attempt attempt : job.attempts()) {
            RunnerResult backedUp = result(attempt.backup());
            if (backedUp != null && backedUp.backup() != null && attempt.backup().succeeded()) {
                backup = backedUp.backup();
                lastRead = backup.revision();
            }
            RunnerResult main = result(attempt.main());
            if (main != null && main.upgrade() != null) {
                migration = main;
                String left = revisionAfter(main.upgrade());
                if (left != null) {
                    lastRead = left;
                    lastUpgrade = left;
                }
            }
            if (main != null && main.stamp() != null) {
                stamp = main.stamp();
            }
        }
        return new JobResults(backup, migration, stamp, lastRead, lastUpgrade);
    }

    private static RunnerResult result(ContainerOutcome container) {
        return container == null ? null : container.result();
    }

    private static String revisionAfter(UpgradeResult upgrade) {
        return upgrade.rolledBackTo() != null ? upgrade.rolledBackTo() : upgrade.toRevision();
    }
}
