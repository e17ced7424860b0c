package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.NAME;
import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.UID;
import static io.dbmigrate.testing.Resources.activeJob;
import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backedUp;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.entry;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.ApprovalGate;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DeploymentRolloutGate;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.RolloutObservation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.plan.PlanDigest;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner over steps: order, carry-over between generations, plan before gate, gates, suspend. */
class PhasedPlannerTest {
    private static final StepSpec EXPAND = step("expand", "expand@head");
    private static final StepSpec CONTRACT = step("contract", "head");
    private static final StepSpec CONTRACT_APPROVAL = approvalStep("contract", "head", null);
    private static final PlanResult CONTRACT_PLAN = plan("head", "e5f6", List.of("f7a8"),
            "ALTER TABLE customers DROP COLUMN legacy_score;\n");

    private static String stepJob(long generation, String step) {
        return JobNames.forStep(NAME, UID, generation, step);
    }

    private static String planJobName(long generation, String step) {
        return JobNames.forPlan(NAME, UID, generation, step);
    }

    private static JobObservation succeeded(String job, String from, String to) {
        return succeededJob(job, attempt(ok(backupSucceeded(backupFile("g1"), from)), ok(upgradeSucceeded(from, to, to))));
    }

    /** Reconciles once, as the reconciler does, and stores the status on the resource. */
    private static Decision reconcile(DatabaseMigration resource, List<JobObservation> jobs,
                                                                        RolloutObservation... rollouts) {
        Observation observation = observe(resource, jobs, rollouts);
        Decision decision = MigrationPlanner.decide(observation);
        resource.setStatus(StatusAggregator.compute(observation, decision, T0));
        return decision;
    }

