package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.NAME;
import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.UID;
import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.plan;
import static io.dbmigrate.testing.Resources.planJob;
import static io.dbmigrate.testing.Resources.step;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.ApprovalGate;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.plan.PlanDigest;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lint mode Block holds a step whose plan has an error finding until that plan is approved by digest; Warn never. */
class LintGateTest {
    private static final StepSpec EXPAND = step("expand", "expand@head");
    private static final StepSpec CONTRACT = step("contract", "head");
    private static final LintFinding INDEX = new LintFinding("require-concurrent-index-creation", "f7a8",
            LintFinding.ERROR, "During normal index creation, table updates are blocked.",
            "CREATE INDEX ix_customers_email ON customers (email);", 12);
    private static final LintFinding DROP = new LintFinding("ban-drop-column", "f7a8", LintFinding.WARNING,
            "Dropping a column may break existing clients.", "ALTER TABLE customers DROP COLUMN legacy_score;", 14);
    private static final String SQL = "CREATE INDEX ix_customers_email ON customers (email);\n";

    private static PlanResult linted(LintReport report) {
        return plan("head", "e5f6", List.of("f7a8"), SQL).withLint(report);
    }

    private static LintReport report(LintFinding... findings) {
        return LintReport.of("squawk 2.66.0", List.of(findings));
    }

    private static Resources.Migration lint(LintSpec.LintMode mode, StepSpec contract) {
        return migration().safety(new SafetySpec(null, null, null, new LintSpec(mode, null))).steps(EXPAND, contract);
    }

    private static String planJobName() {
        return JobNames.forPlan(NAME, UID, 1, "contract");
    }

