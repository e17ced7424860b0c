package io.dbmigrate.observe;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import java.time.Instant;
import java.util.Map;

/**
 * Everything the planner decides from: the resource as the API server has it, its credentials Secret, the Jobs of its
 * current generation by name (plan Jobs included), the rollouts its gates name, and the time, for maintenance
 * windows (the planner has no clock of its own).
 */
public record Observation(DatabaseMigration resource, SecretObservation secret, Map<String, JobObservation> jobs,
                          Map<String, RolloutObservation> rollouts, Instant now) {

  /** Before any maintenance window is looked at, tests start at this instant. */
  public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  public Observation {
    jobs = Map.copyOf(jobs);
    rollouts = Map.copyOf(rollouts);
    now = now == null ? EPOCH : now;
  }

  public Observation(DatabaseMigration resource, SecretObservation secret, Map<String, JobObservation> jobs,
                     Map<String, RolloutObservation> rollouts) {
    this(resource, secret, jobs, rollouts, null);
  }

  /** A resource with no Job and no gate observed yet. */
  public static Observation of(DatabaseMigration resource, SecretObservation secret) {
    return new Observation(resource, secret, Map.of(), Map.of());
  }

  /** A resource whose one Job is observed (or null when there is none). */
  public Observation(DatabaseMigration resource, SecretObservation secret, JobObservation job) {
    this(resource, secret, job == null ? Map.of() : Map.of(job.name(), job), Map.of());
  }

  /** The same, at another time. */
  public Observation at(Instant time) {
    return new Observation(resource, secret, jobs, rollouts, time);
  }

  /** Whether any Job of the resource (step, plan or stamp Job) is running. */
  public boolean anyJobActive() {
    return jobs.values().stream().anyMatch(job -> job.state() == JobObservation.State.Active);
  }
}
