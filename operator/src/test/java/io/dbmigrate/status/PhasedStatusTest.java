package io.dbmigrate.status;

import static io.dbmigrate.testing.Resources.NAME;
import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.UID;
import static io.dbmigrate.testing.Resources.activeJob;
import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backedUp;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.condition;
import static io.dbmigrate.testing.Resources.failed;
import static io.dbmigrate.testing.Resources.failedJob;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.plan;
import static io.dbmigrate.testing.Resources.planJob;
import static io.dbmigrate.testing.Resources.rolloutStep;
import static io.dbmigrate.testing.Resources.step;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.RolloutObservation;
import io.dbmigrate.status.TransitionEvent.Type;
import io.dbmigrate.testing.Resources;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Status and events of phased runs: steps[], AwaitingGate, the plan in status, StepSucceeded. */
class PhasedStatusTest {
    private static final StepSpec EXPAND = step("expand", "expand@head");
    private static final StepSpec CONTRACT = step("contract", "head");
    private static final PlanResult CONTRACT_PLAN = plan("head", "e5f6", List.of("f7a8", "a9b0"),
            "ALTER TABLE customers DROP COLUMN legacy_score;\n");

    private static String stepJob(String step) {
        return JobNames.forStep(NAME, UID, 1, step);
    }

    private static String planJobName(String step) {
        return JobNames.forPlan(NAME, UID, 1, step);
    }

    private static JobObservation succeeded(String job, String from, String to) {
        return succeededJob(job, attempt(ok(backupSucceeded(backupFile("g1"), from)), ok(upgradeSucceeded(from, to, to))));
    }

    /** One reconcile: decide, compute, store the status on the resource. */
    private static DatabaseMigrationStatus reconcile(DatabaseMigration resource, List<JobObservation> jobs, Instant now,
                                                                                                      RolloutObservation... rollouts) {
        Observation observation = observe(resource, jobs, rollouts);
        DatabaseMigrationStatus status = StatusAggregator.compute(observation, MigrationPlanner.decide(observation), now);
        resource.setStatus(status);
        return status;
    }

    private static void assertConditions(DatabaseMigrationStatus status, String ready, String reconciling, String stalled,
                                                                              String reason) {
        assertAll(
                () -> assertEquals(ready, condition(status, StatusCondition.READY).status(), "Ready"),
                () -> assertEquals(reconciling, condition(status, StatusCondition.RECONCILING).status(), "Reconciling"),
                () -> assertEquals(stalled, condition(status, StatusCondition.STALLED).status(), "Stalled"),
                () -> assertEquals(reason, condition(status, StatusCondition.READY).reason(), "Ready's reason"));
    }

    private static List<JobObservation> planned() {
        return List.of(succeeded(stepJob("expand"), "a1b2", "e5f6"), planJob(planJobName("contract"), CONTRACT_PLAN));
    }

    @Test
    void awaitingApprovalIsReconcilingNotStalledAndShowsThePlan() {
        DatabaseMigration resource = migration().steps(EXPAND, approvalStep("contract", "head", null)).build();

        DatabaseMigrationStatus status = reconcile(resource, planned(), T0);

        assertEquals(Phase.AwaitingGate, status.phase());
        assertConditions(status, "False", "True", "False", Reasons.AWAITING_APPROVAL);
        assertEquals("contract", status.currentStep());
        assertEquals("head", status.targetRevision(), "the last step's target");
        assertNull(status.job(), "no Job runs while the gate is closed");
        assertTrue(status.message().contains("dbmigrate.io/approve=contract"), status.message());
        assertTrue(status.message().contains("2 revisions to apply from e5f6 (f7a8, a9b0)"), status.message());
        assertTrue(status.message().contains("ConfigMap crm.contract.plan"), status.message());

        StepStatus contract = status.steps().get(1);
        assertEquals(Phase.AwaitingGate, contract.phase());
        assertTrue(contract.waitingFor().contains("dbmigrate.io/approve=contract"), contract.waitingFor());
        PlanStatus plan = contract.plan();
        assertNotNull(plan, "the plan an approval approves is in status");
        assertEquals(planJobName("contract"), plan.job());
        assertEquals(JobNames.planConfigMap(NAME, Resources.UID, "contract"), plan.configMap());
        assertEquals("e5f6", plan.fromRevision());
        assertEquals("upgrade", plan.direction());
        assertEquals(List.of("f7a8", "a9b0"), plan.pendingRevisions());
        assertEquals(CONTRACT_PLAN.sqlBytes(), plan.sqlBytes());
        assertEquals(Boolean.TRUE, plan.sqlComplete());
        assertEquals(Phase.Succeeded, status.steps().get(0).phase());
        assertNull(status.steps().get(0).plan(), "an ungated step has no plan");
    }

