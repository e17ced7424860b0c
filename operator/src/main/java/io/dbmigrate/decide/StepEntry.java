package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.status.Reasons;
import java.time.Duration;
import java.util.List;

/**
 * One step of the observed generation with everything known of it.
 *
 * @param jobName     the name its Job has in this generation
 * @param planJobName the name its plan Job has in this generation (used only when the step is gated)
 * @param planConfigMap the ConfigMap its plan is published in
 * @param recorded    its status from before, when that still describes it: same generation, or a succeeded step of
 *                    an earlier generation with the same fingerprint; null otherwise
 * @param job         its Job, when observed
 * @param planJob     its plan Job, when observed
 * @param deferred    its Jobs of this generation that found too little of their maintenance window left and ran
 *                    nothing in production (exit OutsideWindow), oldest first; {@code jobName} is then the Job for the
 *                    next window
 * @param expectedDuration how long its upgrade is expected to take, when known: its last rehearsal's upgrade
 * @param planned     whether it is planned before it runs ({@link io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec#planned})
 * @param lint        the resource's spec.safety.lint, which says whether the plan's findings hold the step
 */
public record StepEntry(int index, StepSpec spec, String jobName, String planJobName, String planConfigMap, String fingerprint,
                                                StepStatus recorded, JobObservation job, JobObservation planJob, List<JobObservation> deferred,
                                                Duration expectedDuration, boolean planned, LintSpec lint) {

    public StepEntry {
        deferred = deferred == null ? List.of() : List.copyOf(deferred);
        lint = lint == null ? LintSpec.DEFAULT : lint;
    }

    /** A step of a spec without spec.safety.lint: planned when gated. */
    public StepEntry(int index, StepSpec spec, String jobName, String planJobName, String planConfigMap,
                     String fingerprint, StepStatus recorded, JobObservation job, JobObservation planJob,
                     List<JobObservation> deferred, Duration expectedDuration) {
        this(index, spec, jobName, planJobName, planConfigMap, fingerprint, recorded, job, planJob, deferred,
                expectedDuration, spec.gated(), LintSpec.DEFAULT);
    }

    /**
     * Whether a Job of this step ended because its window was too short: it ran nothing, the next window may. Read from
     * its pod when seen, else from the Job's own Failed condition, which names the exit code: the Job can be seen before
     * its pod, and outlives it once pods are garbage-collected.
     */
    public static boolean deferredByWindow(JobObservation job) {
        if (job == null || job.state() != JobObservation.State.Failed) {
            return false;
        }
        Attempt last = job.latestAttempt();
        ContainerOutcome failure = last == null ? null : last.failure();
        if (failure != null) {
            return Reasons.OUTSIDE_WINDOW.equals(failure.failureReason());
        }
        return job.failureMessage() != null
                && job.failureMessage().contains("exit code " + ExitCode.OUTSIDE_WINDOW.code() + " ");
    }

    /** The rehearsal the latest attempt of a Job reported, when its rehearse container got that far. */
    public static RehearsalResult rehearsalOf(JobObservation job) {
        if (job == null) {
            return null;
        }
        for (int i = job.attempts().size() - 1; i >= 0; i--) {
            ContainerOutcome rehearse = job.attempts().get(i).rehearse();
            RunnerResult result = rehearse == null ? null : rehearse.result();
            if (result != null && result.rehearsal() != null) {
                return result.rehearsal();
            }
        }
        return null;
    }

    /**
     * Where a step stands. Lost: status recorded its Job as started, and the Job is gone before its end was seen (deleted
     * by hand, or ended and deleted while the operator was down); what it did to the database is unknown.
     */
    public enum State { Succeeded, Failed, Running, Lost, NotStarted }

    public State state() {
        if (job != null) {
            return switch (job.state()) {
                case Succeeded -> State.Succeeded;
                case Failed -> State.Failed;
                case Active -> State.Running;
            };
        }
        if (recorded != null && recorded.phase() == Phase.Succeeded) {
            return State.Succeeded;
        }
        // Its Job (or plan Job) failed and was deleted since: the generation ended there. A failure recorded of another
        // Job (an earlier window's, whose pod had not been seen yet) is not this Job's.
        if (recorded != null && recorded.phase() == Phase.Failed
                && (recorded.job() == null || recorded.job().equals(jobName))) {
            return State.Failed;
        }
        // Started and gone: running it again could back up and migrate a second time, so only a spec edit does.
        if (recorded != null && jobName.equals(recorded.job()) && recorded.phase() != null && !recorded.phase().isFinal()) {
            return State.Lost;
        }
        return State.NotStarted;
    }

    public String name() {
        return spec.name();
    }

    /** The plan its plan Job reported, when that Job succeeded. */
    public PlanResult observedPlan() {
        if (planJob == null || planJob.state() != JobObservation.State.Succeeded || planJob.latestAttempt() == null
                || planJob.latestAttempt().main() == null) {
            return null;
        }
        RunnerResult result = planJob.latestAttempt().main().result();
        return result == null ? null : result.plan();
    }

    /** Whether its plan Job ended without a plan to show: failed, or succeeded without reporting one. */
    public boolean planJobFailed() {
        return planJob != null && (planJob.state() == JobObservation.State.Failed
                || (planJob.state() == JobObservation.State.Succeeded && !planRecorded() && observedPlan() == null));
    }

    /** Whether the plan is already in status (and so in its ConfigMap). */
    public boolean planRecorded() {
        return recorded != null && recorded.plan() != null && recorded.plan().configMap() != null;
    }
}
