package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** The application's rollout that must be complete first: the version that no longer needs what the step removes. */
public record DeploymentRolloutGate(
    @Required
    @JsonPropertyDescription("Name of a Deployment in the resource's namespace.")
    String name) {
}
