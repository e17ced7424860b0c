package io.dbmigrate.plan;

import io.dbmigrate.runner.PlanResult;

/** What the reconciler (or local mode) does next. The planner decides; the caller only carries it out. */
public sealed interface Decision {

  /** The spec cannot run: nothing is created until it is edited. */
  record Stall(String reason, String message) implements Decision {
  }

  /** The credentials Secret is missing or incomplete: check again later, create nothing. */
  record WaitForSecret(String reason, String message) implements Decision {
  }

  /** spec.suspend holds the next step before its Job exists. */
  record Hold() implements Decision {
  }

  /** Create the step's Job; {@code openedBy} says what opened its gate, null when it has none. */
  record CreateJob(StepEntry step, String openedBy) implements Decision {
  }

  /** The step's Job exists and is running, or has failed: status follows it. */
  record FollowJob(StepEntry step, JobObservation job) implements Decision {
  }

  /** Create the Job that plans a gated step before its gate can open. */
  record CreatePlanJob(StepEntry step) implements Decision {
  }

  /** The step's plan Job runs, or has failed. */
  record FollowPlanJob(StepEntry step, JobObservation job) implements Decision {
  }

  /**
   * The step's gate is closed. {@code publish} is the plan to write to the step's ConfigMap now, the first time it is
   * seen; null once it is recorded in status.
   */
  record AwaitGate(StepEntry step, String reason, String waitingFor, PlanResult publish) implements Decision {
  }

  /** Every step has ended (succeeded, or one failed and its Job is gone): nothing to do. */
  record Finished() implements Decision {
  }
}
