package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The application's rollout that must be complete first: the version that no longer needs what the step removes. */
public record DeploymentRolloutGate(
    @Required
    @Pattern(KubernetesNames.SUBDOMAIN)
    @Size(min = 1, max = KubernetesNames.SUBDOMAIN_MAX_LENGTH)
    @JsonPropertyDescription("Name of a Deployment in the resource's namespace.")
    String name) {
}
