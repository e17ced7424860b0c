package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A condition in the metav1.Condition shape. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusCondition(
        @Required
        @JsonPropertyDescription("Ready, Reconciling or Stalled.")
        String type,
        @Required
        @JsonPropertyDescription("True, False or Unknown.")
        String status,
        @JsonPropertyDescription("The metadata.generation the condition was set for.")
        Long observedGeneration,
        @Required
        @JsonPropertyDescription("When the status last changed (RFC 3339).")
        String lastTransitionTime,
        @Required
        @JsonPropertyDescription("Why, in UpperCamelCase, e.g. SecretNotFound, BackupFailed, Succeeded.")
        String reason,
        @JsonPropertyDescription("Why, for people.")
        String message) {

    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";

    @JsonIgnore
    public boolean isTrue() {
        return "True".equals(status);
    }
}