    @Test
    void waitingForTheGateAgainChangesNothing() {
        DatabaseMigration resource = migration().steps(EXPAND, approvalStep("contract", "head", null)).build();
        DatabaseMigrationStatus first = reconcile(resource, planned(), T0);

        DatabaseMigrationStatus again = reconcile(resource, planned(), T0.plusSeconds(3600));

        assertEquals(first, again, "the reconciler writes nothing while the gate stays closed");
        assertEquals(List.of(), TransitionEvent.between(first, again));
    }

    @Test
    void awaitingRolloutNamesTheDeploymentAndWhatItWaitsFor() {
        DatabaseMigration resource = migration().steps(EXPAND, rolloutStep("contract", "head", "crm-web")).build();

        DatabaseMigrationStatus status = reconcile(resource, planned(), T0,
                new RolloutObservation("crm-web", true, false, "1 of 3 updated replicas available"));

        assertEquals(Phase.AwaitingGate, status.phase());
        assertConditions(status, "False", "True", "False", Reasons.AWAITING_ROLLOUT);
        assertTrue(status.message().contains("rollout of Deployment crm-web (1 of 3 updated replicas available)"),
                status.message());
        assertTrue(status.message().contains("crm.contract.plan"), status.message());
    }

    @Test
    void aGateOpenedByTheSpecPublishesThePlanThenStarts() {
        DatabaseMigration resource = migration().steps(EXPAND, approvalStep("contract", "head", true)).build();

        DatabaseMigrationStatus published = reconcile(resource, planned(), T0);
        assertEquals(Phase.AwaitingGate, published.phase());
        assertEquals(Reasons.PLAN_PUBLISHED, condition(published, StatusCondition.READY).reason());
        assertNotNull(published.steps().get(1).plan().configMap());

        DatabaseMigrationStatus started = reconcile(resource, planned(), T0.plusSeconds(1));
        assertConditions(started, "False", "True", "False", Reasons.JOB_CREATED);
        assertEquals(stepJob("contract"), started.job());
        StepStatus contract = started.steps().get(1);
        assertEquals(Phase.Pending, contract.phase());
        assertEquals(Gates.OPENED_BY_SPEC, contract.openedBy());
        assertEquals(stepJob("contract"), contract.job());
        assertEquals("e5f6", contract.plan().fromRevision(), "the plan stays in status after the gate opened");
        assertTrue(started.message().contains("gate opened by " + Gates.OPENED_BY_SPEC), started.message());
    }

    @Test
    void aFailedPlanJobFailsTheStepWithTheRunnersReason() {
        DatabaseMigration resource = migration().steps(EXPAND, approvalStep("contract", "head", null)).build();
        JobObservation planFailed = failedJob(planJobName("contract"), "PodFailurePolicy", null,
                attempt(null, ok(failed("plan", ExitCode.AUTHENTICATION_FAILED, "password authentication failed for user crm"))));

        DatabaseMigrationStatus status = reconcile(resource, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6"), planFailed),
                T0);

        assertEquals(Phase.Failed, status.phase());
        assertConditions(status, "False", "False", "True", "AuthenticationFailed");
        assertEquals("AuthenticationFailed", condition(status, StatusCondition.STALLED).reason());
        assertTrue(status.message().contains("password authentication failed"), status.message());
        assertEquals(Phase.Failed, status.steps().get(1).phase());
        assertEquals(Phase.Succeeded, status.steps().get(0).phase());

        // Its plan Job deleted later: the generation stays failed as it was.
        DatabaseMigrationStatus after = reconcile(resource, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6")),
                T0.plusSeconds(600));
        assertEquals(status, after);
    }

