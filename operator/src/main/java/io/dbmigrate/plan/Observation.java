package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import java.util.Map;

/**
 * Everything the planner decides from: the resource as the API server has it, its credentials Secret, the Jobs of its
 * current generation by name (plan Jobs included), and the rollouts its gates name.
 */
public record Observation(DatabaseMigration resource, SecretObservation secret, Map<String, JobObservation> jobs,
                          Map<String, RolloutObservation> rollouts) {

  public Observation {
    jobs = Map.copyOf(jobs);
    rollouts = Map.copyOf(rollouts);
  }

  /** A resource with no Job and no gate observed yet. */
  public static Observation of(DatabaseMigration resource, SecretObservation secret) {
    return new Observation(resource, secret, Map.of(), Map.of());
  }

  /** A resource whose one Job is observed (or null when there is none). */
  public Observation(DatabaseMigration resource, SecretObservation secret, JobObservation job) {
    this(resource, secret, job == null ? Map.of() : Map.of(job.name(), job), Map.of());
  }
}
