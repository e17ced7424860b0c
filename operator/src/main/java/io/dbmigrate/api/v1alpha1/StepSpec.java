package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.RevisionSpec;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One step of a phased migration: its own backup, its own upgrade, and optionally a gate that holds it. */
@ValidationRule(value = "!has(self.verify) || self.verify.all(q, self.verify.exists_one(r, r.name == q.name))",
        message = "verify names must be unique")
public record StepSpec(
        @Required
        @Pattern(StepSpec.NAME_PATTERN)
        @Size(min = 1, max = StepSpec.NAME_MAX_LENGTH)
        @JsonPropertyDescription("The step's name, e.g. expand or contract: lowercase letters, digits and dashes. "
                + "Approvals name it, and so do the step's Job and status.")
        String name,

        @Required
        @Pattern(RevisionSpec.PATTERN)
        @Size(min = 1, max = RevisionSpec.MAX_LENGTH)
        @JsonPropertyDescription("The Alembic revision this step upgrades to, e.g. expand@head.")
        String targetRevision,

        @JsonPropertyDescription("What must happen before this step starts. The step's plan is published first.")
        GateSpec gate,

        @Size(max = 20)
        @JsonPropertyDescription("Queries that must return true after this step, in addition to spec.verify.")
        List<VerifyQuerySpec> verify,

        @JsonPropertyDescription("This step's rehearsal: mode, roundTrip and maxLockHold over spec.rehearsal's.")
        StepRehearsalSpec rehearsal) {

    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    /** Short enough to leave room in the Job name, which must stay a DNS label with the pod's suffix. */
    public static final int NAME_MAX_LENGTH = 20;

    public List<VerifyQuerySpec> verifyOrEmpty() {
        return verify == null ? List.of() : verify;
    }

    public boolean gated() {
        return gate != null && (gate.approval() != null || gate.deploymentRollout() != null || gate.window() != null);
    }
}
