package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.observe.JobObservation;
import java.util.List;

/**
 * The entries of status.history: the completed steps, stamps and baselines, oldest first. An entry is made when status
 * first shows its Job ended; {@link StatusDraft#recordHistory} keys it by the Job's name, so a reconcile from a stale
 * cache never adds it twice. Pure.
 */
final class History {

    private History() {
    }

    /** The entry of a step's run whose Job has just ended, or was lost; null while it runs or once status showed it end. */
    static HistoryEntry ofStep(StepEntry entry, StepStatus step, long generation) {
        JobObservation job = entry.job();
        StepStatus before = entry.recorded();
        if (job == null && entry.state() == StepEntry.State.Lost) {
            return HistoryEntry.step(entry.name(), generation, entry.jobName())
                    .outcome(Phase.Failed.name(), Reasons.JOB_LOST)
                    .revisions(step.fromRevision(), step.toRevision(), step.appliedRevisions())
                    .times(step.startedAt(), null)
                    .fingerprint(entry.fingerprint())
                    .build();
        }
        boolean endedBefore = before != null && job != null && job.name().equals(before.job()) && before.phase() != null
                && before.phase().isFinal();
        if (job == null || job.state() == JobObservation.State.Active || endedBefore) {
            return null;
        }
        RehearsalStatus rehearsal = StepEntry.rehearsalOf(job) == null ? null : step.rehearsal();
        boolean succeeded = job.state() == JobObservation.State.Succeeded;
        return HistoryEntry.step(entry.name(), generation, job.name())
                .outcome(step.phase() == Phase.Succeeded ? Phase.Succeeded.name() : Phase.Failed.name(),
                        succeeded ? null : JobFailure.of(job).reason())
                .revisions(step.fromRevision(), step.toRevision(), step.appliedRevisions())
                .backupFile(backupFile(job))
                .rehearsal(rehearsal == null ? null : rehearsal.result(),
                        rehearsal != null && rehearsal.passed() ? rehearsal.duration() : null)
                .times(step.startedAt(), step.finishedAt())
                .fingerprint(entry.fingerprint())
                .build();
    }

    /** The entry of a stamp (or baseline) that ended. */
    static HistoryEntry ofStamp(StampStatus stamp, String kind, long generation, JobObservation job) {
        boolean succeeded = stamp.phase() == Phase.Succeeded;
        return HistoryEntry.stamp(kind, generation, stamp.job())
                .outcome(succeeded ? Phase.Succeeded.name() : Phase.Failed.name(),
                        succeeded ? null : JobFailure.of(job).reason())
                .revisions(stamp.fromRevision(), stamp.toRevision(), null)
                .backupFile(stamp.backupFile())
                .requestedBy(stamp.requestedBy())
                .times(stamp.requestedAt(), stamp.finishedAt())
                .build();
    }

    /** The newest {@code limit} entries. */
    static List<HistoryEntry> trim(List<HistoryEntry> history, int limit) {
        if (history == null) {
            return List.of();
        }
        return history.size() <= limit ? history : List.copyOf(history.subList(history.size() - limit, history.size()));
    }

    private static String backupFile(JobObservation job) {
        BackupResult backup = JobResults.of(job).backup();
        return backup == null ? null : backup.file();
    }
}
