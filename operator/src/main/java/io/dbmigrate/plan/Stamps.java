package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.StampResult;
import java.time.Instant;

/**
 * The status of a stamp Job, for {@link StatusAggregator}: status.lastStamp (annotation) or status.baseline, the
 * resource's phase while it runs, and its history entry once it ended. Pure.
 */
final class Stamps {

  private Stamps() {
  }

  static void follow(StatusAggregator.Builder next, Decision decision, boolean backupEnabled, Instant now) {
    Decision.StampRun run = decision instanceof Decision.CreateStampJob create ? create.run()
        : ((Decision.FollowStampJob) decision).run();
    JobObservation job = decision instanceof Decision.FollowStampJob follow ? follow.job() : null;
    boolean baseline = run.kind() == Decision.StampRun.Kind.Baseline;
    StampStatus before = baseline ? next.baseline : next.lastStamp;
    boolean same = before != null && run.jobName().equals(before.job());
    String what = baseline ? "baseline " + run.revision() : "stamp " + run.revision() + " (asked by "
        + (run.requestedBy() == null ? "an unknown field manager" : run.requestedBy()) + " at " + run.requestedAt() + ")";
    next.job = run.jobName();
    String backupFile = same ? before.backupFile() : null;
    String from = same ? before.fromRevision() : null;
    String to = same ? before.toRevision() : null;
    Boolean stamped = same ? before.stamped() : null;
    String finishedAt = same ? before.finishedAt() : null;
    Phase phase = Phase.Pending;
    String message;
    if (job == null) {
      next.failedAttempts = 0;
      message = "Created Job " + run.jobName() + ": " + (backupEnabled ? "backup, then " : "no backup (disabled), then ") + what;
      next.progressing(Phase.Pending, Reasons.JOB_CREATED, message);
    } else {
      next.failedAttempts = job.failedAttempts();
      for (Attempt attempt : job.attempts()) {
        RunnerResult backup = attempt.backup() == null ? null : attempt.backup().result();
        if (backup != null && backup.backup() != null && attempt.backup().succeeded()) {
          next.lastBackup = StatusAggregator.backupStatus(backup.backup());
          next.currentRevision = backup.backup().revision();
          backupFile = backup.backup().file();
        }
        RunnerResult result = attempt.migrate() == null ? null : attempt.migrate().result();
        if (result != null && result.stamp() != null) {
          StampResult s = result.stamp();
          from = s.fromRevision();
          to = s.toRevision();
          stamped = s.stamped();
          next.currentRevision = s.toRevision();
        }
      }
      Attempt latest = job.latestAttempt();
      if (job.state() == JobObservation.State.Succeeded) {
        phase = Phase.Succeeded;
        finishedAt = finishedAt == null ? StatusAggregator.timestamp(now) : finishedAt;
        message = (Boolean.FALSE.equals(stamped) ? "Baseline " + run.revision() + ": database already at " + from
            + ", which includes it; nothing stamped" : (baseline ? "Adopted at baseline " : "Stamped ") + run.revision()
            + ": alembic_version " + from + " -> " + to) + (baseline ? "" : " (asked by " + (run.requestedBy() == null
            ? "an unknown field manager" : run.requestedBy()) + " at " + run.requestedAt() + ")")
            + (backupFile == null ? "" : "; backup " + backupFile);
        next.progressing(Phase.Stamping, baseline ? Reasons.BASELINED : Reasons.STAMPED, message);
      } else if (job.state() == JobObservation.State.Failed) {
        phase = Phase.Failed;
        finishedAt = finishedAt == null ? StatusAggregator.timestamp(now) : finishedAt;
        ContainerOutcome failure = lastFailure(job);
        String reason = baseline && failure != null ? failure.failureReason() : Reasons.STAMP_FAILED;
        message = "The " + what + " failed: " + (failure != null ? failure.failureMessage()
            : "Job " + job.name() + " failed" + (job.failureMessage() == null ? "" : ": " + job.failureMessage()));
        next.failed(Phase.Failed, reason, message);
      } else if (latest != null && latest.failure() != null) {
        message = "Attempt " + job.attempts().size() + " of the " + what + " failed (" + latest.failure().failureReason()
            + ": " + latest.failure().failureMessage() + "); retrying";
        next.progressing(Phase.Pending, Reasons.RETRYING, message);
      } else if (latest != null && latest.migrating() && latest.migrate().state() != ContainerOutcome.State.Waiting) {
        phase = Phase.Stamping;
        message = "Backup verified; " + what;
        next.progressing(Phase.Stamping, Reasons.STAMPING, message);
      } else if (latest != null && latest.started()) {
        phase = Phase.BackingUp;
        message = "Backing up before the " + what;
        next.progressing(Phase.BackingUp, Reasons.BACKING_UP, message);
      } else {
        message = "Job " + job.name() + " created for the " + what + "; waiting for its pod to start";
        next.progressing(Phase.Pending, Reasons.JOB_CREATED, message);
      }
    }
    StampStatus status = new StampStatus(run.revision(), run.requestedBy(), run.requestedAt(), run.jobName(), phase,
        from, to, stamped, backupFile, finishedAt, message);
    if (baseline) {
      next.baseline = status;
    } else {
      next.lastStamp = status;
    }
    if (status.finished() && !(same && before.finished())) {
      next.history = History.afterStamp(next.history, status, baseline ? HistoryEntry.BASELINE : HistoryEntry.STAMP,
          next.generation, job);
    }
  }

  private static ContainerOutcome lastFailure(JobObservation job) {
    for (int i = job.attempts().size() - 1; i >= 0; i--) {
      ContainerOutcome failure = job.attempts().get(i).failure();
      if (failure != null) {
        return failure;
      }
    }
    return null;
  }
}
