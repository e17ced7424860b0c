package io.dbmigrate.observe;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the planner decides from: the resource as the API server has it, its credentials Secret, the Jobs of its
 * current generation by name (plan Jobs included), the rollouts its gates name, and the time, for maintenance
 * windows (the planner has no clock of its own).
 */
public record Observation(DatabaseMigration resource, SecretObservation secret, Map<String, JobObservation> jobs,
                                                    Map<String, RolloutObservation> rollouts, Instant now) {

    public Observation {
        jobs = Map.copyOf(jobs);
        rollouts = Map.copyOf(rollouts);
        Objects.requireNonNull(now, "now");
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
