package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The status being computed, starting from the previous one: {@link StatusAggregator}, {@link Stamps} and
 * {@link StepStatuses} say what happened, and it keeps the fields consistent (a condition's lastTransitionTime moves
 * only when its status does; a history entry is added once per Job; the newest backup is shown).
 */
final class StatusDraft {
    private final DatabaseMigrationStatus previous;
    private final long generation;
    private final int historyLimit;
    private final Instant now;
    private Phase phase;
    private String message;
    private List<StatusCondition> conditions;
    private String currentRevision;
    private String targetRevision;
    private String currentStep;
    private final List<StepStatus> steps = new ArrayList<>();
    private String job;
    private Integer failedAttempts;
    private BackupStatus lastBackup;
    private MigrationRunStatus lastMigration;
    private List<HistoryEntry> history;
    private StampStatus baseline;
    private StampStatus lastStamp;

    /** The resource's status so far, for its current generation. */
    StatusDraft(DatabaseMigration resource, Instant now) {
        DatabaseMigrationSpec spec = resource.getSpec();
        previous = previous(resource);
        generation = MigrationPlanner.generation(resource);
        historyLimit = spec == null ? DatabaseMigrationSpec.DEFAULT_HISTORY_LIMIT : spec.historyLimitOrDefault();
        this.now = now;
        currentRevision = previous.currentRevision();
        job = previous.job();
        lastBackup = previous.lastBackup();
        lastMigration = previous.lastMigration();
        failedAttempts = previous.failedAttempts();
        history = previous.historyOrEmpty();
        baseline = previous.baseline();
        lastStamp = previous.lastStamp();
    }

    /** The status the resource carries; EMPTY before the first. */
    static DatabaseMigrationStatus previous(DatabaseMigration resource) {
        return resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    }

    long generation() {
        return generation;
    }

    String currentRevision() {
        return currentRevision;
    }

    BackupStatus lastBackup() {
        return lastBackup;
    }

    MigrationRunStatus lastMigration() {
        return lastMigration;
    }

    StepStatus step(int index) {
        return steps.get(index);
    }

    /** What the migration is heading for: the last step's target, and the step it runs or waits for. */
    void aimsAt(String target, String step) {
        this.targetRevision = target;
        this.currentStep = step;
    }

    // The Job status names: the one running or last run for the migration, with its failed pods.

    void noJob() {
        this.job = null;
    }

    void startsJob(String name) {
        this.job = name;
        this.failedAttempts = 0;
    }

    void followsJob(String name, int failedAttempts) {
        this.job = name;
        this.failedAttempts = failedAttempts;
    }

    /** A Job whose pods were not seen (gone, or known only from status): its failed attempts stay as they were. */
    void namesJob(String name) {
        this.job = name;
    }

    // What the runners reported.

    /** A step's Job: its backup, when no newer one is shown, and its upgrade, move the revision the database is at. */
    void stepRan(JobResults results) {
        boolean shown = backedUp(results.backup());
        if (results.migration() != null) {
            lastMigration = migrationStatus(results.migration());
        }
        // A backup older than the one shown was taken before a later stamp: it no longer says where the database is.
        if (shown) {
            currentRevision = results.lastRead();
        } else if (results.lastUpgrade() != null) {
            currentRevision = results.lastUpgrade();
        }
    }

    /** Shows the backup unless a newer one is shown already; whether it is shown now. */
    boolean backedUp(BackupResult backup) {
        if (backup == null) {
            return false;
        }
        BackupStatus candidate = backupStatus(backup);
        // Status shows the newest backup: a step's, read again on every reconcile, must not replace a later stamp's.
        boolean newest = lastBackup == null || lastBackup.finishedAt() == null || candidate.finishedAt() == null
                || candidate.finishedAt().compareTo(lastBackup.finishedAt()) >= 0;
        if (newest) {
            lastBackup = candidate;
        }
        return newest;
    }

    /** alembic_version as a runner read it back last. */
    void databaseAt(String revision) {
        this.currentRevision = revision;
    }

    void addStep(StepStatus step) {
        steps.add(step);
    }