    /** A resource whose gated contract step has its plan recorded in status (and expand succeeded). */
    private static DatabaseMigration planRecorded(Resources.Migration migration) {
        DatabaseMigration resource = migration.build();
        List<JobObservation> jobs = List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"),
                planJob(planJobName(1, "contract"), CONTRACT_PLAN));
        Decision publish = reconcile(resource, jobs);
        assertInstanceOf(Decision.AwaitGate.class, publish, "setup: the plan is published");
        assertTrue(entry(observe(resource, jobs), 1).planRecorded(), "setup: status records the plan");
        return resource;
    }

    private static List<JobObservation> jobsAfterPlan() {
        return List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"), planJob(planJobName(1, "contract"), CONTRACT_PLAN));
    }

    // Order.

    @Test
    void stepsRunInOrderEachInAJobOfItsOwn() {
        DatabaseMigration resource = migration().generation(2L).steps(EXPAND, CONTRACT).build();

        Decision first = MigrationPlanner.decide(observe(resource, List.of()));
        Decision.CreateJob createExpand = assertInstanceOf(Decision.CreateJob.class, first);
        assertEquals("expand", createExpand.step().name(), "the first step first");
        assertEquals(stepJob(2, "expand"), createExpand.step().jobName());

        JobObservation expandRunning = activeJob(stepJob(2, "expand"), backedUp("g2-expand", "a1b2"));
        Decision whileRunning = MigrationPlanner.decide(observe(resource, List.of(expandRunning)));
        Decision.FollowJob follow = assertInstanceOf(Decision.FollowJob.class, whileRunning,
                "step 2 must not start while step 1's Job runs");
        assertEquals("expand", follow.step().name());

        JobObservation expandDone = succeeded(stepJob(2, "expand"), "a1b2", "e5f6");
        Decision.CreateJob createContract = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(resource, List.of(expandDone))), "step 2 once step 1's Job succeeded");
        assertEquals("contract", createContract.step().name());
        assertEquals(stepJob(2, "contract"), createContract.step().jobName());
        assertNotEquals(createExpand.step().jobName(), createContract.step().jobName());
        assertTrue(createContract.step().jobName().contains("-g2-"), createContract.step().jobName());

        Decision end = MigrationPlanner.decide(observe(resource, List.of(expandDone,
                succeeded(stepJob(2, "contract"), "e5f6", "f7a8"))));
        assertEquals(new Decision.Finished(), end);
    }

    @Test
    void aFailedStepStopsTheStepsAfterIt() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT).build();
        JobObservation expandFailed = failedJob(stepJob(1, "expand"), "PodFailurePolicy", null,
                attempt(ok(backupSucceeded(backupFile("g1-expand"), "a1b2")), ok(failed("upgrade", ExitCode.MIGRATION_FAILED,
                        "boom"))));

        Decision decision = MigrationPlanner.decide(observe(resource, List.of(expandFailed)));

        Decision.FollowJob follow = assertInstanceOf(Decision.FollowJob.class, decision);
        assertEquals("expand", follow.step().name(), "contract never starts after expand failed");
    }

    @Test
    void stepJobNamesArePerGeneration() {
        assertNotEquals(stepJob(1, "expand"), stepJob(2, "expand"));
        assertNotEquals(stepJob(1, "expand"), stepJob(1, "contract"));
        DatabaseMigration second = migration().generation(2L).steps(EXPAND, CONTRACT).build();
        // Generation 1's expand Job, still around, is not generation 2's.
        Decision decision = MigrationPlanner.decide(observe(second, List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"))));

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, decision);
        assertEquals(stepJob(2, "expand"), create.step().jobName());
    }

    // Carry-over between generations.

    /** Generation 1 ran both steps; returns generation 2's resource built by {@code edit}, with generation 1's status. */
    private static DatabaseMigration afterBothSucceeded(java.util.function.UnaryOperator<Resources.Migration> edit) {
        DatabaseMigration first = migration().steps(EXPAND, CONTRACT).build();
        reconcile(first, List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"), succeeded(stepJob(1, "contract"), "e5f6",
                "f7a8")));
        assertEquals(io.dbmigrate.api.v1alpha1.Phase.Succeeded, first.getStatus().phase(), "setup");
        return edit.apply(migration().generation(2L).steps(EXPAND, CONTRACT)).status(first.getStatus()).build();
    }

    @Test
    void aSucceededStepWithTheSameFingerprintIsNotRunAgainInTheNextGeneration() {
        // An edit that changes neither database, image, path nor targets (here: how many backups to keep).
        DatabaseMigration edited = afterBothSucceeded(m -> m.backup(new io.dbmigrate.api.v1alpha1.BackupSpec(
                io.dbmigrate.api.v1alpha1.BackupSpec.BackupMode.Required, null, Resources.volume(Resources.CLAIM), 9, null)));

        List<StepEntry> entries = StepLedger.read(observe(edited, List.of()));
        assertEquals(StepEntry.State.Succeeded, entries.get(0).state());
        assertEquals(StepEntry.State.Succeeded, entries.get(1).state());
        assertEquals(new Decision.Finished(), MigrationPlanner.decide(observe(edited, List.of())));
    }

    @Test
    void aNewImageRunsEveryStepAgain() {
        DatabaseMigration edited = afterBothSucceeded(m -> m.image("registry.example.com/crm-migrations:1.1.0"));

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(edited, List.of())), "head of a new image is a new target");
        assertEquals("expand", create.step().name());
        assertEquals(stepJob(2, "expand"), create.step().jobName());
    }

    @Test
    void aNewTargetRunsThatStepAgainAndKeepsTheOthers() {
        DatabaseMigration edited = afterBothSucceeded(m -> m.steps(EXPAND, step("contract", "f7a8")));

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(observe(edited, List.of())));
        assertEquals("contract", create.step().name(), "expand kept its fingerprint; contract's target changed");
        assertEquals(stepJob(2, "contract"), create.step().jobName());
    }

    @Test
    void aFailedStepIsNotCarriedOverEvenWithTheSameFingerprint() {
        DatabaseMigration first = migration().steps(EXPAND, CONTRACT).build();
        reconcile(first, List.of(failedJob(stepJob(1, "expand"), "PodFailurePolicy", null,
                attempt(ok(backupSucceeded(backupFile("g1-expand"), "a1b2")), ok(failed("upgrade", ExitCode.LOCK_TIMEOUT,
                        "lock_timeout on customers"))))));
        DatabaseMigration retried = migration().generation(2L).steps(EXPAND, CONTRACT).status(first.getStatus()).build();

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(observe(retried, List.of())),
                "an edit (even a no-op one) is how a failed step is tried again");
        assertEquals(stepJob(2, "expand"), create.step().jobName());
    }

    // Plan before gate.

    @Test
    void aGatedStepIsPlannedThenPublishedThenWaitsForItsApproval() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL).build();
        JobObservation expandDone = succeeded(stepJob(1, "expand"), "a1b2", "e5f6");

        Decision plan = reconcile(resource, List.of(expandDone));
        Decision.CreatePlanJob createPlan = assertInstanceOf(Decision.CreatePlanJob.class, plan,
                "a gated step gets a plan Job before anything else");
        assertEquals("contract", createPlan.step().name());
        assertEquals(planJobName(1, "contract"), createPlan.step().planJobName());
        assertNotEquals(createPlan.step().jobName(), createPlan.step().planJobName());

        JobObservation planning = activeJob(planJobName(1, "contract"));
        Decision.FollowPlanJob followPlan = assertInstanceOf(Decision.FollowPlanJob.class,
                reconcile(resource, List.of(expandDone, planning)));
        assertEquals(planning, followPlan.job());

        List<JobObservation> planned = List.of(expandDone, planJob(planJobName(1, "contract"), CONTRACT_PLAN));
        Decision.AwaitGate publish = assertInstanceOf(Decision.AwaitGate.class, reconcile(resource, planned));
        assertEquals("contract", publish.step().name());
        assertEquals(Reasons.AWAITING_APPROVAL, publish.reason());
        assertSame(CONTRACT_PLAN, publish.publish(), "published the first time it is seen");
        assertTrue(publish.waitingFor().contains("dbmigrate.io/approve=contract"), publish.waitingFor());

        Decision.AwaitGate waiting = assertInstanceOf(Decision.AwaitGate.class, reconcile(resource, planned));
        assertNull(waiting.publish(), "once status records the plan it is not published again");
        assertEquals(Reasons.AWAITING_APPROVAL, waiting.reason());
    }

    @Test
    void theApproveAnnotationNamingTheStepOpensItsGate() {
        DatabaseMigration resource = planRecorded(migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract"));

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(resource, jobsAfterPlan())));
        assertEquals("contract", create.step().name());
        assertEquals(Gates.OPENED_BY_ANNOTATION, create.openedBy());
    }

    @Test
    void theAnnotationIsACommaSeparatedList() {
        DatabaseMigration resource = planRecorded(migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "backfill, contract"));

        assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(observe(resource, jobsAfterPlan())));
    }

    @Test
    void anAnnotationNamingAnotherStepDoesNotOpenTheGate() {
        for (String value : List.of("expand", "contracts", "contract-v2", "", "Contract")) {
            DatabaseMigration resource = planRecorded(migration().steps(EXPAND, CONTRACT_APPROVAL)
                    .annotation(Gates.APPROVE_ANNOTATION, value));

            Decision.AwaitGate await = assertInstanceOf(Decision.AwaitGate.class,
                    MigrationPlanner.decide(observe(resource, jobsAfterPlan())), "approve=" + value);
            assertEquals(Reasons.AWAITING_APPROVAL, await.reason(), value);
        }
    }

    @Test
    void approvedInTheSpecOpensTheGateOnceThePlanIsRecorded() {
        DatabaseMigration resource = migration().steps(EXPAND, approvalStep("contract", "head", true)).build();

        // The plan is seen for the first time: it is published in its own reconcile, the gate being open already.
        Decision.AwaitGate publish = assertInstanceOf(Decision.AwaitGate.class, reconcile(resource, jobsAfterPlan()));
        assertEquals(Reasons.PLAN_PUBLISHED, publish.reason());
        assertSame(CONTRACT_PLAN, publish.publish());

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, reconcile(resource, jobsAfterPlan()));
        assertEquals(Gates.OPENED_BY_SPEC, create.openedBy());
    }

    @Test
    void approvedFalseInTheSpecIsNoApproval() {
        DatabaseMigration resource = planRecorded(migration().steps(EXPAND, approvalStep("contract", "head", false)));

        assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(observe(resource, jobsAfterPlan())));
    }

    @Test
    void anApprovalBeforeThePlanDoesNotSkipThePlan() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();

        assertInstanceOf(Decision.CreatePlanJob.class,
                MigrationPlanner.decide(observe(resource, List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6")))));
    }

    @Test
    void anApprovalGivenBeforeThePlanIsSpentWhenThePlanIsPublishedAndOpensNothing() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();
        Observation planned = observe(resource, jobsAfterPlan());

        Decision.AwaitGate publish = assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(planned));
        assertSame(CONTRACT_PLAN, publish.publish());
        assertEquals(Reasons.AWAITING_APPROVAL, publish.reason(), "the approval predates the plan");
        assertEquals(java.util.Set.of("contract"), Reconciliation.of(planned).spentApprovals());
        assertTrue(publish.waitingFor().contains("plan " + PlanDigest.of(CONTRACT_PLAN)), publish.waitingFor());
    }

    @Test
    void theSpecApprovesTheDigestOfThePublishedPlanOnly() {
        String digest = PlanDigest.of(CONTRACT_PLAN);
        StepSpec approvesThisPlan = new StepSpec("contract", "head",
                new GateSpec(new ApprovalGate(null, digest), null, null), null, null);
        DatabaseMigration resource = planRecorded(migration().steps(EXPAND, approvesThisPlan));
        assertEquals(digest, resource.getStatus().steps().get(1).plan().digest());

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(resource, jobsAfterPlan())));
        assertEquals(Gates.OPENED_BY_SPEC_PLAN + " " + digest, create.openedBy());

        // Another plan of the step (here: another SQL) has another digest and waits.
        PlanResult other = plan("head", "e5f6", List.of("f7a8"), "ALTER TABLE customers DROP COLUMN legacy_score CASCADE;\n");
        assertNotEquals(digest, PlanDigest.of(other));
        DatabaseMigration second = migration().steps(EXPAND, approvesThisPlan).build();
        List<JobObservation> jobs = List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"),
                planJob(planJobName(1, "contract"), other));
        reconcile(second, jobs);
        assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(observe(second, jobs)));
    }

    @Test
    void aFailedPlanJobFailsTheStepAndNoJobFollows() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();
        JobObservation planFailed = failedJob(planJobName(1, "contract"), "PodFailurePolicy", null,
                attempt(null, ok(failed("plan", ExitCode.AUTHENTICATION_FAILED, "password authentication failed"))));
        List<JobObservation> jobs = List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"), planFailed);

        Decision.FollowPlanJob follow = assertInstanceOf(Decision.FollowPlanJob.class, reconcile(resource, jobs),
                "approved, but its plan failed: the step does not start");
        assertEquals(planFailed, follow.job());

        // The plan Job is deleted: the step stays failed for this generation, with no new plan Job and no step Job.
        assertEquals(new Decision.Finished(), MigrationPlanner.decide(observe(resource,
                List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6")))));
    }

    @Test
    void aPlanJobThatSucceededWithoutAPlanNeverOpensTheGate() {
        // An approval is already there: without this rule the gate would open on a plan nobody saw.
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();
        JobObservation noPlan = succeededJob(planJobName(1, "contract"),
                attempt(null, ok(io.dbmigrate.contract.RunnerResult.of("plan", ExitCode.OK, "an older runner's plan"))));
        List<JobObservation> jobs = List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"), noPlan);

        for (int reconcile = 0; reconcile < 3; reconcile++) {
            assertInstanceOf(Decision.FollowPlanJob.class, reconcile(resource, jobs), "reconcile " + reconcile);
        }
        assertEquals(io.dbmigrate.api.v1alpha1.Phase.Failed, resource.getStatus().phase());
        assertEquals(Reasons.PLAN_UNAVAILABLE, Resources.condition(resource.getStatus(), "Ready").reason());
        assertEquals(io.dbmigrate.api.v1alpha1.Phase.Failed, resource.getStatus().steps().get(1).phase());
        assertTrue(resource.getStatus().message().contains("reported no plan"), resource.getStatus().message());
    }

    @Test
    void anApprovalIsSpentOnceItsStepsJobExists() {
        DatabaseMigration resource = planRecorded(migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "backfill, contract"));
        Observation waiting = observe(resource, jobsAfterPlan());
        Decision create = MigrationPlanner.decide(waiting);
        assertInstanceOf(Decision.CreateJob.class, create);

        assertEquals(java.util.Set.of("contract"), Reconciliation.of(waiting).spentApprovals(), "spent as its Job is created");
        List<JobObservation> running = new ArrayList<>(jobsAfterPlan());
        running.add(activeJob(stepJob(1, "contract"), backedUp("g1-contract", "e5f6")));
        Observation later = observe(resource, running);
        assertEquals(java.util.Set.of("contract"), Reconciliation.of(later).spentApprovals(),
                "still spent when the first removal was lost");
        assertEquals("backfill", Gates.remainingApprovals(resource, java.util.Set.of("contract")));
        assertNull(Gates.remainingApprovals(resource, java.util.Set.of("backfill", "contract")));
    }

    @Test
    void anApprovalWhoseStepHasNotRunIsNotSpent() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL)
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();
        // Given before the plan: kept until the gate opens on it.
        Observation planning = observe(resource, List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6")));
        assertEquals(java.util.Set.of(), Reconciliation.of(planning).spentApprovals());
    }

    // Rollout gates.

    private static DatabaseMigration rolloutGated() {
        return planRecorded(migration().steps(EXPAND, rolloutStep("contract", "head", "crm-web")));
    }

    @Test
    void aRolloutInProgressHoldsTheStepAndSaysWhy() {
        DatabaseMigration resource = rolloutGated();

        Decision.AwaitGate await = assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(observe(resource,
                jobsAfterPlan(), new RolloutObservation("crm-web", true, false, "2 of 3 replicas updated"))));

        assertEquals(Reasons.AWAITING_ROLLOUT, await.reason());
        assertTrue(await.waitingFor().contains("crm-web"), await.waitingFor());
        assertTrue(await.waitingFor().contains("2 of 3 replicas updated"), await.waitingFor());
    }

    @Test
    void aMissingDeploymentHoldsTheStep() {
        Decision.AwaitGate await = assertInstanceOf(Decision.AwaitGate.class,
                MigrationPlanner.decide(observe(rolloutGated(), jobsAfterPlan())));

        assertEquals(Reasons.AWAITING_ROLLOUT, await.reason());
        assertTrue(await.waitingFor().contains("not found"), await.waitingFor());
    }

    @Test
    void aCompleteRolloutOpensTheGate() {
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(observe(rolloutGated(),
                jobsAfterPlan(), new RolloutObservation("crm-web", true, true, "rollout complete"))));

        assertEquals("contract", create.step().name());
        assertTrue(create.openedBy().contains("rollout of Deployment crm-web"), create.openedBy());
    }

    @Test
    void aCompleteRolloutOfAnotherDeploymentDoesNotOpenTheGate() {
        assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(observe(rolloutGated(), jobsAfterPlan(),
                new RolloutObservation("crm-worker", true, true, "rollout complete"))));
    }

    @Test
    void withBothGatesBothMustBeOpen() {
        StepSpec both = new StepSpec("contract", "head",
                new GateSpec(new ApprovalGate(null, null), new DeploymentRolloutGate("crm-web"), null), null, null);
        RolloutObservation complete = new RolloutObservation("crm-web", true, true, "rollout complete");
        RolloutObservation rolling = new RolloutObservation("crm-web", true, false, "1 old replicas pending termination");

        DatabaseMigration notApproved = planRecorded(migration().steps(EXPAND, both));
        Decision.AwaitGate awaitApproval = assertInstanceOf(Decision.AwaitGate.class,
                MigrationPlanner.decide(observe(notApproved, jobsAfterPlan(), complete)), "rolled out but not approved");
        assertEquals(Reasons.AWAITING_APPROVAL, awaitApproval.reason());

        DatabaseMigration approved = planRecorded(migration().steps(EXPAND, both).annotation(Gates.APPROVE_ANNOTATION, "contract"));
        Decision.AwaitGate awaitRollout = assertInstanceOf(Decision.AwaitGate.class,
                MigrationPlanner.decide(observe(approved, jobsAfterPlan(), rolling)), "approved but not rolled out");
        assertEquals(Reasons.AWAITING_ROLLOUT, awaitRollout.reason());
        assertTrue(awaitRollout.waitingFor().contains("1 old replicas pending termination"), awaitRollout.waitingFor());

        DatabaseMigration neither = planRecorded(migration().steps(EXPAND, both));
        Decision.AwaitGate awaitBoth = assertInstanceOf(Decision.AwaitGate.class,
                MigrationPlanner.decide(observe(neither, jobsAfterPlan(), rolling)));
        assertTrue(awaitBoth.waitingFor().contains("approval") && awaitBoth.waitingFor().contains("rollout"),
                awaitBoth.waitingFor());

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class,
                MigrationPlanner.decide(observe(approved, jobsAfterPlan(), complete)));
        assertTrue(create.openedBy().contains(Gates.OPENED_BY_ANNOTATION), create.openedBy());
        assertTrue(create.openedBy().contains("rollout of Deployment crm-web"), create.openedBy());
    }

    // Suspend.

    @Test
    void suspendHoldsTheNextStepButARunningJobIsFollowed() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT).suspend(true).build();
        JobObservation expandRunning = activeJob(stepJob(1, "expand"), backedUp("g1-expand", "a1b2"));
        JobObservation expandDone = succeeded(stepJob(1, "expand"), "a1b2", "e5f6");

        assertEquals(new Decision.Hold(), MigrationPlanner.decide(observe(resource, List.of())));
        assertInstanceOf(Decision.FollowJob.class, MigrationPlanner.decide(observe(resource, List.of(expandRunning))),
                "a migration half-way is not stopped");
        assertEquals(new Decision.Hold(), MigrationPlanner.decide(observe(resource, List.of(expandDone))),
                "contract is not started while suspended");
    }

    @Test
    void heldTheCurrentStepIsTheOneThatWouldStartNext() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT, step("cleanup", "head")).suspend(true).build();

        assertEquals(new Decision.Hold(), reconcile(resource, List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"))));
        assertEquals("contract", resource.getStatus().currentStep());
        assertTrue(resource.getStatus().message().startsWith("Step contract: "), resource.getStatus().message());
    }

    @Test
    void waitingForTheSecretTheCurrentStepIsTheOneThatWouldStartNext() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT).build();
        Observation observation = new Observation(resource, new SecretObservation(false, List.of()),
                java.util.Map.of(stepJob(1, "expand"), succeeded(stepJob(1, "expand"), "a1b2", "e5f6")), java.util.Map.of(),
                Resources.OBSERVED_AT);

        Decision decision = MigrationPlanner.decide(observation);
        assertInstanceOf(Decision.WaitForSecret.class, decision);
        assertEquals("contract", StatusAggregator.compute(observation, decision, T0).currentStep());
    }

    @Test
    void finishedStatusCountsTheLastStepsFailedAttempts() {
        DatabaseMigration resource = migration().steps(EXPAND).build();
        JobObservation retried = succeededJob(stepJob(1, "expand"),
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(failed("upgrade", ExitCode.CONNECTION_FAILED,
                        "connection refused"))),
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeSucceeded("a1b2", "e5f6", "e5f6"))));

        assertEquals(new Decision.Finished(), reconcile(resource, List.of(retried)));
        assertEquals(1, resource.getStatus().failedAttempts());
    }

    @Test
    void suspendHoldsAGatedStepBeforeItsPlanJob() {
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL).suspend(true).build();

        assertEquals(new Decision.Hold(), MigrationPlanner.decide(observe(resource,
                List.of(succeeded(stepJob(1, "expand"), "a1b2", "e5f6")))));
    }

    @Test
    void theDecisionsOfAWholeRunComeInOrder() {
        // expand, then contract behind an approval given once the plan is up: the whole sequence as the reconciler sees it.
        DatabaseMigration resource = migration().steps(EXPAND, CONTRACT_APPROVAL).build();
        List<String> seen = new ArrayList<>();
        List<JobObservation> jobs = new ArrayList<>();
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());
        jobs.add(succeeded(stepJob(1, "expand"), "a1b2", "e5f6"));
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());
        jobs.add(planJob(planJobName(1, "contract"), CONTRACT_PLAN));
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());
        resource.getMetadata().setAnnotations(java.util.Map.of(Gates.APPROVE_ANNOTATION, "contract"));
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());
        jobs.add(succeeded(stepJob(1, "contract"), "e5f6", "f7a8"));
        seen.add(reconcile(resource, jobs).getClass().getSimpleName());

        assertEquals(List.of("CreateJob", "CreatePlanJob", "AwaitGate", "AwaitGate", "CreateJob", "Finished"), seen);
    }
}
