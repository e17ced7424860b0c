package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** What the rest of the targets waits for once the canary succeeded. */
@ValidationRule(value = "has(self.approval) != has(self.pause)", message = "set exactly one of approval or pause")
public record RolloutGateSpec(
        @JsonPropertyDescription("When true, the rest waits for the annotation dbmigrate.io/approve=canary on the set.")
        Boolean approval,

        @JsonPropertyDescription("How long the rest waits after the canary's last success, e.g. 30m or 1h30m: time to watch the "
                + "canary's applications before more databases change.")
        String pause) {

    /** The value of dbmigrate.io/approve that opens the gate. */
    public static final String CANARY = "canary";

    public boolean approvalRequired() {
        return Boolean.TRUE.equals(approval);
    }
}
