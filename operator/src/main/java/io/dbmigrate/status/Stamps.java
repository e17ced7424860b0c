package io.dbmigrate.status;

import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.StampRequests;

import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Attempt;

import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.runner.StampResult;
import java.time.Instant;

/**
 * The status of a stamp Job, for {@link StatusAggregator}: status.lastStamp (annotation) or status.baseline, and its
 * history entry once it ended. A baseline is part of the migration and moves its phase (Stamping, or Failed when
 * refused). A stamp by annotation is a repair beside it: the phase and conditions stay as they were, so the outcome
 * before it is not reported again afterwards; lastStamp and its Event tell how it went. Pure.
 */
final class Stamps {

  private Stamps() {
  }

  static void follow(StatusAggregator.Builder next, Decision.StampDecision decision, boolean backupEnabled, Instant now) {
    if (decision instanceof Decision.CancelStamp cancel) {
      StampStatus before = next.lastStamp;
      next.lastStamp = new StampStatus(before.revision(), before.requestedBy(), before.requestedAt(), before.job(),
          Phase.Failed, before.fromRevision(), before.toRevision(), false, before.backupFile(),
          StatusAggregator.timestamp(now), "Stamp " + before.revision() + " cancelled: its Job " + before.job()
          + " was deleted before it ended and the annotation " + StampRequests.STAMP_ANNOTATION
          + " no longer asks for it; nothing was stamped");
      next.keepPhase();
      return;
    }
    Decision.StampRun run = decision.run();
    JobObservation job = decision instanceof Decision.FollowStampJob follow ? follow.job() : null;
    boolean baseline = run.kind() == Decision.StampRun.Kind.Baseline;
    StampStatus before = baseline ? next.baseline : next.lastStamp;
    boolean same = before != null && run.jobName().equals(before.job());
    String what = baseline ? "baseline " + run.revision() : "stamp " + run.revision() + " (asked by "
        + (run.requestedBy() == null ? "an unknown field manager" : run.requestedBy()) + " at " + run.requestedAt() + ")";
    if (baseline) {
      next.job = run.jobName();
    }
    String backupFile = same ? before.backupFile() : null;
    String from = same ? before.fromRevision() : null;
    String to = same ? before.toRevision() : null;
    Boolean stamped = same ? before.stamped() : null;
    String finishedAt = same ? before.finishedAt() : null;
    Phase phase = Phase.Pending;
    String message;
    if (job == null) {
      if (baseline) {
        next.failedAttempts = 0;
      }
      message = "Created Job " + run.jobName() + ": " + (backupEnabled ? "backup, then " : "no backup (disabled), then ") + what;
      phase(next, baseline, Phase.Pending, Reasons.JOB_CREATED, message);
    } else {
      if (baseline) {
        next.failedAttempts = job.failedAttempts();
      }
      JobResults results = JobResults.of(job);
      if (results.backup() != null) {
        if (StatusAggregator.notOlder(StatusAggregator.backupStatus(results.backup()), next.lastBackup)) {
          next.lastBackup = StatusAggregator.backupStatus(results.backup());
        }
        backupFile = results.backup().file();
      }
      if (results.stamp() != null) {
        StampResult s = results.stamp();
        from = s.fromRevision();
        to = s.toRevision();
        stamped = s.stamped();
        next.currentRevision = s.toRevision();
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
        phase(next, baseline, Phase.Stamping, Reasons.BASELINED, message);
      } else if (job.state() == JobObservation.State.Failed) {
        phase = Phase.Failed;
        finishedAt = finishedAt == null ? StatusAggregator.timestamp(now) : finishedAt;
        JobFailure failure = JobFailure.of(job);
        message = "The " + what + " failed: " + failure.message();
        failed(next, baseline, Phase.Failed, failure.reason(), message);
      } else if (latest != null && latest.failure() != null) {
        message = "Attempt " + job.attempts().size() + " of the " + what + " failed (" + latest.failure().failureReason()
            + ": " + latest.failure().failureMessage() + "); retrying";
        phase(next, baseline, Phase.Pending, Reasons.RETRYING, message);
      } else if (latest != null && latest.migrating() && latest.main().state() != ContainerOutcome.State.Waiting) {
        phase = Phase.Stamping;
        message = "Backup verified; " + what;
        phase(next, baseline, Phase.Stamping, Reasons.STAMPING, message);
      } else if (latest != null && latest.started()) {
        phase = Phase.BackingUp;
        message = "Backing up before the " + what;
        phase(next, baseline, Phase.BackingUp, Reasons.BACKING_UP, message);
      } else {
        message = "Job " + job.name() + " created for the " + what + "; waiting for its pod to start";
        phase(next, baseline, Phase.Pending, Reasons.JOB_CREATED, message);
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

  // A baseline moves the resource's phase; a stamp by annotation leaves it as it was (see the class comment), its
  // outcome told by the Stamped or StampFailed Event TransitionEvent derives from status.lastStamp.
  private static void phase(StatusAggregator.Builder next, boolean baseline, Phase phase, String reason,
                            String message) {
    if (baseline) {
      next.progressing(phase, reason, message);
    } else {
      next.keepPhase();
    }
  }

  private static void failed(StatusAggregator.Builder next, boolean baseline, Phase phase, String reason,
                             String message) {
    if (baseline) {
      next.failed(phase, reason, message);
    } else {
      next.keepPhase();
    }
  }
}
