package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.StampResult;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Decision.StampRun;
import io.dbmigrate.decide.StampRequests;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
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

    static void follow(StatusDraft next, Decision.StampDecision decision, boolean backupEnabled, Instant now) {
        if (decision instanceof Decision.CancelStamp) {
            next.recordStamp(StampRun.Kind.Annotation, cancelled(next.recordedStamp(StampRun.Kind.Annotation), now));
            next.keepPhase();
            return;
        }
        StampRun run = decision.run();
        JobObservation job = decision instanceof Decision.FollowStampJob follow ? follow.job() : null;
        boolean baseline = run.kind() == StampRun.Kind.Baseline;
        StampStatus before = next.recordedStamp(run.kind());
        // What status recorded of this same Job stands until the Job reports it anew.
        StampStatus kept = before != null && run.jobName().equals(before.job()) ? before : null;
        JobResults results = job == null ? null : JobResults.of(job);
        BackupResult backup = results == null ? null : results.backup();
        StampResult stamp = results == null ? null : results.stamp();
        next.backedUp(backup);
        if (stamp != null) {
            next.databaseAt(stamp.toRevision());
        }
        String backupFile = backup != null ? backup.file() : kept == null ? null : kept.backupFile();
        String from = stamp != null ? stamp.fromRevision() : kept == null ? null : kept.fromRevision();
        String to = stamp != null ? stamp.toRevision() : kept == null ? null : kept.toRevision();
        Boolean stamped = stamp != null ? Boolean.valueOf(stamp.stamped()) : kept == null ? null : kept.stamped();
        Progress progress = job == null ? created(run, backupEnabled) : progress(job, run, from, to, stamped, backupFile);
        String finishedAt = kept != null && kept.finishedAt() != null ? kept.finishedAt()
                : progress.phase().isFinal() ? StatusAggregator.timestamp(now) : null;
        StampStatus status = new StampStatus(run.revision(), run.requestedBy(), run.requestedAt(), run.jobName(),
                progress.phase(), from, to, stamped, backupFile, finishedAt, progress.message());
        next.recordStamp(run.kind(), status);
        if (baseline) {
            if (job == null) {
                next.startsJob(run.jobName());
            } else {
                next.followsJob(run.jobName(), job.failedAttempts());
            }
            progress.moves(next);
        } else {
            // Its outcome is told by the Stamped or StampFailed Event TransitionEvent derives from status.lastStamp.
            next.keepPhase();
        }
        if (status.finished() && !(kept != null && kept.finished())) {
            next.recordHistory(History.ofStamp(status, baseline ? HistoryEntry.BASELINE : HistoryEntry.STAMP,
                    next.generation(), job));
        }
    }

    /** Where a stamp's Job is: the stamp's phase, and the reason and message a baseline gives the resource. */
    private record Progress(Phase phase, String reason, String message) {

        /** A baseline's progress is the resource's; once it succeeded the resource is still Stamping: the steps follow. */
        void moves(StatusDraft next) {
            if (phase == Phase.Failed) {
                next.failed(reason, message);
            } else {
                next.progressing(phase == Phase.Succeeded ? Phase.Stamping : phase, reason, message);
            }
        }
    }

    private static Progress created(StampRun run, boolean backupEnabled) {
        return new Progress(Phase.Pending, Reasons.JOB_CREATED, "Created Job " + run.jobName() + ": "
                + (backupEnabled ? "backup, then " : "no backup (disabled), then ") + what(run));
    }

    private static Progress progress(JobObservation job, StampRun run, String from, String to, Boolean stamped,
                                                                      String backupFile) {
        Attempt latest = job.latestAttempt();
        if (job.state() == JobObservation.State.Succeeded) {
            boolean baseline = run.kind() == StampRun.Kind.Baseline;
            String done = Boolean.FALSE.equals(stamped)
                    ? "Baseline " + run.revision() + ": database already at " + from + ", which includes it; nothing stamped"
                    : (baseline ? "Adopted at baseline " : "Stamped ") + run.revision() + ": alembic_version " + from + " -> " + to;
            return new Progress(Phase.Succeeded, Reasons.BASELINED, done + (baseline ? "" : askedBy(run))
                    + (backupFile == null ? "" : "; backup " + backupFile));
        }
        if (job.state() == JobObservation.State.Failed) {
            JobFailure failure = JobFailure.of(job);
            return new Progress(Phase.Failed, failure.reason(), "The " + what(run) + " failed: " + failure.message());
        }
        if (latest != null && latest.failure() != null) {
            return new Progress(Phase.Pending, Reasons.RETRYING, "Attempt " + job.attempts().size() + " of the " + what(run)
                    + " failed (" + latest.failure().failureReason() + ": " + latest.failure().failureMessage() + "); retrying");
        }
        if (latest != null && latest.migrating() && latest.main().state() != ContainerOutcome.State.Waiting) {
            return new Progress(Phase.Stamping, Reasons.STAMPING, "Backup verified; " + what(run));
        }
        if (latest != null && latest.started()) {
            return new Progress(Phase.BackingUp, Reasons.BACKING_UP, "Backing up before the " + what(run));
        }
        return new Progress(Phase.Pending, Reasons.JOB_CREATED, "Job " + job.name() + " created for the " + what(run)
                + "; waiting for its pod to start");
    }

    /** A stamp whose Job was deleted before it ended, and that nobody asks for any more. */
    private static StampStatus cancelled(StampStatus before, Instant now) {
        return new StampStatus(before.revision(), before.requestedBy(), before.requestedAt(), before.job(), Phase.Failed,
                before.fromRevision(), before.toRevision(), false, before.backupFile(), StatusAggregator.timestamp(now),
                "Stamp " + before.revision() + " cancelled: its Job " + before.job() + " was deleted before it ended and the "
                + "annotation " + StampRequests.STAMP_ANNOTATION + " no longer asks for it; nothing was stamped");
    }

    private static String what(StampRun run) {
        return run.kind() == StampRun.Kind.Baseline ? "baseline " + run.revision()
                : "stamp " + run.revision() + askedBy(run);
    }

    private static String askedBy(StampRun run) {
        return " (asked by " + (run.requestedBy() == null ? "an unknown field manager" : run.requestedBy()) + " at "
                + run.requestedAt() + ")";
    }
}
