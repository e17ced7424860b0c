package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.failedJob;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.plan;
import static io.dbmigrate.testing.Resources.planJob;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalLockProfile;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.api.v1alpha1.WindowGate;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.StampResult;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.plan.StepCommand;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.status.TransitionEvent;
import io.dbmigrate.testing.Resources;
import io.dbmigrate.validate.SpecValidator;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 5 in the planner and the aggregator: rehearsal results, maintenance windows, baseline, stamps, history. */
class RehearsalWindowStampPlannerTest {
    private static final RehearsalSpec REQUIRED = new RehearsalSpec(RehearsalSpec.RehearsalMode.Required, true, null);
    // Saturdays 02:00 to 04:00 UTC; 2026-11-28 is a Saturday.
    private static final WindowGate SATURDAY_NIGHT = new WindowGate("0 2 * * 6", "2h", "UTC");
    private static final Instant FRIDAY = Instant.parse("2026-11-27T12:00:00Z");
    private static final Instant SATURDAY_0300 = Instant.parse("2026-11-28T03:00:00Z");
    private static final Instant SATURDAY_0200 = Instant.parse("2026-11-28T02:00:00Z");

    private static RunnerResult rehearsal(boolean passed, long millis, String failedPhase, String failedRevision,
                                                                                String error) {
        RehearsalResult r = new RehearsalResult("dbmigrate_rehearsal_ab12cd34_20240506070809000", "crm-db.crm.svc:5432",
                backupFile("g1"), "c3d4", passed ? "e5f6" : "c3d4", List.of("e5f6"), true, passed, failedPhase,
                failedRevision, passed ? null : "MigrationFailed", error, List.of(), passed ? millis : null, T0.plusSeconds(5),
                T0.plusSeconds(8), true);
        return passed ? RunnerResult.of("rehearse", ExitCode.OK, "rehearsal passed").withRehearsal(r)
                : RunnerResult.of("rehearse", ExitCode.REHEARSAL_FAILED, "rehearsal on a restored copy failed: revision "
                + failedRevision + " failed: " + error + "; production was not touched").withRehearsal(r);
    }

    private static Attempt rehearsed(RunnerResult rehearse, ContainerOutcome migrate) {
        return new Attempt(ok(backupSucceeded(backupFile("g1"), "c3d4")), ContainerOutcome.of(rehearse), migrate);
    }

    private static StepSpec windowStep() {
        return new StepSpec("contract", "head", new GateSpec(null, null, SATURDAY_NIGHT), null, null);
    }

    private static DatabaseMigration recordedPlan(DatabaseMigration resource) {
        // The plan was published in an earlier reconcile: status records it.
        Observation planned = Resources.observe(resource, List.of(planJob(JobNames.forPlan("crm", Resources.UID, 1,
                "contract"), plan("head", "c3d4", List.of("e5f6"), "ALTER TABLE t;"))));
        resource.setStatus(StatusAggregator.compute(planned, MigrationPlanner.decide(planned), T0));
        return resource;
    }

    // Rehearsal

    @Test
    void aRehearsingPodIsPhaseRehearsingAndAFailedRehearsalFailsTheStepBeforeProduction() {
        DatabaseMigration resource = migration().rehearsal(REQUIRED).build();
        String job = MigrationPlanner.jobName(resource);
        Attempt running = new Attempt(ok(backupSucceeded(backupFile("g1"), "c3d4")), ContainerOutcome.running(),
                ContainerOutcome.waiting("PodInitializing"));
        Observation observation = Resources.observe(resource, Resources.activeJob(job, running));
        DatabaseMigrationStatus status = StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0);
        assertEquals(Phase.Rehearsing, status.phase());
        assertEquals(Reasons.REHEARSING, Resources.condition(status, "Ready").reason());

