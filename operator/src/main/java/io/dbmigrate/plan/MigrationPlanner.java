package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import java.util.List;
import java.util.Objects;

/**
 * Decides the next action from the resource and what was observed. Pure: no I/O, no clock. The safety rules live
 * here: one Job per generation, found by name, and never a second one once the generation has ended.
 */
public final class MigrationPlanner {

  private MigrationPlanner() {
  }

  public static Decision decide(Observation observation) {
    DatabaseMigration resource = observation.resource();
    List<String> problems = SpecValidator.problems(resource.getSpec());
    if (!problems.isEmpty()) {
      return new Decision.Stall(Reasons.INVALID_SPEC, "Invalid spec: " + String.join("; ", problems));
    }
    if (observation.job() != null) {
      // A Job that exists is followed to its end, suspended or not: stopping a migration half-way helps nobody.
      return new Decision.FollowJob(observation.job());
    }
    String jobName = jobName(resource);
    DatabaseMigrationStatus status = resource.getStatus();
    if (status != null && status.phase() != null && status.phase().isFinal()
        && Objects.equals(status.observedGeneration(), resource.getMetadata().getGeneration())
        && jobName.equals(status.job())) {
      return new Decision.Finished();
    }
    if (resource.getSpec().suspended()) {
      return new Decision.Hold();
    }
    SecretObservation secret = observation.secret();
    CredentialsSecretRef ref = resource.getSpec().database().credentialsSecret();
    String secretName = resource.getMetadata().getNamespace() + "/" + ref.name();
    if (!secret.exists()) {
      return new Decision.WaitForSecret(Reasons.SECRET_NOT_FOUND,
          "Secret " + secretName + " not found; the migration starts when it exists");
    }
    if (!secret.missingKeys().isEmpty()) {
      return new Decision.WaitForSecret(Reasons.SECRET_KEY_NOT_FOUND,
          "Secret " + secretName + " has no key " + String.join(", ", secret.missingKeys()));
    }
    return new Decision.CreateJob(jobName);
  }

  public static String jobName(DatabaseMigration resource) {
    return JobNames.forGeneration(resource.getMetadata().getName(), resource.getMetadata().getUid(),
        generation(resource));
  }

  public static long generation(DatabaseMigration resource) {
    Long generation = resource.getMetadata().getGeneration();
    return generation == null ? 1L : generation;
  }
}
