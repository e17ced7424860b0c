package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** A person approves the step after reading its plan. */
public record ApprovalGate(
        @JsonPropertyDescription("Approves the step from the spec, whatever its plan: for git-driven flows where the "
                + "commit's review is the approval. The annotation dbmigrate.io/approve (a comma-separated list of step names), "
                + "set after the plan is published, approves it too.")
        Boolean approved,
        @JsonPropertyDescription("Approves exactly one plan from the spec: the digest status.steps[].plan.digest shows. "
                + "A different plan (a new target, image or starting revision) waits for its own approval.")
        @Pattern("^[0-9a-f]{12}$")
        String plan) {

    public boolean approvedInSpec() {
        return Boolean.TRUE.equals(approved);
    }
}