    private static JobObservation expandDone() {
        return succeededJob(JobNames.forStep(NAME, UID, 1, "expand"),
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeSucceeded("a1b2", "e5f6", "e5f6"))));
    }

    /** Reconciles once, as the reconciler does, and stores the status on the resource. */
    private static Decision reconcile(DatabaseMigration resource, List<JobObservation> jobs) {
        Observation observation = observe(resource, jobs);
        Decision decision = MigrationPlanner.decide(observation);
        resource.setStatus(StatusAggregator.compute(observation, decision, T0));
        return decision;
    }

    /** Runs the resource through planning and publishing of contract's plan; returns the decision after that. */
    private static Decision afterPublishing(DatabaseMigration resource, PlanResult plan) {
        List<JobObservation> jobs = new ArrayList<>(List.of(expandDone()));
        assertInstanceOf(Decision.CreatePlanJob.class, reconcile(resource, jobs), "setup: contract is planned first");
        jobs.add(planJob(planJobName(), plan));
        Decision.AwaitGate publish = assertInstanceOf(Decision.AwaitGate.class, reconcile(resource, jobs));
        assertSame(plan, publish.publish(), "setup: the plan is published");
        return reconcile(resource, jobs);
    }

    @Test
    void blockPlansAStepWithoutAGateAndHoldsItOnAnErrorFinding() {
        DatabaseMigration resource = lint(LintSpec.LintMode.Block, CONTRACT).build();
        PlanResult plan = linted(report(INDEX, DROP));

        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class, afterPublishing(resource, plan));

        assertEquals(Reasons.LINT_BLOCKED, held.reason());
        String digest = PlanDigest.of(plan);
        assertTrue(held.waitingFor().contains("approval of plan " + digest), held.waitingFor());
        assertTrue(held.waitingFor().contains("require-concurrent-index-creation in revision f7a8"), held.waitingFor());
        assertTrue(held.waitingFor().contains("dbmigrate.io/approve=contract"), held.waitingFor());
        LintStatus shown = resource.getStatus().steps().get(1).plan().lint();
        assertEquals(2, shown.total());
        assertEquals(1, shown.errors());
        assertEquals(Reasons.LINT_BLOCKED, resource.getStatus().conditions().stream()
                .filter(c -> "Ready".equals(c.type())).findFirst().orElseThrow().reason());
    }

    @Test
    void blockOpensOnTheApproveAnnotationGivenAfterThePlan() {
        DatabaseMigration resource = lint(LintSpec.LintMode.Block, CONTRACT).build();
        PlanResult plan = linted(report(INDEX));
        assertInstanceOf(Decision.AwaitGate.class, afterPublishing(resource, plan));

        resource.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of(Gates.APPROVE_ANNOTATION,
                "contract")));
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(resource, List.of(expandDone(), planJob(planJobName(), plan)))));
        assertEquals(Gates.OPENED_BY_ANNOTATION + " (lint findings approved)", create.openedBy());
    }

    @Test
    void blockOpensOnTheSpecApprovingThisDigestAndNoOther() {
        PlanResult plan = linted(report(INDEX));
        String digest = PlanDigest.of(plan);
        StepSpec approvesThisPlan = new StepSpec("contract", "head",
                new GateSpec(new ApprovalGate(null, digest), null, null), null, null);
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                afterPublishing(lint(LintSpec.LintMode.Block, approvesThisPlan).build(), plan));
        assertTrue(create.openedBy().contains(digest), create.openedBy());

        // The same SQL with another finding is another plan: the spec's digest approves not it.
        PlanResult other = linted(report(INDEX, DROP));
        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class,
                afterPublishing(lint(LintSpec.LintMode.Block, approvesThisPlan).build(), other));
        assertEquals(Reasons.LINT_BLOCKED, held.reason());
    }

    @Test
    void approvedTrueInTheSpecApprovesNoFindings() {
        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class,
                afterPublishing(lint(LintSpec.LintMode.Block, approvalStep("contract", "head", true)).build(),
                        linted(report(INDEX))));

        assertEquals(Reasons.LINT_BLOCKED, held.reason());
    }

    @Test
    void blockDoesNotHoldAPlanWithWarningsOnly() {
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                afterPublishing(lint(LintSpec.LintMode.Block, CONTRACT).build(), linted(report(DROP))));

        assertEquals("contract", create.step().name());
    }

    @Test
    void blockHoldsAPlanThatCouldNotBeLinted() {
        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class,
                afterPublishing(lint(LintSpec.LintMode.Block, CONTRACT).build(), linted(LintReport.unavailable(null,
                        "squawk cannot run: squawk (DBMIGRATE_SQUAWK) not found or not executable"))));

        assertEquals(Reasons.LINT_UNAVAILABLE, held.reason());
        assertTrue(held.waitingFor().contains("could not be linted (squawk cannot run"), held.waitingFor());
    }

    @Test
    void blockHoldsWhenOnlyTheFirstFindingsWereSeenAndTheirErrorsWereNotCounted() {
        LintReport cut = new LintReport("squawk 2.66.0", List.of(DROP), 40, null, null);
        DatabaseMigration resource = lint(LintSpec.LintMode.Block, CONTRACT).build();

        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class, afterPublishing(resource, linted(cut)));

        assertEquals(Reasons.LINT_BLOCKED, held.reason());
        assertTrue(held.waitingFor().contains("only the first ones were seen"), held.waitingFor());
        assertTrue(resource.getStatus().message().contains("lint: 40 findings, errors not counted"),
                "not 0 errors: " + resource.getStatus().message());
    }

    @Test
    void aCutListHoldsOnTheErrorsCountedAmongAllFindingsNotOnBeingCut() {
        // 40 findings, the first shown: with no error among all 40, warnings alone hold nothing.
        LintReport warnings = new LintReport("squawk 2.66.0", List.of(DROP), 40, 0, null);
        assertInstanceOf(Decision.CreateJob.class,
                afterPublishing(lint(LintSpec.LintMode.Block, CONTRACT).build(), linted(warnings)));

        // An error among the findings cut from the list still holds the step, though none shown is an error.
        LintReport hiddenError = new LintReport("squawk 2.66.0", List.of(DROP), 40, 1, null);
        DatabaseMigration resource = lint(LintSpec.LintMode.Block, CONTRACT).build();
        Decision.AwaitGate held = assertInstanceOf(Decision.AwaitGate.class, afterPublishing(resource,
                linted(hiddenError)));

        assertEquals(Reasons.LINT_BLOCKED, held.reason());
        assertTrue(held.waitingFor().contains("its lint found 1 error and spec.safety.lint.mode is Block"),
                held.waitingFor());
        LintStatus shown = resource.getStatus().steps().get(1).plan().lint();
        assertEquals(List.of(40, 1), List.of(shown.total(), shown.errors()));
        assertEquals(Boolean.FALSE, shown.complete());
    }

    @Test
    void warnNeitherPlansAStepWithoutAGateNorHoldsAGatedOne() {
        DatabaseMigration ungated = lint(LintSpec.LintMode.Warn, CONTRACT).build();
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                reconcile(ungated, List.of(expandDone())));
        assertEquals("contract", create.step().name());

        Decision.CreateJob approved = assertInstanceOf(Decision.CreateJob.class,
                afterPublishing(lint(LintSpec.LintMode.Warn, approvalStep("contract", "head", true)).build(),
                        linted(report(INDEX))));
        assertEquals(Gates.OPENED_BY_SPEC, approved.openedBy());
    }

    @Test
    void aGatedStepsPlanShowsItsFindingsUnderWarn() {
        DatabaseMigration resource = lint(null, approvalStep("contract", "head", null)).build();

        Decision.AwaitGate waiting = assertInstanceOf(Decision.AwaitGate.class,
                afterPublishing(resource, linted(report(DROP, INDEX))));

        assertEquals(Reasons.AWAITING_APPROVAL, waiting.reason(), "an approval gate, not lint, holds it");
        LintStatus shown = resource.getStatus().steps().get(1).plan().lint();
        assertNotNull(shown);
        assertEquals("require-concurrent-index-creation", shown.findings().get(0).rule(), "errors first");
        assertTrue(resource.getStatus().message().contains("lint: 2 findings, 1 error"),
                resource.getStatus().message());
    }

    @Test
    void aStepWithNothingToApplyIsNotHeld() {
        PlanResult nothing = new PlanResult("head", "e5f6", PlanResult.NONE, List.of(), null, null, null, null);

        assertNull(io.dbmigrate.plan.PlanLint.hold(nothing.pendingRevisions(), null));
        assertInstanceOf(Decision.CreateJob.class,
                afterPublishing(lint(LintSpec.LintMode.Block, CONTRACT).build(), nothing));
    }
}
