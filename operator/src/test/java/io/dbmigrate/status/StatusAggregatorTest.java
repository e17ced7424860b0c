package io.dbmigrate.status;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.activeJob;
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
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeFailed;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.testing.Resources;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {
    private static final String READY = StatusCondition.READY;
    private static final String RECONCILING = StatusCondition.RECONCILING;
    private static final String STALLED = StatusCondition.STALLED;

    /** As the reconciler does it: the planner decides from the observation, the aggregator computes the status. */
    private static DatabaseMigrationStatus reconcile(Observation observation, Instant now) {
        return StatusAggregator.compute(observation, MigrationPlanner.decide(observation), now);
    }

    private static DatabaseMigrationStatus reconcile(DatabaseMigration resource, JobObservation job) {
        return reconcile(observe(resource, job), T0);
    }

    private static String jobName(DatabaseMigration resource) {
        return MigrationPlanner.jobName(resource);
    }

    private static void assertConditions(DatabaseMigrationStatus status, String ready, String reconciling, String stalled,
                                                                              String reason) {
        assertAll(
                () -> assertEquals(ready, condition(status, READY).status(), "Ready"),
                () -> assertEquals(reconciling, condition(status, RECONCILING).status(), "Reconciling"),
                () -> assertEquals(stalled, condition(status, STALLED).status(), "Stalled"),
                () -> assertEquals(reason, condition(status, READY).reason(), "Ready's reason"),
                () -> assertEquals(3, status.conditionsOrEmpty().size(), "Ready, Reconciling and Stalled, nothing else"));
    }

    @Test
    void succeededJobIsReadyNotReconcilingNotStalled() {
        DatabaseMigration resource = migration().build();
        JobObservation job = succeededJob(jobName(resource), attempt(ok(backupSucceeded(backupFile("g1"), "base")),
                ok(upgradeSucceeded("base", "c3d4", "a1b2", "c3d4"))));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Succeeded, status.phase());
        assertConditions(status, "True", "False", "False", "Succeeded");
        assertEquals("c3d4", status.currentRevision());
        assertEquals("head", status.targetRevision());
        assertEquals(jobName(resource), status.job());
        assertEquals(List.of("a1b2", "c3d4"), status.lastMigration().appliedRevisions());
        assertNull(status.lastMigration().error());
        assertEquals("Upgraded base -> c3d4: applied 2 revisions", status.message());
        assertEquals(Phase.Succeeded, status.steps().get(0).phase(), "the one step, migrate, recorded as succeeded");
        assertEquals(jobName(resource), status.steps().get(0).job());
    }

    @Test
    void failingRevisionFailsWithTheRunnersReasonAndKeepsTheRevisionBefore() {
        DatabaseMigration resource = migration().build();
        String error = "revision c3d4 failed: column \"computed_score\" of relation \"customers\" already exists";
        JobObservation job = failedJob(jobName(resource), "PodFailurePolicy", "Container migrate exited with 21",
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeFailed("a1b2", "a1b2", "c3d4", error))));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Failed, status.phase());
        assertConditions(status, "False", "False", "True", "MigrationFailed");
        assertEquals("MigrationFailed", condition(status, STALLED).reason());
        assertTrue(condition(status, STALLED).message().contains(error), condition(status, STALLED).message());
        assertTrue(status.message().contains(error), status.message());
        assertEquals("c3d4", status.lastMigration().failedRevision());
        assertEquals(error, status.lastMigration().error());
        assertEquals("a1b2", status.currentRevision(), "the database is where the runner read it, not at the target");
        assertEquals(1, status.failedAttempts());
    }

    @Test
    void failedBackupFailsWithBackupFailedAndRecordsNoBackup() {
        DatabaseMigration resource = migration().build();
        String error = "pg_dump failed: pg_dump: error: server version: 17.2; pg_dump version: 15.8";
        JobObservation job = failedJob(jobName(resource), "PodFailurePolicy", null,
                attempt(ok(failed("backup", ExitCode.BACKUP_FAILED, error)), ContainerOutcome.waiting("PodInitializing")));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Failed, status.phase());
        assertConditions(status, "False", "False", "True", "BackupFailed");
        assertEquals("BackupFailed", condition(status, STALLED).reason());
        assertTrue(status.message().contains(error), status.message());
        assertNull(status.lastBackup());
        assertNull(status.lastMigration());
    }

    @Test
    void deadlineExceededIsTheJobsReasonEvenWhenAContainerWasKilled() {
        DatabaseMigration resource = migration().build();
        // The runner was killed by the deadline before it could write its result: exit 143, no JSON.
        JobObservation job = failedJob(jobName(resource), "DeadlineExceeded", "Job was active longer than specified deadline",
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ContainerOutcome.terminated(143, "Error", null, null)));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Failed, status.phase());
        assertConditions(status, "False", "False", "True", "DeadlineExceeded");
        assertEquals("DeadlineExceeded", condition(status, STALLED).reason());
        assertTrue(status.message().contains("deadline"), status.message());
    }

    @Test
    void failedJobWithoutAFailedContainerUsesTheJobsReason() {
        DatabaseMigration resource = migration().build();
        JobObservation job = failedJob(jobName(resource), "BackoffLimitExceeded", "Job has reached the specified backoff limit");

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertConditions(status, "False", "False", "True", "BackoffLimitExceeded");
        assertTrue(status.message().contains("backoff limit"), status.message());
    }

    @Test
    void waitingForTheSecretIsPendingAndReconcilingNotStalled() {
        DatabaseMigration resource = migration().build();

        DatabaseMigrationStatus status = reconcile(observe(resource, SecretObservation.MISSING), T0);

        assertEquals(Phase.Pending, status.phase());
        assertConditions(status, "False", "True", "False", "SecretNotFound");
        assertEquals("SecretNotFound", condition(status, RECONCILING).reason());
        assertTrue(status.message().contains("crm/crm-db"), status.message());
        assertNull(status.job());
    }

    @Test
    void missingKeyIsPendingAndReconciling() {
        DatabaseMigration resource = migration().build();

        DatabaseMigrationStatus status = reconcile(observe(resource, new SecretObservation(true, List.of("password"))), T0);

        assertEquals(Phase.Pending, status.phase());
        assertConditions(status, "False", "True", "False", "SecretKeyNotFound");
    }

    @Test
    void invalidSpecIsFailedAndStalled() {
        DatabaseMigration resource = migration().port(0).build();

        DatabaseMigrationStatus status = reconcile(observe(resource), T0);

        assertEquals(Phase.Failed, status.phase());
        assertConditions(status, "False", "False", "True", "InvalidSpec");
        assertTrue(condition(status, STALLED).message().contains("spec.database.port"));
    }

    @Test
    void suspendedIsNeitherReconcilingNorStalled() {
        DatabaseMigration resource = migration().suspend(true).build();

        DatabaseMigrationStatus status = reconcile(observe(resource), T0);

        assertEquals(Phase.Suspended, status.phase());
        assertConditions(status, "False", "False", "False", "Suspended");
    }

    @Test
    void createdJobIsPendingAndReconcilingAndNamed() {
        DatabaseMigration resource = migration().build();

        DatabaseMigrationStatus status = reconcile(observe(resource), T0);

        assertEquals(Phase.Pending, status.phase());
        assertConditions(status, "False", "True", "False", "JobCreated");
        assertEquals(jobName(resource), status.job());
        assertTrue(status.message().contains("crm-backups"), status.message());
        assertEquals(0, status.failedAttempts());
    }

    @Test
    void observedGenerationIsOnTheStatusAndOnEveryCondition() {
        List<Observation> observations = List.of(
                observe(migration().generation(7L).build()),
                observe(migration().generation(7L).build(), SecretObservation.MISSING),
                observe(migration().generation(7L).suspend(true).build()),
                observe(migration().generation(7L).host("").build()),
                observe(migration().generation(7L).build(), activeJob("crm-g7-x", backedUp("g7", "a1b2"))),
                observe(migration().generation(7L).build(), succeededJob("crm-g7-x",
                        attempt(ok(backupSucceeded(backupFile("g7"), "a1b2")), ok(upgradeSucceeded("a1b2", "a1b2"))))));
        for (Observation observation : observations) {
            DatabaseMigrationStatus status = reconcile(observation, T0);
            assertEquals(7L, status.observedGeneration(), status.toString());
            for (StatusCondition condition : status.conditionsOrEmpty()) {
                assertEquals(7L, condition.observedGeneration(), condition.toString());
            }
        }
    }

    @Test
    void lastTransitionTimeMovesOnlyWhenAConditionsStatusChanges() {
        DatabaseMigration resource = migration().build();
        String job = jobName(resource);
        Instant t1 = T0.plusSeconds(10);
        Instant t2 = T0.plusSeconds(20);

        DatabaseMigrationStatus created = reconcile(observe(resource), T0);
        resource.setStatus(created);
        DatabaseMigrationStatus backingUp = reconcile(observe(resource, activeJob(job,
                attempt(ContainerOutcome.running(), ContainerOutcome.waiting("PodInitializing")))), t1);
        resource.setStatus(backingUp);
        DatabaseMigrationStatus succeeded = reconcile(observe(resource, succeededJob(job,
                attempt(ok(backupSucceeded(backupFile("g1"), "base")), ok(upgradeSucceeded("base", "c3d4", "c3d4"))))), t2);

        String at0 = T0.toString();
        String at2 = t2.toString();
        // Pending -> BackingUp: Ready stays False, Reconciling stays True, though the reasons change.
        assertEquals(at0, condition(backingUp, READY).lastTransitionTime());
        assertEquals("BackingUp", condition(backingUp, READY).reason());
        assertEquals(at0, condition(backingUp, RECONCILING).lastTransitionTime());
        assertEquals(at0, condition(backingUp, STALLED).lastTransitionTime());
        // BackingUp -> Succeeded: Ready and Reconciling flip, Stalled stays False.
        assertEquals(at2, condition(succeeded, READY).lastTransitionTime());
        assertEquals(at2, condition(succeeded, RECONCILING).lastTransitionTime());
        assertEquals(at0, condition(succeeded, STALLED).lastTransitionTime());
    }

    @Test
    void transitionTimesAreWholeSecondsInRfc3339() {
        DatabaseMigrationStatus status = reconcile(observe(migration().build()), Instant.parse("2024-05-06T07:08:09.987654Z"));

        assertEquals("2024-05-06T07:08:09Z", condition(status, READY).lastTransitionTime());
    }

    @Test
    void backupRevisionIsTheCurrentRevisionUntilAnUpgradeReportsAnother() {
        DatabaseMigration resource = migration().status(new DatabaseMigrationStatus(1L, Phase.Pending, "0001", "head",
                null, List.of(), null, null, null, null, 0, List.of(), null, null, null)).build();

        DatabaseMigrationStatus status = reconcile(resource, activeJob(jobName(resource), backedUp("g1", "a1b2")));

        assertEquals("a1b2", status.currentRevision(), "read by the backup, newer than what the previous status said");
    }

    @Test
    void lastBackupIsTheLatestSuccessfulOne() {
        DatabaseMigration resource = migration().backoffLimit(3).build();
        String first = backupFile("g1");
        String second = "/var/lib/dbmigrate/backups/crm_g1_20240506T071009Z.dump";
        JobObservation job = succeededJob(jobName(resource),
                attempt(ok(backupSucceeded(first, "a1b2")), ok(failed("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "lock held"))),
                attempt(ok(failed("backup", ExitCode.CONNECTION_FAILED, "connection refused")), null),
                attempt(ok(backupSucceeded(second, "a1b2")), ok(upgradeSucceeded("a1b2", "c3d4", "c3d4"))));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(second, status.lastBackup().file());
        assertEquals("a1b2", status.lastBackup().revision());
        assertEquals(Resources.SHA256, status.lastBackup().sha256());
        assertEquals(48_213L, status.lastBackup().sizeBytes());
        assertEquals(Boolean.TRUE, status.lastBackup().verified());
        assertEquals("2024-05-06T07:08:13Z", status.lastBackup().finishedAt(), "whole seconds, as the printer column shows");
        assertEquals(Phase.Succeeded, status.phase());
    }

    @Test
    void aFailedBackupKeepsTheLastGoodOne() {
        DatabaseMigration resource = migration().build();
        String good = backupFile("g1");
        JobObservation job = failedJob(jobName(resource), "PodFailurePolicy", null,
                attempt(ok(backupSucceeded(good, "a1b2")), ok(failed("upgrade", ExitCode.CONNECTION_FAILED, "refused"))),
                attempt(ok(failed("backup", ExitCode.BACKUP_VERIFICATION_FAILED, "archive truncated")), null));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(good, status.lastBackup().file());
        assertEquals("BackupVerificationFailed", condition(status, STALLED).reason());
        assertEquals(2, status.failedAttempts());
        assertTrue(status.message().contains("2 attempts"), status.message());
    }

    @Test
    void activeJobIsBackingUpWhileTheBackupRuns() {
        DatabaseMigration resource = migration().build();

        DatabaseMigrationStatus status = reconcile(resource, activeJob(jobName(resource),
                attempt(ContainerOutcome.running(), ContainerOutcome.waiting("PodInitializing"))));

        assertEquals(Phase.BackingUp, status.phase());
        assertConditions(status, "False", "True", "False", "BackingUp");
    }

    @Test
    void activeJobIsMigratingOnceTheBackupSucceeded() {
        DatabaseMigration resource = migration().build();

        DatabaseMigrationStatus status = reconcile(resource, activeJob(jobName(resource), backedUp("g1", "a1b2")));

        assertEquals(Phase.Migrating, status.phase());
        assertConditions(status, "False", "True", "False", "Migrating");
        assertTrue(status.message().contains("crm_g1_20240506T070809Z.dump"), status.message());
        assertEquals(backupFile("g1"), status.lastBackup().file(), "the backup is recorded as soon as it is verified");
    }

    @Test
    void activeJobWithoutBackupIsMigratingAndSaysSo() {
        DatabaseMigration resource = migration().backupDisabled("scratch database, recreated nightly").build();

        DatabaseMigrationStatus status = reconcile(resource, activeJob(jobName(resource),
                attempt(null, ContainerOutcome.running())));

        assertEquals(Phase.Migrating, status.phase());
        assertTrue(status.message().contains("No backup"), status.message());
    }

    @Test
    void activeJobWithoutBackupIsNeverReportedAsBackingUp() {
        DatabaseMigration resource = migration().backupDisabled("scratch database, recreated nightly").build();

        // The pod exists but has no container statuses yet (not scheduled): JobObserver reports an empty attempt.
        DatabaseMigrationStatus status = reconcile(resource, activeJob(jobName(resource), attempt(null, null)));

        assertNotEquals(Phase.BackingUp, status.phase(), status.message());
        assertFalse(status.message().contains("Backing up"), status.message());
    }

    @Test
    void activeJobAfterAFailedAttemptIsRetrying() {
        DatabaseMigration resource = migration().build();
        JobObservation job = activeJob(jobName(resource), attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")),
                ok(failed("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "migration lock held by pid 4711"))));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Pending, status.phase());
        assertConditions(status, "False", "True", "False", "Retrying");
        assertTrue(status.message().contains("LockNotAcquired"), status.message());
        assertTrue(status.message().contains("up to 2 retries"), status.message());
        assertEquals(1, status.failedAttempts());
    }

    @Test
    void theRetryAttemptIsFollowedOnceItRuns() {
        DatabaseMigration resource = migration().build();
        JobObservation job = activeJob(jobName(resource),
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(failed("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "held"))),
                attempt(ContainerOutcome.running(), ContainerOutcome.waiting("PodInitializing")));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.BackingUp, status.phase());
        assertEquals(1, status.failedAttempts());
    }

    @Test
    void podThatCannotStartSaysWhy() {
        DatabaseMigration resource = migration().build();
        JobObservation job = activeJob(jobName(resource), attempt(
                new ContainerOutcome(ContainerOutcome.State.Waiting, null, "CreateContainerConfigError", null,
                        "couldn't find key password in Secret crm/crm-db"),
                ContainerOutcome.waiting("PodInitializing")));

        DatabaseMigrationStatus status = reconcile(resource, job);

        assertEquals(Phase.Pending, status.phase());
        assertEquals("CreateContainerConfigError", condition(status, READY).reason());
        assertTrue(status.message().contains("couldn't find key password"), status.message());
    }

    @Test
    void computingTwiceFromTheSameInputGivesAnEqualStatus() {
        DatabaseMigration resource = migration().build();
        Observation observation = observe(resource, activeJob(jobName(resource), backedUp("g1", "a1b2")));

        assertEquals(reconcile(observation, T0), reconcile(observation, T0));
    }

    @Test
    void reconcilingAgainLaterWithNothingNewChangesNothing() {
        // The reconciler skips the status write when before equals after: time alone must not make them differ.
        List<Observation> observations = List.of(
                observe(migration().build(), SecretObservation.MISSING),
                observe(migration().suspend(true).build()),
                observe(migration().targetRevision("").build()),
                observe(migration().build(), activeJob(jobName(migration().build()), backedUp("g1", "a1b2"))),
                observe(migration().build(), succeededJob(jobName(migration().build()),
                        attempt(ok(backupSucceeded(backupFile("g1"), "base")), ok(upgradeSucceeded("base", "c3d4", "c3d4"))))));
        for (Observation observation : observations) {
            DatabaseMigrationStatus stored = reconcile(observation, T0);
            observation.resource().setStatus(stored);

            assertEquals(stored, reconcile(observation, T0.plusSeconds(3600)), stored.message());
        }
    }

    @Test
    void finishedGenerationKeepsItsStatusAsItIs() {
        DatabaseMigration resource = migration().build();
        DatabaseMigrationStatus succeeded = reconcile(resource, succeededJob(jobName(resource),
                attempt(ok(backupSucceeded(backupFile("g1"), "base")), ok(upgradeSucceeded("base", "c3d4", "c3d4")))));
        resource.setStatus(succeeded);

        // The Job was deleted (ttlSecondsAfterFinished, kubectl delete): status must not fall back to Pending, and must
        // equal what it was, so that the reconciler (which compares with equals) writes nothing.
        DatabaseMigrationStatus after = reconcile(observe(resource), T0.plusSeconds(600));

        assertEquals(succeeded, after);
        assertEquals(Phase.Succeeded, after.phase());
    }

    @Test
    void newGenerationStartsCountingFailedAttemptsAgainButKeepsTheRevisionAndBackup() {
        DatabaseMigration resource = migration().build();
        DatabaseMigrationStatus failedFirst = reconcile(resource, failedJob(jobName(resource), "PodFailurePolicy", null,
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeFailed("a1b2", "a1b2", "c3d4", "boom")))));
        DatabaseMigration edited = migration().generation(2L).status(failedFirst).build();

        DatabaseMigrationStatus status = reconcile(observe(edited), T0.plusSeconds(60));

        assertEquals(Phase.Pending, status.phase());
        assertEquals(2L, status.observedGeneration());
        assertEquals(0, status.failedAttempts());
        assertEquals("a1b2", status.currentRevision());
        assertEquals(backupFile("g1"), status.lastBackup().file());
        assertEquals("False", condition(status, STALLED).status());
    }
}
