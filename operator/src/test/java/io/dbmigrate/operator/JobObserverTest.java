package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.upgradeFailed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobObserverTest {
    private static final String JOB = "crm-g1-3f2a1";

    // Jobs and pods as the API server returns them, built from the Job the operator creates.

    private static Job job(JobCondition... conditions) {
        Job created = Resources.job(migration().build());
        return new JobBuilder(created).editMetadata().withName(JOB).endMetadata()
                .withNewStatus().withConditions(conditions).endStatus().build();
    }

    private static JobCondition condition(String type, String status, String reason, String message) {
        return new JobConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message).build();
    }

    private static Pod pod(String name, String created, boolean withBackup, List<ContainerStatus> init,
                                                  List<ContainerStatus> main) {
        Job template = Resources.job(withBackup ? migration().build() : migration().backupDisabled("scratch").build());
        return new PodBuilder()
                .withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
                .withSpec(template.getSpec().getTemplate().getSpec())
                .withNewStatus().withInitContainerStatuses(init).withContainerStatuses(main).endStatus()
                .build();
    }

    private static Pod pod(String name, String created, ContainerStatus backup, ContainerStatus migrate) {
        return pod(name, created, true, backup == null ? List.of() : List.of(backup),
                migrate == null ? List.of() : List.of(migrate));
    }

    private static ContainerStatus status(String name, ContainerState state) {
        return new ContainerStatusBuilder().withName(name).withState(state).build();
    }

    private static ContainerState terminated(int exitCode, String reason, String message) {
        return new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
                .withMessage(message).endTerminated().build();
    }

    private static ContainerState running() {
        return new ContainerStateBuilder().withNewRunning().withStartedAt("2024-05-06T07:08:09Z").endRunning().build();
    }

    private static ContainerState waiting(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
    }

    private static ContainerStatus backupDone(String revision) {
        return status("backup", terminated(0, "Completed", RunnerJson.write(backupSucceeded(backupFile("g1"), revision))));
    }

    @Test
    void completeConditionIsSucceeded() {
        JobObservation observation = JobObserver.observe(job(condition("Complete", "True", null, null)), List.of());

        assertEquals(JOB, observation.name());
        assertEquals(JobObservation.State.Succeeded, observation.state());
    }

    @Test
    void failedConditionIsFailedWithItsReasonAndMessage() {
        JobObservation observation = JobObserver.observe(job(
                condition("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline"),
                condition("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")), List.of());

        assertEquals(JobObservation.State.Failed, observation.state());
        assertEquals("DeadlineExceeded", observation.failureReason());
        assertEquals("Job was active longer than specified deadline", observation.failureMessage());
    }

    @Test
    void conditionsThatAreNotTrueLeaveTheJobActive() {
        assertEquals(JobObservation.State.Active, JobObserver.observe(job(), List.of()).state());
        assertEquals(JobObservation.State.Active, JobObserver.observe(job(condition("Failed", "False", null, null),
                condition("Complete", "Unknown", null, null)), List.of()).state());
        assertEquals(JobObservation.State.Active, JobObserver.observe(new JobBuilder().withNewMetadata().withName(JOB)
                .endMetadata().build(), List.of()).state());
    }

    @Test
    void attemptsAreOrderedByCreation() {
        RunnerResult lockHeld = RunnerResult.of("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "lock held");
        Pod first = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", backupDone("a1b2"),
                status("migrate", terminated(20, "Error", RunnerJson.write(lockHeld))));
        Pod second = pod(JOB + "-zzzzz", "2024-05-06T07:09:40Z", backupDone("a1b2"),
                status("migrate", terminated(20, "Error", RunnerJson.write(lockHeld))));
        Pod third = pod(JOB + "-mmmmm", "2024-05-06T07:12:05Z", status("backup", running()),
                status("migrate", waiting("PodInitializing", null)));

        JobObservation observation = JobObserver.observe(job(), List.of(third, first, second));

        assertEquals(3, observation.attempts().size());
        assertEquals(ContainerOutcome.State.Running, observation.latestAttempt().backup().state());
        assertEquals(2, observation.failedAttempts());
    }

    @Test
    void terminationMessagesAreReadAsRunnerResults() {
        RunnerResult backup = backupSucceeded(backupFile("g1"), "a1b2");
        RunnerResult upgrade = upgradeFailed("a1b2", "a1b2", "c3d4", "revision c3d4 failed: duplicate column");
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z",
                status("backup", terminated(0, "Completed", RunnerJson.write(backup))),
                status("migrate", terminated(21, "Error", RunnerJson.write(upgrade))));

        Attempt attempt = JobObserver.observe(job(), List.of(pod)).latestAttempt();

        assertEquals(ContainerOutcome.State.Succeeded, attempt.backup().state());
        assertEquals(backup, attempt.backup().result());
        assertEquals(ContainerOutcome.State.Failed, attempt.main().state());
        assertEquals(21, attempt.main().exitCode());
        assertEquals(upgrade, attempt.main().result());
        assertNull(attempt.main().text());
        assertSame(attempt.main(), attempt.failure());
        assertEquals("MigrationFailed", attempt.failure().failureReason());
    }

    @Test
    void logsInsteadOfJsonAreKeptAsText() {
        String logs = "Traceback (most recent call last):\n  File \"/migrations/env.py\", line 7\nImportError: no module x\n";
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", backupDone("a1b2"),
                status("migrate", terminated(1, "Error", logs)));

        ContainerOutcome migrate = JobObserver.observe(job(), List.of(pod)).latestAttempt().main();

        assertNull(migrate.result());
        assertEquals(logs, migrate.text());
        assertEquals("UnexpectedError", migrate.failureReason());
        assertTrue(migrate.failureMessage().contains("ImportError: no module x"), migrate.failureMessage());
    }

    @Test
    void jsonCutShortIsKeptAsText() {
        String cut = RunnerJson.write(backupSucceeded(backupFile("g1"), "a1b2")).substring(0, 40);
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", status("backup", terminated(10, "Error", cut)),
                status("migrate", waiting("PodInitializing", null)));

        ContainerOutcome backup = JobObserver.observe(job(), List.of(pod)).latestAttempt().backup();

        assertNull(backup.result());
        assertEquals(cut, backup.text());
        assertEquals("BackupFailed", backup.failureReason(), "from the exit code when the runner's JSON is unreadable");
    }

    @Test
    void kubeletReasonIsKeptWhenTheRunnerCouldNotWriteOne() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", status("backup", terminated(137, "OOMKilled", null)),
                status("migrate", waiting("PodInitializing", null)));

        ContainerOutcome backup = JobObserver.observe(job(), List.of(pod)).latestAttempt().backup();

        assertEquals(ContainerOutcome.State.Failed, backup.state());
        assertEquals(137, backup.exitCode());
        assertEquals("OOMKilled", backup.failureReason());
    }

    @Test
    void containerThatCannotBeCreatedIsVisible() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z",
                status("backup", waiting("CreateContainerConfigError", "couldn't find key pass in Secret crm/crm-db")),
                status("migrate", waiting("PodInitializing", null)));

        Attempt attempt = JobObserver.observe(job(), List.of(pod)).latestAttempt();

        assertEquals(ContainerOutcome.State.Waiting, attempt.backup().state());
        assertEquals("CreateContainerConfigError", attempt.backup().reason());
        ContainerOutcome blocked = attempt.blockedContainer();
        assertNotNull(blocked);
        assertEquals("CreateContainerConfigError", blocked.reason());
        assertEquals("couldn't find key pass in Secret crm/crm-db", blocked.text());
    }

    @Test
    void podInitializingIsNotABlockedPod() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", status("backup", waiting("PodInitializing", null)),
                status("migrate", waiting("PodInitializing", null)));

        assertNull(JobObserver.observe(job(), List.of(pod)).latestAttempt().blockedContainer());
    }

    @Test
    void podWithoutStatusesHasAPendingBackup() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", null, null);

        Attempt attempt = JobObserver.observe(job(), List.of(pod)).latestAttempt();

        assertEquals(ContainerOutcome.State.Waiting, attempt.backup().state());
        assertNull(attempt.main());
        assertNull(attempt.failure());
    }

    @Test
    void podWithoutBackupContainerHasNoBackup() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", false, List.of(), List.of(status("migrate", running())));

        Attempt attempt = JobObserver.observe(job(), List.of(pod)).latestAttempt();

        assertNull(attempt.backup());
        assertEquals(ContainerOutcome.State.Running, attempt.main().state());
        assertTrue(attempt.migrating());
    }

    @Test
    void unscheduledPodWithoutBackupContainerHasNoOutcomesYet() {
        Pod pod = pod(JOB + "-aaaaa", "2024-05-06T07:08:09Z", false, List.of(), List.of());

        Attempt attempt = JobObserver.observe(job(), List.of(pod)).latestAttempt();

        assertEquals(new Attempt(null, null), attempt);
        assertNull(attempt.failure());
    }

    @Test
    void noPodsNoAttempts() {
        JobObservation observation = JobObserver.observe(job(), List.of());

        assertEquals(List.of(), observation.attempts());
        assertNull(observation.latestAttempt());
    }

    // A gated step's plan Job: one container, `plan`, read as the main one.

    private static Pod planPod(ContainerStatus plan) {
        var resource = migration().steps(io.dbmigrate.testing.Resources.approvalStep("contract", "head", null)).build();
        Job template = JobFactory.buildPlan(resource,
                io.dbmigrate.testing.Resources.entry(io.dbmigrate.testing.Resources.observe(resource, List.of()), 0));
        return new PodBuilder()
                .withNewMetadata().withName(JOB + "-ppppp").withCreationTimestamp("2024-05-06T07:08:09Z").endMetadata()
                .withSpec(template.getSpec().getTemplate().getSpec())
                .withNewStatus().withContainerStatuses(plan).endStatus()
                .build();
    }

    @Test
    void aPlanPodsPlanContainerIsItsMainContainer() {
        io.dbmigrate.contract.PlanResult plan = io.dbmigrate.testing.Resources.plan("head", "e5f6", List.of("f7a8"),
                "ALTER TABLE customers DROP COLUMN legacy_score;");
        RunnerResult result = io.dbmigrate.testing.Resources.planned(plan);

        Attempt attempt = JobObserver.observe(job(condition("Complete", "True", null, null)),
                List.of(planPod(status("plan", terminated(0, "Completed", RunnerJson.write(result)))))).latestAttempt();

        assertNull(attempt.backup(), "a plan pod has no backup");
        assertNotNull(attempt.main(), "the plan container is read");
        assertEquals(ContainerOutcome.State.Succeeded, attempt.main().state());
        assertEquals(plan, attempt.main().result().plan());
    }

    @Test
    void aFailedPlanContainerIsTheAttemptsFailure() {
        RunnerResult refused = io.dbmigrate.testing.Resources.failed("plan", ExitCode.AUTHENTICATION_FAILED,
                "password authentication failed");

        Attempt attempt = JobObserver.observe(job(), List.of(planPod(status("plan",
                terminated(ExitCode.AUTHENTICATION_FAILED.code(), "Error", RunnerJson.write(refused)))))).latestAttempt();

        assertSame(attempt.main(), attempt.failure());
        assertEquals("AuthenticationFailed", attempt.failure().failureReason());
    }

    @Test
    void aRunningPlanContainerHasStarted() {
        Attempt attempt = JobObserver.observe(job(), List.of(planPod(status("plan", running())))).latestAttempt();

        assertTrue(attempt.started());
        assertEquals(ContainerOutcome.State.Running, attempt.main().state());
    }
}
