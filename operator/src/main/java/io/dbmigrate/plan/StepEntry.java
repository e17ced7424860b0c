package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.runner.PlanResult;
import io.dbmigrate.runner.RunnerResult;

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
 */
public record StepEntry(int index, StepSpec spec, String jobName, String planJobName, String planConfigMap, String fingerprint,
                        StepStatus recorded, JobObservation job, JobObservation planJob) {

  /** Where a step stands. */
  public enum State { Succeeded, Failed, Running, NotStarted }

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
    // Its Job (or plan Job) failed and was deleted since: the generation ended there.
    if (recorded != null && recorded.phase() == Phase.Failed) {
      return State.Failed;
    }
    return State.NotStarted;
  }

  public String name() {
    return spec.name();
  }

  /** The plan its plan Job reported, when that Job succeeded. */
  public PlanResult observedPlan() {
    if (planJob == null || planJob.state() != JobObservation.State.Succeeded || planJob.latestAttempt() == null
        || planJob.latestAttempt().migrate() == null) {
      return null;
    }
    RunnerResult result = planJob.latestAttempt().migrate().result();
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
