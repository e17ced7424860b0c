package io.dbmigrate.plan;

/** What the reconciler (or local mode) does next. The planner decides; the caller only carries it out. */
public sealed interface Decision {

  /** The spec cannot run: nothing is created until it is edited. */
  record Stall(String reason, String message) implements Decision {
  }

  /** The credentials Secret is missing or incomplete: check again later, create nothing. */
  record WaitForSecret(String reason, String message) implements Decision {
  }

  /** spec.suspend holds the generation before its Job exists. */
  record Hold() implements Decision {
  }

  /** Create the generation's Job under this name. */
  record CreateJob(String jobName) implements Decision {
  }

  /** The generation's Job exists: status follows it. */
  record FollowJob(JobObservation job) implements Decision {
  }

  /** The generation already ended (its Job may since be gone): nothing to do, status stays. */
  record Finished() implements Decision {
  }
}
