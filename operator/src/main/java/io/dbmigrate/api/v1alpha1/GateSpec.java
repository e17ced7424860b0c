package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What holds a step. Every gate given must be open before the step starts. */
public record GateSpec(
    @JsonPropertyDescription("Wait for a person: kubectl annotate dbmigration NAME dbmigrate.io/approve=STEP, "
        + "or approved: true here (a spec edit, for git-driven flows).")
    ApprovalGate approval,

    @JsonPropertyDescription("Wait until this Deployment's rollout is complete: observed generation current, "
        + "all replicas updated and available, no old replicas left.")
    DeploymentRolloutGate deploymentRollout,

    @JsonPropertyDescription("Wait for a maintenance window with time enough left for the step: its expected "
        + "duration, from its last rehearsal when known. status.steps[].nextWindow says when the next one opens.")
    WindowGate window) {

}
