package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.WindowGate;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.RolloutObservation;
import io.dbmigrate.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Whether a step's gate is open. Pure: approvals come from the resource, rollouts from the observation. */
public final class Gates {
    /** Comma-separated step names; `kubectl annotate dbmigration NAME dbmigrate.io/approve=contract`. */
    public static final String APPROVE_ANNOTATION = "dbmigrate.io/approve";
    public static final String OPENED_BY_ANNOTATION = "annotation " + APPROVE_ANNOTATION;
    public static final String OPENED_BY_SPEC = "spec gate.approval.approved";
    public static final String OPENED_BY_SPEC_PLAN = "spec gate.approval.plan";

    private Gates() {
    }

    /**
     * A gate's verdict.
     *
     * @param openedBy   what opened it, when open
     * @param reason     AwaitingApproval or AwaitingRollout, when closed
     * @param waitingFor what it waits for, for people, when closed
     * @param windowClosesAt when open: when the maintenance window it opened in closes; null without a window gate
     * @param nextWindow  when the next maintenance window opens; null without a window gate
     */
    public record Verdict(boolean open, String openedBy, String reason, String waitingFor, Instant windowClosesAt,
                                                Instant nextWindow) {
        public Verdict(boolean open, String openedBy, String reason, String waitingFor) {
            this(open, openedBy, reason, waitingFor, null, null);
        }
    }

    /**
     * @param plan the step's plan as status shows it (its digest is what {@code approval.plan} names)
     * @param annotationCounts false while the plan is being published: an approval in the annotation then predates the
     *                         plan, and is spent without opening the gate
     */
    public static Verdict check(Observation observation, StepEntry step, String planDigest, boolean annotationCounts) {
        return check(observation, step, planDigest, null, annotationCounts);
    }

    /**
     * The same, for a plan whose lint holds the step under lint mode Block ({@code lintBlock}: why, from
     * {@link io.dbmigrate.plan.PlanLint#blocking}; null when nothing holds it): that plan runs only once approved by its
     * digest, in the spec or by the annotation, whatever else the step's gate says; a spec's approved: true approved no
     * plan in particular, and so none of its findings.
     */
    public static Verdict check(Observation observation, StepEntry step, String planDigest, LintHold lintBlock,
                                boolean annotationCounts) {
        GateSpec gate = step.spec().gate() == null ? new GateSpec(null, null, null) : step.spec().gate();
        List<String> waiting = new ArrayList<>();
        List<String> opened = new ArrayList<>();
        String reason = null;
        // A plan held by lint asks for the approval an approval gate asks for, and more (approved: true approved no plan
        // in particular, so none of its findings): one approval opens both.
        if (gate.approval() != null || lintBlock != null) {
            String approvedPlan = gate.approval() == null ? null : gate.approval().plan();
            String findings = lintBlock == null ? "" : " (lint findings approved)";
            if (!step.deferred().isEmpty()) {
                // A Job of this plan already started (and found its window too short): the approval was given and spent.
                opened.add("the approval of its first window's Job");
            } else if (lintBlock == null && gate.approval().approvedInSpec()) {
                opened.add(OPENED_BY_SPEC);
            } else if (approvedPlan != null && approvedPlan.equals(planDigest)) {
                opened.add(OPENED_BY_SPEC_PLAN + " " + planDigest + findings);
            } else if (annotationCounts && approvedSteps(observation.resource()).contains(step.name())) {
                opened.add(OPENED_BY_ANNOTATION + findings);
            } else {
                String name = observation.resource().getMetadata().getName();
                String approve = "kubectl annotate dbmigration " + name + " " + APPROVE_ANNOTATION + "=" + step.name()
                        + ", or gate.approval.plan: " + planDigest + " in the spec";
                if (lintBlock != null) {
                    reason = lintBlock.unavailable() ? Reasons.LINT_UNAVAILABLE : Reasons.LINT_BLOCKED;
                    waiting.add("approval of plan " + planDigest + " because " + lintBlock.why()
                            + " and spec.safety.lint.mode is Block (fix the revision, add the rule to "
                            + "spec.safety.lint.ignore, or approve: " + approve + ")");
                } else {
                    reason = Reasons.AWAITING_APPROVAL;
                    waiting.add("approval of plan " + planDigest + " (" + approve + ")"
                            + (approvedPlan == null ? "" : "; the spec approves plan " + approvedPlan + ", not this one"));
                }
            }
        }
        if (gate.deploymentRollout() != null) {
            String name = gate.deploymentRollout().name();
            RolloutObservation rollout = observation.rollouts().getOrDefault(name, RolloutObservation.missing(name));
            if (rollout.complete()) {
                opened.add("rollout of Deployment " + name);
            } else {
                reason = reason == null ? Reasons.AWAITING_ROLLOUT : reason;
                waiting.add("rollout of Deployment " + name + " (" + rollout.detail() + ")");
            }
        }
        Instant closesAt = null;
        Instant next = null;
        if (gate.window() != null) {
            WindowGate w = gate.window();
            MaintenanceWindow window = MaintenanceWindow.parse(w.schedule(), w.duration(), w.timeZone());
            MaintenanceWindow.Verdict verdict = window.check(observation.now(), step.expectedDuration());
            next = verdict.nextOpensAt();
            if (verdict.open()) {
                closesAt = verdict.closesAt();
                opened.add("maintenance window " + window.describe() + " until " + MaintenanceWindow.rfc3339(closesAt));
            } else {
                reason = reason == null ? Reasons.AWAITING_WINDOW : reason;
                Duration expected = step.expectedDuration();
                // Merged windows can be longer than one, but a step longer than the window it is given is worth saying.
                waiting.add(verdict.reason() + (expected != null && expected.compareTo(window.duration()) > 0
                        ? "; the step is expected to take " + Durations.format(expected) + ", longer than a window ("
                        + w.duration() + "): lengthen gate.window.duration, or it may never start" : ""));
            }
        }
        if (!waiting.isEmpty()) {
            return new Verdict(false, null, reason, String.join(" and ", waiting), null, next);
        }
        return new Verdict(true, String.join(", ", opened), null, null, closesAt, next);
    }

