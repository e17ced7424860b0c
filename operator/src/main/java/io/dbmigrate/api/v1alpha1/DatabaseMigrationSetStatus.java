package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The set's rollout as counted from its DatabaseMigrations: how many targets are where, and which failed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseMigrationSetStatus(
        @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("Pending, Progressing, AwaitingGate, Suspended, Succeeded or Failed.")
        SetPhase phase,

        @JsonPropertyDescription("One line on where the rollout stands, for people.")
        String message,

        @JsonPropertyDescription("How many targets the generators gave.")
        Integer targets,

        @JsonPropertyDescription("Targets whose migration of this generation has not started.")
        Integer pending,

        @JsonPropertyDescription("Targets whose migration runs or waits (for its Job, its own gates), apart from those "
                + "waiting for an approval of their plan.")
        Integer running,

        @JsonPropertyDescription("Targets whose migration waits for an approval of its step's plan (lint mode Block, or "
                + "the step's approval gate). Each still fills a maxParallel slot, and a canary among them holds the "
                + "rest.")
        Integer awaitingApproval,

        @JsonPropertyDescription("Targets whose migration of this generation succeeded.")
        Integer succeeded,

        @JsonPropertyDescription("Targets whose migration of this generation failed, and invalid targets.")
        Integer failed,

        @JsonPropertyDescription("The failed targets, newest first, at most " + DatabaseMigrationSetStatus.FAILED_LIMIT
                + ".")
        List<FailedTarget> failedTargets,

        @JsonPropertyDescription("The plans the targets awaiting approval wait on, by step and digest, at most "
                + DatabaseMigrationSetStatus.PLANS_LIMIT + ".")
        List<PlanAwaitingApproval> plansAwaitingApproval,

        @JsonPropertyDescription("Ready, Reconciling and Stalled, as kstatus reads them.")
        List<StatusCondition> conditions) {

    public static final int FAILED_LIMIT = 20;
    public static final int PLANS_LIMIT = 10;

    public List<StatusCondition> conditionsOrEmpty() {
        return conditions == null ? List.of() : conditions;
    }
}