    /** A completed run in status.history; its Job's name is its key, so it is added once however often it is seen. */
    void recordHistory(HistoryEntry entry) {
        if (entry == null || history.stream().anyMatch(h -> entry.job().equals(h.job()))) {
            return;
        }
        List<HistoryEntry> next = new ArrayList<>(history);
        next.add(entry);
        history = List.copyOf(next);
    }

    // Stamps of alembic_version.

    /** status.baseline or status.lastStamp, as computed so far. */
    StampStatus recordedStamp(Decision.StampRun.Kind kind) {
        return kind == Decision.StampRun.Kind.Baseline ? baseline : lastStamp;
    }

    void recordStamp(Decision.StampRun.Kind kind, StampStatus stamp) {
        if (kind == Decision.StampRun.Kind.Baseline) {
            baseline = stamp;
        } else {
            lastStamp = stamp;
        }
    }

    /** A stamp is the last word on alembic_version until a step starts after it: Jobs read before it do not undo it. */
    void stampHasLastWord() {
        StampStatus stamp = lastStamp;
        if (stamp != null && stamp.phase() == Phase.Succeeded && stamp.finishedAt() != null && steps.stream()
                .noneMatch(st -> st.startedAt() != null && st.startedAt().compareTo(stamp.finishedAt()) > 0)) {
            currentRevision = stamp.toRevision();
        }
    }

    // The phase, message and conditions.

    void progressing(Phase phase, String reason, String message) {
        phase(phase, reason, message, true, false);
    }

    void failed(String reason, String message) {
        phase(Phase.Failed, reason, message, false, true);
    }

    void suspended(String message) {
        phase(Phase.Suspended, Reasons.SUSPENDED, message, false, false);
    }

    void succeeded(String message) {
        phase(Phase.Succeeded, Reasons.SUCCEEDED, message, false, false);
    }

    /** Phase, message and conditions as they were: what a side action (a stamp by annotation) leaves alone. */
    void keepPhase() {
        if (previous.phase() == null) {
            // Nothing to keep yet (a resource created with the annotation): it is pending.
            progressing(Phase.Pending, Reasons.STAMPING, "A stamp asked for by annotation runs before the migration");
            return;
        }
        this.phase = previous.phase();
        this.message = previous.message();
        this.conditions = previous.conditions();
    }

    private void phase(Phase phase, String reason, String message, boolean reconciling, boolean stalled) {
        this.phase = phase;
        this.message = message;
        this.conditions = KstatusConditions.of(previous.conditionsOrEmpty(), generation, now, phase == Phase.Succeeded,
                reconciling, stalled, reason, message);
    }

    /** The step being worked on carries the resource's message; the others keep theirs. */
    void messageOnStep(int index) {
        if (index < steps.size()) {
            steps.set(index, StepStatuses.withMessage(steps.get(index), message));
        }
    }

    DatabaseMigrationStatus build() {
        List<HistoryEntry> kept = History.trim(history, historyLimit);
        return new DatabaseMigrationStatus(generation, phase, currentRevision, targetRevision, currentStep,
                steps.isEmpty() ? previous.steps() : List.copyOf(steps), job, message, lastBackup, lastMigration,
                failedAttempts, conditions, kept.isEmpty() ? null : kept, baseline, lastStamp);
    }

    private static BackupStatus backupStatus(BackupResult backup) {
        return new BackupStatus(backup.file(), backup.revision(), backup.sizeBytes(), backup.sha256(), backup.verified(),
                StatusAggregator.timestamp(backup.startedAt()), StatusAggregator.timestamp(backup.finishedAt()));
    }

    private static MigrationRunStatus migrationStatus(RunnerResult migrate) {
        UpgradeResult upgrade = migrate.upgrade();
        return new MigrationRunStatus(upgrade.fromRevision(), upgrade.toRevision(), upgrade.appliedRevisions(),
                upgrade.failedRevision(), migrate.exitCode() == 0 ? null : migrate.message(),
                StatusAggregator.timestamp(upgrade.startedAt()), StatusAggregator.timestamp(upgrade.finishedAt()),
                upgrade.direction(), upgrade.lockAttempts(),
                upgrade.verified() == null || upgrade.verified().isEmpty() ? null : upgrade.verified(),
                upgrade.failedVerification(), upgrade.rolledBackTo());
    }
}
