package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A pod toleration, as in a pod spec. */
public record PodToleration(
    @JsonPropertyDescription("Taint key the toleration applies to; empty with operator Exists matches all keys.")
    String key,
    @JsonPropertyDescription("Exists or Equal. Default Equal.")
    String operator,
    @JsonPropertyDescription("Taint value the toleration matches, with operator Equal.")
    String value,
    @JsonPropertyDescription("Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all.")
    String effect,
    @JsonPropertyDescription("With effect NoExecute, how long the pod stays bound after the taint appears.")
    Long tolerationSeconds) {
}
