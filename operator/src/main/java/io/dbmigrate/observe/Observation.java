package io.dbmigrate.observe;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything the planner decides from: the resource as the API server has it, its credentials Secret, the Jobs of its
 * current generation by name (plan Jobs included), the rollouts its gates name, and the time, for maintenance
 * windows (the planner has no clock of its own).
 *
 * @param credentials the Secret's check, made when the planner first asks ({@link #secret()}), at most once: only a
 *                    Job about to start needs it, and a resource at rest, reconciled again and again, never asks
 */
public record Observation(DatabaseMigration resource, Supplier<SecretObservation> credentials,
                                                    Map<String, JobObservation> jobs, Map<String, RolloutObservation> rollouts, Instant now) {

    public Observation {
        credentials = once(credentials);
        jobs = Map.copyOf(jobs);
        rollouts = Map.copyOf(rollouts);
        Objects.requireNonNull(now, "now");
    }

    public Observation(DatabaseMigration resource, SecretObservation secret, Map<String, JobObservation> jobs,
                                          Map<String, RolloutObservation> rollouts, Instant now) {
        this(resource, () -> secret, jobs, rollouts, now);
    }

    /** Whether the credentials Secret exists and has its keys; checked on the first call. */
    public SecretObservation secret() {
        return credentials.get();
    }

    private static Supplier<SecretObservation> once(Supplier<SecretObservation> check) {
        if (check instanceof Once) {
            return check;
        }
        return new Once(Objects.requireNonNull(check, "credentials"));
    }

    private static final class Once implements Supplier<SecretObservation> {
        private final Supplier<SecretObservation> check;
        private SecretObservation seen;

        Once(Supplier<SecretObservation> check) {
            this.check = check;
        }

        @Override
        public synchronized SecretObservation get() {
            if (seen == null) {
                seen = check.get();
            }
            return seen;
        }
    }

    /** The same, at another time. */
    public Observation at(Instant time) {
        return new Observation(resource, credentials, jobs, rollouts, time);
    }

    /** Whether any Job of the resource (step, plan or stamp Job) is running. */
    public boolean anyJobActive() {
        return jobs.values().stream().anyMatch(job -> job.state() == JobObservation.State.Active);
    }
}