        Attempt failed = rehearsed(rehearsal(false, 0, RehearsalResult.UPGRADE, "jkl012mno345",
                "NameError: name 'sa' is not defined"), null);
        Observation after = Resources.observe(resource, failedJob(job, "PodFailurePolicy", "exit 26", failed));
        DatabaseMigrationStatus end = StatusAggregator.compute(after, MigrationPlanner.decide(after), T0);
        assertEquals(Phase.Failed, end.phase());
        assertEquals("RehearsalFailed", Resources.condition(end, "Stalled").reason());
        assertTrue(end.message().contains("jkl012mno345") && end.message().contains("NameError"), end.message());
        StepStatus step = end.steps().get(0);
        assertEquals("Failed", step.rehearsal().result());
        assertEquals("upgrade", step.rehearsal().failedPhase());
        assertEquals("jkl012mno345", step.rehearsal().failedRevision());
        assertEquals("c3d4", end.currentRevision(), "production never left the backup's revision");
        HistoryEntry entry = end.history().get(0);
        assertEquals("Failed", entry.outcome());
        assertEquals("RehearsalFailed", entry.reason());
        assertEquals("Failed", entry.rehearsal());
    }

    @Test
    void aPassedRehearsalIsRecordedWithItsDurationAndAnEvent() {
        DatabaseMigration resource = migration().rehearsal(REQUIRED).build();
        String job = MigrationPlanner.jobName(resource);
        Attempt done = rehearsed(rehearsal(true, 4_200, null, null, null), ok(upgradeSucceeded("c3d4", "e5f6", "e5f6")));
        Observation observation = Resources.observe(resource, succeededJob(job, done));
        DatabaseMigrationStatus status = StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0);
        assertEquals(Phase.Succeeded, status.phase());
        assertEquals("Passed", status.steps().get(0).rehearsal().result());
        assertEquals("4.2s", status.steps().get(0).rehearsal().duration());
        assertEquals("Passed", status.history().get(0).rehearsal());
        assertEquals("4.2s", status.history().get(0).rehearsalDuration());
        assertEquals(backupFile("g1"), status.history().get(0).backupFile());
        assertTrue(TransitionEvent.between(null, status).stream()
                .anyMatch(e -> e.reason().equals(Reasons.REHEARSAL_PASSED) && e.message().contains("4.2s")));
    }

    private static RehearsalResult withLocks(RehearsalResult r, int holds) {
        List<LockHold> list = new ArrayList<>();
        list.add(new LockHold("public.customers", "AccessExclusive", 2_840, "e5f6", true, null));
        for (int i = 1; i < holds; i++) {
            list.add(new LockHold("public.t" + i, "RowExclusive", 100 - i, "e5f6", false, i == 1 ? 12L : null));
        }
        return r.withLockProfile(new LockProfile(5, 5_340, 612, list, holds + 3, null));
    }

    @Test
    void aPassedRehearsalsLockProfileIsInStatusWithItsFiveLongestHolds() {
        DatabaseMigration resource = migration().rehearsal(REQUIRED).build();
        RunnerResult rehearse = rehearsal(true, 4_200, null, null, null);
        rehearse = rehearse.withRehearsal(withLocks(rehearse.rehearsal(), 7));
        Attempt done = rehearsed(rehearse, ok(upgradeSucceeded("c3d4", "e5f6", "e5f6")));
        Observation observation = Resources.observe(resource, succeededJob(MigrationPlanner.jobName(resource), done));

        RehearsalLockProfile profile = StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0)
                .steps().get(0).rehearsal().lockProfile();

        assertEquals("5ms", profile.sampleInterval());
        assertEquals("5.3ms", profile.resolution());
        assertEquals(612, profile.samples());
        assertEquals(10, profile.relations());
        assertNull(profile.unavailable());
        assertEquals(5, profile.holds().size(), profile.toString());
        assertEquals(new RehearsalLockProfile.LockHoldStatus("public.customers", "AccessExclusive", "2.84s", "e5f6",
                true, null), profile.holds().get(0));
        assertEquals(new RehearsalLockProfile.LockHoldStatus("public.t1", "RowExclusive", "99ms", "e5f6", false,
                "12ms"), profile.holds().get(1));
    }

    @Test
    void aLockHoldOverBudgetFailsTheStepWithItsReasonAndTheHoldInTheMessage() {
        DatabaseMigration resource = migration().rehearsal(REQUIRED).build();
        String message = "lock budget exceeded: revision e5f6 held ACCESS EXCLUSIVE on public.customers for 2.84s, over"
                + " the budget of 500ms (rehearsal.maxLockHold.AccessExclusive); the table was rewritten";
        RehearsalResult r = withLocks(new RehearsalResult("dbmigrate_rehearsal_ab12cd34_20240506070809000",
                "crm-db.crm.svc:5432", backupFile("g1"), "c3d4", "e5f6", List.of("e5f6"), false, false,
                RehearsalResult.UPGRADE, "e5f6", RehearsalResult.LOCK_HOLD_EXCEEDED, message, List.of(), 3_000L,
                T0.plusSeconds(5), T0.plusSeconds(8), true), 1);
        // As the runner reports it: the exit code of a failed rehearsal, the budget's reason.
        RunnerResult rehearse = new RunnerException(ExitCode.REHEARSAL_FAILED, message, r).result("rehearse");
        Observation after = Resources.observe(resource, failedJob(MigrationPlanner.jobName(resource),
                "PodFailurePolicy", "exit 26", rehearsed(rehearse, null)));

        DatabaseMigrationStatus end = StatusAggregator.compute(after, MigrationPlanner.decide(after), T0);

        assertEquals(Phase.Failed, end.phase());
        assertEquals(Reasons.LOCK_HOLD_EXCEEDED, Resources.condition(end, "Stalled").reason());
        assertTrue(end.message().contains("revision e5f6 held ACCESS EXCLUSIVE on public.customers for 2.84s"),
                end.message());
        StepStatus step = end.steps().get(0);
        assertEquals("Failed", step.rehearsal().result());
        assertEquals("e5f6", step.rehearsal().failedRevision());
        assertEquals(message, step.rehearsal().error());
        assertEquals("2.84s", step.rehearsal().lockProfile().holds().get(0).hold());
        assertEquals(Reasons.LOCK_HOLD_EXCEEDED, end.history().get(0).reason());
    }

    @Test
    void aRehearsalNeedsABackupToRestore() {
        DatabaseMigration resource = migration().rehearsal(REQUIRED).backupDisabled("test database").build();
        assertTrue(SpecValidator.problems(resource).stream().anyMatch(p -> p.startsWith("spec.rehearsal")),
                SpecValidator.problems(resource).toString());
    }

    // Maintenance windows

    @Test
    void aClosedWindowHoldsTheStepWithTheNextOpeningInStatus() {
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).steps(windowStep()).build());
        Observation friday = Resources.observe(resource, List.of()).at(FRIDAY);
        Decision decision = MigrationPlanner.decide(friday);
        Decision.AwaitGate gate = assertInstanceOf(Decision.AwaitGate.class, decision);
        assertEquals(Reasons.AWAITING_WINDOW, gate.reason());
        assertEquals(SATURDAY_0200, gate.nextWindow());
        DatabaseMigrationStatus status = StatusAggregator.compute(friday, decision, FRIDAY);
        assertEquals(Phase.AwaitingGate, status.phase());
        assertEquals("2026-11-28T02:00:00Z", status.steps().get(0).nextWindow());
        assertTrue(status.message().contains("opens at 2026-11-28T02:00:00Z"), status.message());
    }

    @Test
    void anOpenWindowStartsTheJobWithTheWindowsClose() {
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).steps(windowStep()).build());
        Observation saturday = Resources.observe(resource, List.of()).at(SATURDAY_0300);
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(saturday));
        assertEquals(Instant.parse("2026-11-28T04:00:00Z"), create.window().closesAt());
        assertNull(create.window().expected(), "never rehearsed: no estimate");
        List<String> args = StepCommand.of(resource.getSpec(), create.step(), create.window()).upgradeArguments("/m");
        assertEquals("2026-11-28T04:00:00Z", args.get(args.indexOf("--window-closes-at") + 1));
        assertFalse(args.contains("--expected-duration"));
    }

    @Test
    void aJobThatFoundItsWindowTooShortIsFollowedByTheNextWindowsJobWithTheMeasuredDuration() {
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).rehearsal(REQUIRED)
                .steps(windowStep()).build());
        String first = JobNames.forStep("crm", Resources.UID, 1, "contract");
        // Rehearsed for 50 minutes: at 03:00 only 60 were left, less than backup and rehearsal had left by then.
        Attempt deferred = rehearsed(rehearsal(true, Duration.ofMinutes(50).toMillis(), null, null, null),
                ok(RunnerResult.of("upgrade", ExitCode.OUTSIDE_WINDOW, "the maintenance window closes at ...; nothing was run")
                        .withUpgrade(Resources.upgradeResult("head", "c3d4", "c3d4", List.of(), null, T0, T0))));
        JobObservation outside = failedJob(first, "PodFailurePolicy", "exit 27", deferred);

        Observation late = Resources.observe(resource, List.of(outside)).at(Instant.parse("2026-11-28T03:20:00Z"));
        StepEntry entry = Resources.entry(late, 0);
        assertEquals(1, entry.deferred().size());
        assertEquals(Duration.ofMinutes(50), entry.expectedDuration());
        String second = JobNames.forStep("crm", Resources.UID, 1, "contract", 2);
        assertEquals(second, entry.jobName());
        assertNotEquals(first, second);
        Decision.AwaitGate gate = assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(late),
                "40 minutes left, 50 expected: held");
        assertTrue(gate.waitingFor().contains("expected to take 50m"), gate.waitingFor());
        assertEquals(Instant.parse("2026-12-05T02:00:00Z"), gate.nextWindow());
        DatabaseMigrationStatus status = StatusAggregator.compute(late, gate, late.now());
        assertEquals(1, status.steps().get(0).deferrals());
        assertEquals("50m0s", status.steps().get(0).expectedDuration());
        assertNull(status.history(), "a deferral completed nothing");

        Observation next = Resources.observe(resource, List.of(outside)).at(Instant.parse("2026-12-05T02:00:00Z"));
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(next));
        assertEquals(second, create.step().jobName());
        assertEquals(Duration.ofMinutes(50), create.window().expected());
    }

    @Test
    void aStepLongerThanItsWindowIsSaidToBeSo() {
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).rehearsal(REQUIRED)
                .steps(windowStep()).build());
        Attempt deferred = rehearsed(rehearsal(true, Duration.ofHours(3).toMillis(), null, null, null),
                ok(RunnerResult.of("upgrade", ExitCode.OUTSIDE_WINDOW, "nothing was run")));
        JobObservation outside = failedJob(JobNames.forStep("crm", Resources.UID, 1, "contract"), "PodFailurePolicy",
                "exit 27", deferred);
        Decision.AwaitGate gate = assertInstanceOf(Decision.AwaitGate.class,
                MigrationPlanner.decide(Resources.observe(resource, List.of(outside)).at(SATURDAY_0200)));
        assertTrue(gate.waitingFor().contains("longer than a window (2h)"), gate.waitingFor());
    }

    @Test
    void anApprovalIsNotAskedForAgainWhenTheSamePlansJobWasDeferred() {
        StepSpec step = new StepSpec("contract", "head", new GateSpec(new io.dbmigrate.api.v1alpha1.ApprovalGate(null,
                null), null, SATURDAY_NIGHT), null, null);
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).steps(step).build());
        String first = JobNames.forStep("crm", Resources.UID, 1, "contract");
        JobObservation outside = failedJob(first, "PodFailurePolicy", "exit 27", attempt(
                ok(backupSucceeded(backupFile("g1"), "c3d4")), ok(RunnerResult.of("upgrade", ExitCode.OUTSIDE_WINDOW, "x"))));
        Observation next = Resources.observe(resource, List.of(outside)).at(Instant.parse("2026-12-05T02:30:00Z"));
        assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(next));
        Observation fresh = Resources.observe(resource, List.of()).at(Instant.parse("2026-12-05T02:30:00Z"));
        Decision.AwaitGate gate = assertInstanceOf(Decision.AwaitGate.class, MigrationPlanner.decide(fresh));
        assertEquals(Reasons.AWAITING_APPROVAL, gate.reason(), "without a Job of this plan, approval is still needed");
    }

    @Test
    void aWindowThatIsNoCronExpressionIsAnInvalidSpec() {
        StepSpec bad = new StepSpec("contract", "head", new GateSpec(null, null,
                new WindowGate("every saturday", "2h", "Mars/Olympus")), null, null);
        List<String> problems = SpecValidator.problems(migration().targetRevision(null).steps(bad).build());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("spec.steps[0].gate.window.schedule")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("spec.steps[0].gate.window.timeZone")), problems.toString());
    }

    // Baseline

    @Test
    void aBaselineRunsBeforeTheFirstStepAndARefusalFailsTheMigration() {
        DatabaseMigration resource = migration().baseline("c3d4").build();
        Observation fresh = Resources.observe(resource);
        Decision.CreateStampJob create = assertInstanceOf(Decision.CreateStampJob.class, MigrationPlanner.decide(fresh));
        assertEquals(Decision.StampRun.Kind.Baseline, create.run().kind());
        String job = JobNames.forBaseline("crm", Resources.UID, 1, "c3d4");
        assertEquals(job, create.run().jobName());

        JobObservation refused = failedJob(job, "PodFailurePolicy", "exit 28", attempt(
                ok(backupSucceeded(backupFile("baseline"), "a1b2")), ok(RunnerResult.of("stamp", ExitCode.BASELINE_REFUSED,
                        "alembic_version holds a1b2, which does not include baseline c3d4").withStamp(
                        new StampResult("c3d4", "a1b2", "a1b2", true, false, T0, T0)))));
        Observation after = Resources.observe(resource, refused);
        Decision decision = MigrationPlanner.decide(after);
        DatabaseMigrationStatus status = StatusAggregator.compute(after, decision, T0);
        assertEquals(Phase.Failed, status.phase());
        assertEquals("BaselineRefused", Resources.condition(status, "Stalled").reason());
        assertEquals(Phase.Failed, status.baseline().phase());
        assertEquals("Baseline", status.history().get(0).kind());
        resource.setStatus(status);
        assertInstanceOf(Decision.FollowStampJob.class, MigrationPlanner.decide(after),
                "no step runs on a database the baseline refused");
    }

    @Test
    void aBaselineJobStoppedByItsDeadlineSaysSoAsAStepsJobDoes() {
        DatabaseMigration resource = migration().baseline("c3d4").build();
        String job = JobNames.forBaseline("crm", Resources.UID, 1, "c3d4");
        // Killed while the stamp container ran: no container said why, the Job's Failed condition does.
        JobObservation stopped = failedJob(job, "DeadlineExceeded", "Job was active longer than specified deadline",
                Resources.backedUp("baseline", "a1b2"));
        Observation after = Resources.observe(resource, stopped);

        DatabaseMigrationStatus status = StatusAggregator.compute(after, MigrationPlanner.decide(after), T0);

        assertEquals(Phase.Failed, status.baseline().phase());
        assertEquals("DeadlineExceeded", Resources.condition(status, "Stalled").reason());
        assertEquals("DeadlineExceeded", status.history().get(0).reason());
        assertTrue(status.baseline().message().contains("active longer than specified deadline"),
                status.baseline().message());
    }

    @Test
    void aSucceededBaselineLetsTheStepsRunAndIsNotRunAgain() {
        DatabaseMigration resource = migration().baseline("c3d4").build();
        String job = JobNames.forBaseline("crm", Resources.UID, 1, "c3d4");
        JobObservation stamped = succeededJob(job, attempt(ok(backupSucceeded(backupFile("baseline"), "base")),
                ok(RunnerResult.of("stamp", ExitCode.OK, "stamped").withStamp(
                        new StampResult("c3d4", "base", "c3d4", true, true, T0, T0)))));
        Observation after = Resources.observe(resource, stamped);
        DatabaseMigrationStatus status = StatusAggregator.compute(after, MigrationPlanner.decide(after), T0);
        assertEquals(Phase.Succeeded, status.baseline().phase());
        assertEquals("c3d4", status.currentRevision());
        assertEquals(Reasons.BASELINED, Resources.condition(status, "Ready").reason());
        resource.setStatus(status);
        Decision next = MigrationPlanner.decide(Resources.observe(resource, stamped));
        assertInstanceOf(Decision.CreateJob.class, next);
        // A new generation keeps the recorded baseline: no second stamp Job.
        DatabaseMigration edited = migration().baseline("c3d4").generation(2L).status(status).build();
        assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(Resources.observe(edited)));
    }

    // Stamp annotation

    private static DatabaseMigration annotated(String revision, DatabaseMigrationStatus status) {
        DatabaseMigration resource = migration().annotation(StampRequests.STAMP_ANNOTATION, revision).status(status)
                .build();
        ManagedFieldsEntry entry = new ManagedFieldsEntry();
        entry.setManager("kubectl-annotate");
        entry.setOperation("Update");
        entry.setTime("2026-11-24T03:00:00Z");
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:metadata", Map.of("f:annotations", Map.of("f:" + StampRequests.STAMP_ANNOTATION,
                Map.of())));
        entry.setFieldsV1(fields);
        resource.getMetadata().setManagedFields(List.of(entry));
        return resource;
    }

    @Test
    void aStampAnnotationRunsAStampJobNamingWhoAskedAndIsSpentOnceRecorded() {
        DatabaseMigration resource = annotated("c3d4", null);
        Decision.CreateStampJob create = assertInstanceOf(Decision.CreateStampJob.class,
                MigrationPlanner.decide(Resources.observe(resource)));
        assertEquals("kubectl-annotate", create.run().requestedBy());
        assertEquals("2026-11-24T03:00:00Z", create.run().requestedAt());
        DatabaseMigrationStatus pending = StatusAggregator.compute(Resources.observe(resource), create, T0);
        assertEquals(Phase.Pending, pending.lastStamp().phase());

        resource.setStatus(pending);
        JobObservation done = succeededJob(create.run().jobName(), attempt(ok(backupSucceeded(backupFile("stamp"),
                "zz99")), ok(RunnerResult.of("stamp", ExitCode.OK, "stamped").withStamp(
                new StampResult("c3d4", "zz99", "c3d4", false, true, T0, T0)))));
        Observation finished = Resources.observe(resource, done);
        assertInstanceOf(Decision.FollowStampJob.class, MigrationPlanner.decide(finished));
        DatabaseMigrationStatus status = StatusAggregator.compute(finished, MigrationPlanner.decide(finished), T0);
        assertEquals(Phase.Succeeded, status.lastStamp().phase());
        assertEquals("zz99", status.lastStamp().fromRevision());
        assertEquals("c3d4", status.currentRevision());
        assertEquals(backupFile("stamp"), status.lastStamp().backupFile());
        assertEquals("Stamp", status.history().get(0).kind());
        assertEquals("kubectl-annotate", status.history().get(0).requestedBy());
        assertTrue(TransitionEvent.between(pending, status).stream().anyMatch(e -> e.reason().equals(Reasons.STAMPED)
                && e.message().contains("kubectl-annotate") && e.message().contains("2026-11-24T03:00:00Z")));

        resource.setStatus(status);
        assertEquals("c3d4", StampRequests.spentAnnotation(resource).orElseThrow());
        assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(Resources.observe(resource, done)),
                "the stamp is done: the migration goes on");
    }

    @Test
    void aStampWaitsForARunningJobAndANewRequestOfTheSameRevisionRunsAgain() {
        DatabaseMigration resource = annotated("c3d4", null);
        String stepJob = MigrationPlanner.jobName(resource);
        Decision running = MigrationPlanner.decide(Resources.observe(resource, Resources.activeJob(stepJob,
                Resources.backedUp("g1", "a1b2"))));
        assertInstanceOf(Decision.FollowJob.class, running, "never beside another Job");

        // Stamped c3d4 before (annotation time 03:00); asked again later: a new request, a new Job.
        DatabaseMigration again = annotated("c3d4", null);
        again.getMetadata().getManagedFields().get(0).setTime("2026-11-24T05:00:00Z");
        Decision.CreateStampJob first = assertInstanceOf(Decision.CreateStampJob.class,
                MigrationPlanner.decide(Resources.observe(annotated("c3d4", null))));
        io.dbmigrate.api.v1alpha1.StampStatus done = new io.dbmigrate.api.v1alpha1.StampStatus("c3d4", "kubectl-annotate",
                "2026-11-24T03:00:00Z", first.run().jobName(), Phase.Succeeded, "zz99", "c3d4", true, null, "x", "x");
        again.setStatus(new DatabaseMigrationStatus(1L, Phase.Succeeded, "c3d4", "head", null, List.of(), null, null, null,
                null, null, List.of(), null, null, done));
        Decision.CreateStampJob second = assertInstanceOf(Decision.CreateStampJob.class,
                MigrationPlanner.decide(Resources.observe(again)));
        assertNotEquals(first.run().jobName(), second.run().jobName());
        assertTrue(StampRequests.spentAnnotation(again).isEmpty(), "the new request is not removed unrun");
    }

    @Test
    void aDeferredJobSeenBeforeItsPodIsDeferredByItsConditionAndItsRecordedFailureDoesNotEndTheStep() {
        DatabaseMigration resource = recordedPlan(migration().targetRevision(null).steps(windowStep()).build());
        String first = JobNames.forStep("crm", Resources.UID, 1, "contract");
        // The Job's Failed condition as the Job controller writes it; its pod is not in the cache (yet, or any more).
        JobObservation outside = failedJob(first, "PodFailurePolicy", "Container migrate for pod crm/" + first
                + "-x7k2p failed with exit code 27 matching FailJob rule at index 0");
        Observation next = Resources.observe(resource, List.of(outside)).at(Instant.parse("2026-12-05T02:30:00Z"));
        assertEquals(1, Resources.entry(next, 0).deferred().size());
        // A status written from a moment the deferral looked like a failure names the first Job: not this one's end.
        StepStatus recorded = new StepStatus("contract", "head", Phase.Failed, first, 1L,
                Resources.entry(next, 0).fingerprint(), null, resource.getStatus().steps().get(0).plan(), null, null, null,
                null, null, null, null, "failed", null, null, null, null);
        resource.setStatus(new DatabaseMigrationStatus(1L, Phase.Failed, "c3d4", "head", "contract", List.of(recorded),
                first, "failed", null, null, null, List.of(), null, null, null));
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(
                Resources.observe(resource, List.of(outside)).at(Instant.parse("2026-12-05T02:30:00Z"))));
        assertEquals(JobNames.forStep("crm", Resources.UID, 1, "contract", 2), create.step().jobName());
    }

    @Test
    void aStampWhoseJobWasDeletedAndWhoseAnnotationWentIsCancelledNotCreatedAgain() {
        DatabaseMigration resource = annotated("c3d4", null);
        Decision.CreateStampJob create = assertInstanceOf(Decision.CreateStampJob.class,
                MigrationPlanner.decide(Resources.observe(resource)));
        DatabaseMigrationStatus pending = StatusAggregator.compute(Resources.observe(resource), create, T0);
        DatabaseMigration withdrawn = migration().status(pending).build();
        Decision cancel = MigrationPlanner.decide(Resources.observe(withdrawn));
        assertInstanceOf(Decision.CancelStamp.class, cancel);
        DatabaseMigrationStatus status = StatusAggregator.compute(Resources.observe(withdrawn), cancel, T0);
        assertEquals(Phase.Failed, status.lastStamp().phase());
        assertTrue(status.lastStamp().message().contains("cancelled"), status.lastStamp().message());
        withdrawn.setStatus(status);
        assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(Resources.observe(withdrawn)));
    }

    @Test
    void aStampByAnnotationLeavesThePhaseAloneSoTheOutcomeBeforeItIsNotReportedAgain() {
        // A failed migration, repaired by a stamp: the Failed phase and its Events stay as they were.
        DatabaseMigration failed = migration().build();
        String stepJob = MigrationPlanner.jobName(failed);
        JobObservation broken = failedJob(stepJob, "PodFailurePolicy", "exit 21", attempt(
                ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(Resources.upgradeFailed("a1b2", "a1b2", "c3d4", "boom"))));
        Observation before = Resources.observe(failed, broken);
        DatabaseMigrationStatus failedStatus = StatusAggregator.compute(before, MigrationPlanner.decide(before), T0);
        assertEquals(Phase.Failed, failedStatus.phase());

        DatabaseMigration resource = annotated("c3d4", failedStatus);
        Decision.CreateStampJob create = assertInstanceOf(Decision.CreateStampJob.class,
                MigrationPlanner.decide(Resources.observe(resource, broken)));
        DatabaseMigrationStatus pending = StatusAggregator.compute(Resources.observe(resource, broken), create, T0);
        assertEquals(failedStatus.conditions(), pending.conditions(), "the repair does not change the migration's state");
        resource.setStatus(pending);
        // The stamp's own backup, an hour after the step's.
        String file = backupFile("stamp").replace("20240506T070809Z", "20240506T080809Z");
        RunnerResult stampBackup = RunnerResult.of("backup", ExitCode.OK, "backup verified").withBackup(
                new io.dbmigrate.contract.BackupResult(file, file + ".json", 1_000L, Resources.SHA256, "a1b2", true,
                        T0.plusSeconds(3_600), T0.plusSeconds(3_605), List.of()));
        JobObservation stamped = succeededJob(create.run().jobName(), attempt(ok(stampBackup),
                ok(RunnerResult.of("stamp", ExitCode.OK, "stamped").withStamp(
                        new StampResult("c3d4", "a1b2", "c3d4", false, true, T0, T0)))));
        Observation after = Resources.observe(resource, List.of(broken, stamped));
        DatabaseMigrationStatus done = StatusAggregator.compute(after, MigrationPlanner.decide(after), T0.plusSeconds(60));
        assertEquals(Phase.Failed, done.phase());
        assertEquals("c3d4", done.currentRevision());
        List<String> reasons = TransitionEvent.between(pending, done).stream().map(TransitionEvent::reason).toList();
        assertEquals(List.of(Reasons.STAMPED), reasons.stream().filter(r -> !r.equals(Reasons.BACKUP_VERIFIED)).toList());

        resource.setStatus(done);
        Observation later = Resources.observe(resource, List.of(broken, stamped));
        DatabaseMigrationStatus again = StatusAggregator.compute(later, MigrationPlanner.decide(later), T0.plusSeconds(90));
        assertEquals(List.of(), TransitionEvent.between(done, again), "nothing is reported twice");
        assertEquals(file, again.lastBackup().file(), "the newest backup stays the one shown");
        assertEquals("c3d4", again.currentRevision(), "the stamp stays the last word on alembic_version");
    }

    @Test
    void anEstimateFromAnotherTargetsHistoryIsNotThisStepsExpectedDuration() {
        HistoryEntry slow = HistoryEntry.step("contract", 1L, "old-job").outcome("Succeeded", null)
                .rehearsal("Passed", "3h0m0s").fingerprint("another-fingerprint").build();
        assertNull(StepLedger.expectedDuration("this-fingerprint", List.of(), null, List.of(slow)));
        HistoryEntry same = HistoryEntry.step("contract", 1L, "old-job").outcome("Succeeded", null)
                .rehearsal("Passed", "3h0m0s").fingerprint("this-fingerprint").build();
        assertEquals(Duration.ofHours(3), StepLedger.expectedDuration("this-fingerprint", List.of(), null, List.of(same)));
    }

    // History

    @Test
    void historyKeepsTheNewestEntriesAndNeverAddsOneTwice() {
        List<HistoryEntry> history = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            history.add(HistoryEntry.step("migrate", (long) i, "job-" + i).outcome("Succeeded", null).build());
        }
        DatabaseMigrationStatus previous = new DatabaseMigrationStatus(3L, Phase.Succeeded, "c3d4", "head", null,
                List.of(), null, null, null, null, null, List.of(), history, null, null);
        DatabaseMigration resource = migration().generation(4L).historyLimit(2).status(previous).build();
        String job = MigrationPlanner.jobName(resource);
        Observation observation = Resources.observe(resource, succeededJob(job, attempt(
                ok(backupSucceeded(backupFile("g4"), "c3d4")), ok(upgradeSucceeded("c3d4", "e5f6", "e5f6")))));
        DatabaseMigrationStatus status = StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0);
        assertEquals(List.of("job-2", job), status.history().stream().map(HistoryEntry::job).toList());
        assertEquals("e5f6", status.history().get(1).toRevision());
        assertEquals(List.of("e5f6"), status.history().get(1).appliedRevisions());

        resource.setStatus(status);
        DatabaseMigrationStatus again = StatusAggregator.compute(Resources.observe(resource, observation.jobs().get(job)),
                MigrationPlanner.decide(observation), T0.plusSeconds(30));
        assertEquals(status.history(), again.history(), "a second reconcile adds nothing");
    }
}
