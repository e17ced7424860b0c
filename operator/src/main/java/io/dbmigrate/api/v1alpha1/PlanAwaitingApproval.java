package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** A step's plan that holds targets of a set until it is approved, and the targets it holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanAwaitingApproval(
        @JsonPropertyDescription("The step of the template whose plan waits.")
        String step,
        @JsonPropertyDescription("The plan's digest: gate.approval.plan with this value on the step of spec.template "
                + "approves every target with this plan. Absent while the plan is not yet published.")
        String plan,
        @JsonPropertyDescription("Why they wait: LintBlocked or LintUnavailable (spec.template.safety.lint.mode Block), or "
                + "AwaitingApproval (the step's approval gate).")
        String reason,
        @JsonPropertyDescription("How many targets this plan holds.")
        Integer count,
        @JsonPropertyDescription("The first of them, in rollout order, at most "
                + PlanAwaitingApproval.TARGETS_SHOWN + ".")
        List<String> targets) {

    public static final int TARGETS_SHOWN = 10;
}