    /**
     * Why lint mode Block holds a step on its plan.
     *
     * @param why         for people, e.g. "its lint found 1 error (...)"
     * @param unavailable the SQL could not be linted, rather than an error found in it
     */
    public record LintHold(String why, boolean unavailable) {
    }

    /**
     * The approvals the annotation lists that are used up or stale: the step's Job of this generation exists or is being
     * created now, or its plan is being published now (an approval given before the plan approved nothing anyone read).
     * An approval opens one run of a step, on the plan shown for it; left in place, it would open the same step in a
     * later generation, on a plan nobody has read.
     */
    static Set<String> spentApprovals(DatabaseMigration resource, List<StepEntry> steps, Decision decision) {
        Set<String> approved = approvedSteps(resource);
        if (approved.isEmpty()) {
            return Set.of();
        }
        Set<String> running = new HashSet<>();
        for (StepEntry step : steps) {
            if (step.job() != null) {
                running.add(step.name());
            }
        }
        if (decision instanceof Decision.CreateJob create) {
            running.add(create.step().name());
        }
        // A plan seen for the first time: whatever approval is there was given before anyone could read it.
        if (decision instanceof Decision.AwaitGate gate && gate.publishes()) {
            running.add(gate.step().name());
        }
        return approved.stream().filter(running::contains).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The annotation's value without the spent approvals; null when none is left. */
    public static String remainingApprovals(DatabaseMigration resource, Set<String> spent) {
        String left = approvedSteps(resource).stream().filter(step -> !spent.contains(step)).sorted()
                .collect(Collectors.joining(","));
        return left.isEmpty() ? null : left;
    }

    /** The step names the approve annotation lists. */
    public static Set<String> approvedSteps(DatabaseMigration resource) {
        return listed(resource.getMetadata().getAnnotations(), APPROVE_ANNOTATION);
    }

    /** The names a comma-separated annotation lists (approve, a set's retry); empty when it is absent. */
    public static Set<String> listed(Map<String, String> annotations, String key) {
        String value = annotations == null ? null : annotations.get(key);
        if (value == null) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
