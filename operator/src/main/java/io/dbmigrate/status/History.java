package io.dbmigrate.status;

import io.dbmigrate.decide.StepEntry;

import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Attempt;

import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.RunnerResult;
import java.util.ArrayList;
import java.util.List;

/**
 * status.history: the completed steps, stamps and baselines, oldest first. An entry is added once, when status first
 * shows its Job ended; the Job's name is its key, so a reconcile from a stale cache never adds it twice. Pure.
 */
final class History {

  private History() {
  }

  /** The history with the step's run added, if its Job has just ended. */
  static List<HistoryEntry> afterStep(List<HistoryEntry> history, StepEntry entry, StepStatus step, long generation) {
    JobObservation job = entry.job();
    StepStatus before = entry.recorded();
    if (job == null && entry.state() == StepEntry.State.Lost && !recorded(history, entry.jobName())) {
      return append(history, new HistoryEntry(HistoryEntry.STEP, entry.name(), generation, entry.jobName(),
          Phase.Failed.name(), Reasons.JOB_LOST, step.fromRevision(), step.toRevision(), step.appliedRevisions(),
          null, null, null, null, step.startedAt(), null, entry.fingerprint()));
    }
    boolean endedBefore = before != null && job != null && job.name().equals(before.job()) && before.phase() != null
        && before.phase().isFinal();
    if (job == null || job.state() == JobObservation.State.Active || endedBefore || recorded(history, job.name())) {
      return history;
    }
    RehearsalStatus rehearsal = step.rehearsal();
    boolean rehearsedNow = StepEntry.rehearsalOf(job) != null;
    ContainerOutcome failure = job.state() == JobObservation.State.Failed ? job.lastFailure() : null;
    String reason = job.state() == JobObservation.State.Succeeded ? null
        : failure != null ? failure.failureReason() : job.failureReason() == null ? Reasons.JOB_FAILED : job.failureReason();
    return append(history, new HistoryEntry(HistoryEntry.STEP, entry.name(), generation, job.name(),
        step.phase() == Phase.Succeeded ? Phase.Succeeded.name() : Phase.Failed.name(), reason, step.fromRevision(),
        step.toRevision(), step.appliedRevisions(), backupFile(job),
        rehearsedNow && rehearsal != null ? rehearsal.result() : null,
        rehearsedNow && rehearsal != null && rehearsal.passed() ? rehearsal.duration() : null, null,
        step.startedAt(), step.finishedAt(), entry.fingerprint()));
  }

  /** The history with the stamp (or baseline) added, once it ended. */
  static List<HistoryEntry> afterStamp(List<HistoryEntry> history, StampStatus stamp, String kind, long generation,
                                       JobObservation job) {
    if (recorded(history, stamp.job())) {
      return history;
    }
    ContainerOutcome failure = job == null ? null : job.lastFailure();
    return append(history, new HistoryEntry(kind, null, generation, stamp.job(),
        stamp.phase() == Phase.Succeeded ? Phase.Succeeded.name() : Phase.Failed.name(),
        stamp.phase() == Phase.Succeeded ? null : failure != null ? failure.failureReason() : Reasons.JOB_FAILED,
        stamp.fromRevision(), stamp.toRevision(), null, stamp.backupFile(), null, null, stamp.requestedBy(),
        stamp.requestedAt(), stamp.finishedAt(), null));
  }

  /** The newest {@code limit} entries. */
  static List<HistoryEntry> trim(List<HistoryEntry> history, int limit) {
    if (history == null) {
      return List.of();
    }
    return history.size() <= limit ? history : List.copyOf(history.subList(history.size() - limit, history.size()));
  }

  private static boolean recorded(List<HistoryEntry> history, String job) {
    return history.stream().anyMatch(h -> job.equals(h.job()));
  }

  private static List<HistoryEntry> append(List<HistoryEntry> history, HistoryEntry entry) {
    List<HistoryEntry> next = new ArrayList<>(history);
    next.add(entry);
    return List.copyOf(next);
  }

  private static String backupFile(JobObservation job) {
    String file = null;
    for (Attempt attempt : job.attempts()) {
      RunnerResult backup = attempt.backup() == null ? null : attempt.backup().result();
      if (backup != null && backup.backup() != null && attempt.backup().succeeded()) {
        file = backup.backup().file();
      }
    }
    return file;
  }
}