    @Test
    void stepsAreRecordedAsTheyGo() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT).build();

        DatabaseMigrationStatus created = reconcile(resource, List.of(), T0);
        assertEquals("expand", created.currentStep());
        assertEquals(List.of("expand", "contract"), created.steps().stream().map(StepStatus::name).toList());
        assertEquals(Phase.Pending, created.steps().get(1).phase());
        assertNull(created.steps().get(1).job());

        DatabaseMigrationStatus migrating = reconcile(resource, List.of(activeJob(stepJob("expand"),
                backedUp("g1-expand", "a1b2"))), T0.plusSeconds(5));
        assertEquals(Phase.Migrating, migrating.phase());
        assertEquals(Phase.Migrating, migrating.steps().get(0).phase());
        assertTrue(migrating.message().startsWith("Step expand: "), migrating.message());

        JobObservation expandDone = succeeded(stepJob("expand"), "a1b2", "e5f6");
        DatabaseMigrationStatus next = reconcile(resource, List.of(expandDone), T0.plusSeconds(10));
        assertEquals("contract", next.currentStep());
        assertEquals(stepJob("contract"), next.job());
        assertEquals(Phase.Succeeded, next.steps().get(0).phase());
        assertEquals("e5f6", next.steps().get(0).toRevision());
        assertEquals(stepJob("expand"), next.steps().get(0).job());
        assertEquals(1L, next.steps().get(0).generation());
        assertEquals(Phase.Pending, next.steps().get(1).phase());
        assertEquals(stepJob("contract"), next.steps().get(1).job());
        assertEquals("e5f6", next.currentRevision());

        DatabaseMigrationStatus done = reconcile(resource, List.of(expandDone, succeeded(stepJob("contract"), "e5f6", "f7a8")),
                T0.plusSeconds(20));
        assertEquals(Phase.Succeeded, done.phase());
        assertConditions(done, "True", "False", "False", Reasons.SUCCEEDED);
        assertEquals("f7a8", done.currentRevision());
        assertTrue(done.message().contains("2 steps succeeded (expand, contract)"), done.message());
    }

    @Test
    void aCarriedOverStepKeepsItsGenerationAndJob() {
        DatabaseMigration first = migration().steps(EXPAND, CONTRACT).build();
        reconcile(first, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6"), succeeded(stepJob("contract"), "e5f6", "f7a8")),
                T0);
        DatabaseMigration second = migration().generation(2L).steps(EXPAND, step("contract", "f7a8"))
                .status(first.getStatus()).build();

        DatabaseMigrationStatus status = reconcile(second, List.of(), T0.plusSeconds(60));

        StepStatus expand = status.steps().get(0);
        assertEquals(Phase.Succeeded, expand.phase());
        assertEquals(1L, expand.generation(), "ran in generation 1, kept in 2");
        assertEquals(stepJob("expand"), expand.job());
        assertEquals(2L, status.observedGeneration());
        assertEquals(JobNames.forStep(NAME, UID, 2, "contract"), status.steps().get(1).job());
        assertEquals(2L, status.steps().get(1).generation());
    }

    @Test
    void aSucceededStepOfAMultiStepRunIsAStepSucceededEvent() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT).build();
        DatabaseMigrationStatus migrating = reconcile(resource, List.of(activeJob(stepJob("expand"),
                backedUp("g1-expand", "a1b2"))), T0);
        DatabaseMigrationStatus next = reconcile(resource, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6")),
                T0.plusSeconds(10));

        List<TransitionEvent> events = TransitionEvent.between(migrating, next);

        TransitionEvent stepSucceeded = events.stream().filter(e -> e.reason().equals(Reasons.STEP_SUCCEEDED)).findFirst()
                .orElseThrow(() -> new AssertionError(events.toString()));
        assertEquals(Type.Normal, stepSucceeded.type());
        assertTrue(stepSucceeded.message().contains("expand"), stepSucceeded.message());
        assertTrue(stepSucceeded.message().contains("a1b2 -> e5f6"), stepSucceeded.message());
        // Announced once: the next reconcile with the same Jobs says nothing of it again.
        DatabaseMigrationStatus again = reconcile(resource, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6")),
                T0.plusSeconds(20));
        assertTrue(TransitionEvent.between(next, again).stream().noneMatch(e -> e.reason().equals(Reasons.STEP_SUCCEEDED)));
    }

    @Test
    void aSingleStepRunHasNoStepSucceededEvent() {
        DatabaseMigration resource = migration().build();
        String job = MigrationPlanner.jobName(resource);
        DatabaseMigrationStatus migrating = reconcile(resource, List.of(activeJob(job, backedUp("g1", "a1b2"))), T0);
        DatabaseMigrationStatus done = reconcile(resource, List.of(succeeded(job, "a1b2", "c3d4")), T0);

        assertEquals(List.of("Succeeded"), TransitionEvent.between(migrating, done).stream().map(TransitionEvent::reason)
                .toList(), "Succeeded says it already");
    }

    @Test
    void awaitingApprovalIsANormalEventAndPlanPublishedIsNone() {
        DatabaseMigration waiting = migration().steps(EXPAND, approvalStep("contract", "head", null)).build();
        DatabaseMigrationStatus before = reconcile(waiting, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6")), T0);
        DatabaseMigrationStatus awaiting = reconcile(waiting, planned(), T0);
        assertTrue(TransitionEvent.between(before, awaiting).contains(
                new TransitionEvent(Type.Normal, Reasons.AWAITING_APPROVAL, awaiting.message())), TransitionEvent.between(before,
                awaiting).toString());

        DatabaseMigration approved = migration().steps(EXPAND, approvalStep("contract", "head", true)).build();
        DatabaseMigrationStatus planning = reconcile(approved, List.of(succeeded(stepJob("expand"), "a1b2", "e5f6")), T0);
        DatabaseMigrationStatus published = reconcile(approved, planned(), T0);
        assertTrue(TransitionEvent.between(planning, published).stream()
                .noneMatch(e -> e.reason().equals(Reasons.PLAN_PUBLISHED)), "a moment between plan and Job is not an event");
    }
}
