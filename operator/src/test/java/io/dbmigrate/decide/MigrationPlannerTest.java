package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.activeJob;
import static io.dbmigrate.testing.Resources.backedUp;
import static io.dbmigrate.testing.Resources.entry;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.statusWithSteps;
import static io.dbmigrate.testing.Resources.stepStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MigrationPlannerTest {

    /** The planner's decision, which must be of this kind. */
    private static <T extends Decision> T decided(Class<T> kind, Observation observation) {
        return assertInstanceOf(kind, MigrationPlanner.decide(observation));
    }

    /** A status of {@code generation} whose one step (migrate) ended in {@code phase}, run by {@code job}. */
    private static DatabaseMigrationStatus finalStatus(DatabaseMigration resource, Phase phase, long generation, String job) {
        String fingerprint = Fingerprint.of(resource.getSpec(), resource.getSpec().stepsOrSingle().get(0));
        return statusWithSteps(generation, phase, stepStatus("migrate", "head", phase, generation, job, fingerprint, null));
    }

    @Test
    void invalidSpecStallsWithAMessageNamingEachField() {
        DatabaseMigration resource = migration().host("db host; drop").targetRevision("head; rm -rf /").build();

        Decision.Stall stall = decided(Decision.Stall.class, observe(resource));
        assertEquals(Reasons.INVALID_SPEC, stall.reason());
        assertTrue(stall.message().contains("spec.database.host"), stall.message());
        assertTrue(stall.message().contains("spec.targetRevision"), stall.message());
    }

    @Test
    void invalidSpecCreatesNothingEvenWhenEverythingElseIsReady() {
        DatabaseMigration resource = migration().withoutMigrations().build();

        Decision.Stall stall = decided(Decision.Stall.class, observe(resource));
        assertTrue(stall.message().contains("spec.migrations is required"), stall.message());
    }

    @Test
    void existingJobIsFollowed() {
        DatabaseMigration resource = migration().build();
        JobObservation job = activeJob(MigrationPlanner.jobName(resource), backedUp("g1", "a1b2"));

        Observation observation = observe(resource, job);

        assertEquals(new Decision.FollowJob(entry(observation, 0), job), MigrationPlanner.decide(observation));
    }

    @Test
    void existingJobIsFollowedToItsEndWhenSuspended() {
        DatabaseMigration resource = migration().suspend(true).build();
        JobObservation job = activeJob(MigrationPlanner.jobName(resource), backedUp("g1", "a1b2"));

        Observation observation = observe(resource, job);

        assertEquals(new Decision.FollowJob(entry(observation, 0), job), MigrationPlanner.decide(observation));
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"Succeeded", "Failed"})
    void finishedGenerationWhoseJobWasDeletedGetsNoSecondJob(Phase phase) {
        DatabaseMigration resource = migration().generation(3L).build();
        resource.setStatus(finalStatus(resource, phase, 3, MigrationPlanner.jobName(resource)));

        // Job gone (TTL, kubectl delete) and, for good measure, the Secret too: still nothing to do.
        Decision decision = MigrationPlanner.decide(Resources.observe(resource, SecretObservation.MISSING));

        assertEquals(new Decision.Finished(), decision);
    }

    @Test
    void failedStepOfAnEarlierGenerationDoesNotEndTheNewOne() {
        DatabaseMigration first = migration().generation(2L).build();
        DatabaseMigration edited = migration().generation(3L)
                .status(finalStatus(first, Phase.Failed, 2, MigrationPlanner.jobName(first))).build();

        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, MigrationPlanner.decide(observe(edited)),
                "a failure ends its own generation only: the edit is the fix");
        assertEquals(MigrationPlanner.jobName(edited), create.step().jobName());
    }

    @ParameterizedTest
    @EnumSource(value = Phase.class, names = {"Pending", "BackingUp", "Rehearsing", "Migrating"})
    void startedStepWhoseJobIsGoneIsLostAndNeverRunAgain(Phase phase) {
        DatabaseMigration resource = migration().generation(3L).build();
        String job = MigrationPlanner.jobName(resource);
        resource.setStatus(statusWithSteps(3L, phase, stepStatus("migrate", "head", phase, 3L, job, null, null)));
        Observation observation = observe(resource);

        // Deleted by hand, or ended and deleted while the operator was down: its outcome is unknown, so no second Job.
        assertEquals(new Decision.JobLost(entry(observation, 0)), MigrationPlanner.decide(observation));
        DatabaseMigrationStatus lost = StatusAggregator.compute(observation, MigrationPlanner.decide(observation),
                Resources.T0);
        assertEquals(Phase.Failed, lost.phase());
        assertEquals("True", Resources.condition(lost, "Stalled").status());
        assertEquals(Reasons.JOB_LOST, Resources.condition(lost, "Stalled").reason());
        assertTrue(lost.message().contains(job) && lost.message().contains("unknown"), lost.message());
        assertEquals(Phase.Failed, lost.steps().get(0).phase());
        assertEquals(List.of(Reasons.JOB_LOST), lost.history().stream().map(h -> h.reason()).toList());
        assertEquals(job, lost.history().get(0).job());

        // Recorded: the generation has ended there, and the next reconciles change nothing.
        resource.setStatus(lost);
        Observation after = observe(resource);
        assertEquals(new Decision.Finished(), MigrationPlanner.decide(after));
        assertEquals(lost, StatusAggregator.compute(after, MigrationPlanner.decide(after), Resources.T0.plusSeconds(60)));
    }

    @Test
    void aStepStartedInAnEarlierGenerationIsNotLostByTheNewOne() {
        DatabaseMigration first = migration().generation(2L).build();
        DatabaseMigration edited = migration().generation(3L).status(statusWithSteps(2L, Phase.Migrating,
                stepStatus("migrate", "head", Phase.Migrating, 2L, MigrationPlanner.jobName(first), null, null))).build();

        decided(Decision.CreateJob.class, observe(edited));
    }

    @Test
    void newGenerationWaitsForTheJobOfTheOldOneToEnd() {
        DatabaseMigration first = migration().generation(1L).build();
        String firstJob = MigrationPlanner.jobName(first);
        DatabaseMigration edited = migration().generation(2L).targetRevision("c3d4").status(statusWithSteps(1L,
                Phase.BackingUp, stepStatus("migrate", "head", Phase.BackingUp, 1L, firstJob, null, null))).build();

        // Edited while generation 1's Job backs up: two Jobs would dump and migrate the same database side by side.
        Observation running = observe(edited, activeJob(firstJob, backedUp("g1", "a1b2")));
        assertEquals(new Decision.WaitForJob(firstJob), MigrationPlanner.decide(running));
        DatabaseMigrationStatus waiting = StatusAggregator.compute(running, MigrationPlanner.decide(running), Resources.T0);
        assertEquals(Phase.Pending, waiting.phase());
        assertEquals(Reasons.WAITING_FOR_PREVIOUS_JOB, Resources.condition(waiting, "Reconciling").reason());
        assertEquals("True", Resources.condition(waiting, "Reconciling").status());
        assertTrue(waiting.message().contains(firstJob), waiting.message());

        Observation ended = observe(edited, Resources.succeededJob(firstJob, backedUp("g1", "a1b2")));
        Decision.CreateJob create = decided(Decision.CreateJob.class, ended);
        assertEquals(MigrationPlanner.jobName(edited), create.step().jobName());
    }

    @Test
    void aBaselineWaitsForARunningJobOfTheResourceToo() {
        DatabaseMigration first = migration().generation(1L).build();
        DatabaseMigration edited = migration().generation(2L).baseline("a1b2").build();

        assertEquals(new Decision.WaitForJob(MigrationPlanner.jobName(first)), MigrationPlanner.decide(
                observe(edited, activeJob(MigrationPlanner.jobName(first)))));
    }

    @Test
    void newGenerationAfterAFinalOneGetsAJobOfItsOwn() {
        DatabaseMigration first = migration().generation(1L).build();
        String firstJob = MigrationPlanner.jobName(first);
        DatabaseMigration edited = migration().generation(2L).targetRevision("c3d4")
                .status(finalStatus(first, Phase.Succeeded, 1, firstJob)).build();

        Decision.CreateJob create = decided(Decision.CreateJob.class, observe(edited));
        assertNotEquals(firstJob, create.step().jobName());
        assertEquals(JobNames.forGeneration(Resources.NAME, Resources.UID, 2), create.step().jobName());
        assertEquals(null, create.openedBy(), "no gate");
    }

    @Test
    void suspendedWithoutJobIsHeld() {
        DatabaseMigration resource = migration().suspend(true).build();

        assertEquals(new Decision.Hold(), MigrationPlanner.decide(observe(resource)));
    }

    @Test
    void suspendedIsHeldBeforeTheSecretIsLookedAt() {
        DatabaseMigration resource = migration().suspend(true).build();

        assertEquals(new Decision.Hold(), MigrationPlanner.decide(observe(resource, SecretObservation.MISSING)));
    }

    @Test
    void missingSecretIsWaitedForAndNamed() {
        DatabaseMigration resource = migration().build();

        Decision.WaitForSecret wait = decided(Decision.WaitForSecret.class, observe(resource, SecretObservation.MISSING));
        assertEquals(Reasons.SECRET_NOT_FOUND, wait.reason());
        assertTrue(wait.message().contains("crm/crm-db"), wait.message());
    }

    @Test
    void missingKeyIsWaitedForAndNamed() {
        DatabaseMigration resource = migration().secretKeys("user", "pass").build();

        Decision.WaitForSecret wait = decided(Decision.WaitForSecret.class,
                observe(resource, new SecretObservation(true, List.of("pass"))));
        assertEquals(Reasons.SECRET_KEY_NOT_FOUND, wait.reason());
        assertTrue(wait.message().contains("crm/crm-db"), wait.message());
        assertTrue(wait.message().contains("pass"), wait.message());
    }

    @Test
    void readyResourceGetsAJobWithTheDeterministicName() {
        DatabaseMigration resource = migration().generation(4L).build();

        Observation observation = observe(resource);
        Decision decision = MigrationPlanner.decide(observation);

        assertEquals(new Decision.CreateJob(entry(observation, 0), null), decision);
        assertEquals(JobNames.forGeneration("crm", Resources.UID, 4), ((Decision.CreateJob) decision).step().jobName());
        assertEquals(decision, MigrationPlanner.decide(observe(migration().generation(4L).build())),
                "a restarted operator decides the same name");
    }

    @Test
    void missingGenerationCountsAsTheFirst() {
        DatabaseMigration resource = migration().generation(null).build();

        assertEquals(1L, MigrationPlanner.generation(resource));
        assertEquals(JobNames.forGeneration("crm", Resources.UID, 1), MigrationPlanner.jobName(resource));
    }
}
