package io.dbmigrate.status;

import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;

/**
 * Why a Job failed, for people and for the condition's reason.
 *
 * @param byRunner whether a container of the Job said it (else the Job's own Failed condition did)
 */
record JobFailure(String reason, String message, boolean byRunner) {

    /** The runner's words when a container of the latest attempt that failed said them, else the Job's. */
    static JobFailure of(JobObservation job) {
        ContainerOutcome failure = job.lastFailure();
        return failure == null ? ofJob(job) : new JobFailure(failure.failureReason(), failure.failureMessage(), true);
    }

    /** The Job's Failed condition (DeadlineExceeded, BackoffLimitExceeded, ...); JobFailed when it gives no reason. */
    static JobFailure ofJob(JobObservation job) {
        return new JobFailure(job.failureReason() == null ? Reasons.JOB_FAILED : job.failureReason(),
                "Job " + job.name() + " failed" + (job.failureMessage() == null ? "" : ": " + job.failureMessage()), false);
    }
}
