package io.dbmigrate.contract;

import java.util.List;

/**
 * What a runner command reports: written as JSON to the container's termination message, which the operator reads
 * from the pod status, and printed for humans.
 *
 * @param command   "backup", "upgrade" or "current"; null when the command line named none
 * @param exitCode  the process exit status, see {@link ExitCode}
 * @param reason    {@link ExitCode#reason()}
 * @param message   one human-readable sentence; never a password
 * @param backup    for backup, when it succeeded
 * @param upgrade   for upgrade; also after a failure when the upgrade got that far
 * @param revisions for current: the database's revisions (empty at base)
 * @param plan      for plan: what an upgrade would do
 * @param rehearsal for rehearse: what the step did on a restored copy; also after a failure
 * @param stamp     for stamp: what alembic_version held before and after
 */
public record RunnerResult(String command, int exitCode, String reason, String message, BackupResult backup,
                           UpgradeResult upgrade, List<String> revisions, PlanResult plan,
                           RehearsalResult rehearsal, StampResult stamp) {

    public static RunnerResult of(String command, ExitCode exitCode, String message) {
        return new RunnerResult(command, exitCode.code(), exitCode.reason(), message, null, null, null, null, null,
                null);
    }

    /** Without a rehearsal or stamp result. */
    public RunnerResult(String command, int exitCode, String reason, String message, BackupResult backup,
                        UpgradeResult upgrade, List<String> revisions, PlanResult plan) {
        this(command, exitCode, reason, message, backup, upgrade, revisions, plan, null, null);
    }

    public RunnerResult withRehearsal(RehearsalResult newRehearsal) {
        return new RunnerResult(command, exitCode, reason, message, backup, upgrade, revisions, plan, newRehearsal,
                stamp);
    }

    public RunnerResult withStamp(StampResult newStamp) {
        return new RunnerResult(command, exitCode, reason, message, backup, upgrade, revisions, plan, rehearsal,
                newStamp);
    }

    /** The same result as a failure of {@code code}: its exit code and reason, the same message and findings. */
    public RunnerResult as(ExitCode code) {
        return new RunnerResult(command, code.code(), code.reason(), message, backup, upgrade, revisions, plan,
                rehearsal, stamp);
    }

    public RunnerResult withMessage(String newMessage) {
        return new RunnerResult(command, exitCode, reason, newMessage, backup, upgrade, revisions, plan, rehearsal, stamp);
    }

    public RunnerResult withBackup(BackupResult newBackup) {
        return new RunnerResult(command, exitCode, reason, message, newBackup, upgrade, revisions, plan, rehearsal, stamp);
    }

    public RunnerResult withUpgrade(UpgradeResult newUpgrade) {
        return new RunnerResult(command, exitCode, reason, message, backup, newUpgrade, revisions, plan, rehearsal, stamp);
    }

    public RunnerResult withRevisions(List<String> newRevisions) {
        return new RunnerResult(command, exitCode, reason, message, backup, upgrade, newRevisions, plan, rehearsal, stamp);
    }

    public RunnerResult withPlan(PlanResult newPlan) {
        return new RunnerResult(command, exitCode, reason, message, backup, upgrade, revisions, newPlan, rehearsal, stamp);
    }
}
