package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.Map;

/** Requests and limits, as in a container's resources. */
public record ComputeResources(
    @JsonPropertyDescription("Minimum resources, e.g. cpu: 100m, memory: 256Mi.")
    Map<String, IntOrString> requests,

    @JsonPropertyDescription("Maximum resources, e.g. memory: 1Gi.")
    Map<String, IntOrString> limits) {
}
