package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;

/**
 * Everything the planner decides from: the resource as the API server has it, its credentials Secret, and the Job
 * of its current generation (null when there is none).
 */
public record Observation(DatabaseMigration resource, SecretObservation secret, JobObservation job) {
}
