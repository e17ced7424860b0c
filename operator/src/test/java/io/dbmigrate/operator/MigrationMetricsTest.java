package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Statuses in, registry values out: what each status transition adds to the metrics. */
class MigrationMetricsTest {
    private static final BackupStatus BACKUP = new BackupStatus("/backups/crm-1.dump", "base", 4096L, "ab", true,
            "2024-05-06T07:08:09Z", "2024-05-06T07:08:12.500Z");
    private static final MigrationRunStatus UPGRADE = new MigrationRunStatus("base", "vwx234yz567",
            List.of("xyz789uvw012", "vwx234yz567"), null, null, "2024-05-06T07:08:13Z", "2024-05-06T07:08:20Z", "upgrade", 1, null, null, null);
    private static final MigrationRunStatus RAISED = new MigrationRunStatus("vwx234yz567", "vwx234yz567", List.of(),
            "zzz000broken", "boom", "2024-05-06T08:00:00Z", "2024-05-06T08:00:02Z", "upgrade", 1, null, null, null);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MigrationMetrics metrics = new MigrationMetrics(registry);

    @Test
    void succeededRunRecordsBackupMigrationAndOutcomeOnce() {
        DatabaseMigration crm = resource("crm", 1);
        DatabaseMigrationStatus migrating = status(1, Phase.Migrating, "Migrating", BACKUP, null);
        DatabaseMigrationStatus succeeded = status(1, Phase.Succeeded, "Succeeded", BACKUP, UPGRADE);

        // Reconciled again at the end with nothing new: nothing is counted twice.
        walk(crm, null, status(1, Phase.BackingUp, "BackingUp"), migrating, succeeded, succeeded);

        Timer backup = registry.get(MigrationMetrics.BACKUP_DURATION).timer();
        assertEquals(1, backup.count());
        assertEquals(3500, backup.totalTime(TimeUnit.MILLISECONDS), 0.001);
        DistributionSummary size = registry.get(MigrationMetrics.BACKUP_SIZE).summary();
        assertEquals(1, size.count());
        assertEquals(4096, size.totalAmount(), 0.001);
        Timer upgrade = registry.get(MigrationMetrics.MIGRATION_DURATION).tag("outcome", "Succeeded").timer();
        assertEquals(1, upgrade.count());
        assertEquals(7, upgrade.totalTime(TimeUnit.SECONDS), 0.001);
        assertEquals(1, runs("Succeeded", "Succeeded"));
        assertEquals(1, resources(Phase.Succeeded));
        assertEquals(0, resources(Phase.Migrating));
    }

    @Test
    void aTransitionSeenAgainFromAStaleCacheIsCountedOnce() {
        DatabaseMigration crm = resource("crm", 1);
        DatabaseMigrationStatus backingUp = status(1, Phase.BackingUp, "BackingUp");
        DatabaseMigrationStatus succeeded = status(1, Phase.Succeeded, "Succeeded", BACKUP, UPGRADE);

        metrics.record(crm, backingUp, succeeded);
        // The next reconcile started from the informer's copy, which did not have that patch yet.
        metrics.record(crm, backingUp, succeeded);

        assertEquals(1, registry.get(MigrationMetrics.BACKUP_SIZE).summary().count());
        assertEquals(1, registry.get(MigrationMetrics.MIGRATION_DURATION).tag("outcome", "Succeeded").timer().count());
        assertEquals(1, runs("Succeeded", "Succeeded"));
    }

    @Test
    void failedRunIsCountedByItsReasonAndAFailedUpgradeIsTimedAsFailed() {
        DatabaseMigration crm = resource("crm", 2);
        DatabaseMigrationStatus succeeded = status(1, Phase.Succeeded, "Succeeded", BACKUP, UPGRADE);
        DatabaseMigrationStatus failed = status(2, Phase.Failed, "MigrationFailed", BACKUP, RAISED);

        walk(crm, succeeded, failed, failed);

        assertEquals(1, runs("Failed", "MigrationFailed"));
        assertNull(registry.find(MigrationMetrics.RUNS).tag("outcome", "Succeeded").counter(), "no success counted");
        assertEquals(1, registry.get(MigrationMetrics.MIGRATION_DURATION).tag("outcome", "Failed").timer().count());
        assertNull(registry.find(MigrationMetrics.BACKUP_SIZE).summary(), "the same backup file is not a new backup");
        assertEquals(1, resources(Phase.Failed));
    }

    @Test
    void aNewGenerationThatFailsAgainIsANewOutcome() {
        DatabaseMigration crm = resource("crm", 3);
        DatabaseMigrationStatus failedTwo = status(2, Phase.Failed, "BackupFailed");
        DatabaseMigrationStatus failedThree = status(3, Phase.Failed, "BackupFailed");

        walk(crm, null, failedTwo, failedThree);

        assertEquals(2, runs("Failed", "BackupFailed"));
    }

    @Test
    void phaseGaugeCountsEachResourceOnceAndForgetsDeletedOnes() {
        DatabaseMigration crm = resource("crm", 1);
        DatabaseMigration billing = resource("billing", 1);
        metrics.record(crm, null, status(1, Phase.Pending, "SecretNotFound"));
        metrics.record(billing, null, status(1, Phase.Pending, "JobCreated"));
        assertEquals(2, resources(Phase.Pending));

        metrics.record(crm, status(1, Phase.Pending, "SecretNotFound"),
                status(1, Phase.BackingUp, "BackingUp"));
        assertEquals(1, resources(Phase.Pending));
        assertEquals(1, resources(Phase.BackingUp));

        // A DatabaseMigrationSet named billing, deleted: every controller's deletions reach every Metrics.
        metrics.cleanupDoneFor(ResourceID.fromResource(billing),
                Map.of(Constants.CONTROLLER_NAME, DatabaseMigrationSetReconciler.NAME));
        assertEquals(1, resources(Phase.Pending), "not the set's migration namesake");

        metrics.cleanupDoneFor(ResourceID.fromResource(billing),
                Map.of(Constants.CONTROLLER_NAME, DatabaseMigrationReconciler.NAME));
        assertEquals(0, resources(Phase.Pending));
        assertEquals(0, resources(Phase.Suspended), "every phase is there, at 0 when empty");
    }

    @Test
    void unreadableTimesCostTheSampleNotTheReconcile() {
        DatabaseMigration crm = resource("crm", 1);
        BackupStatus badTimes = new BackupStatus("/backups/x.dump", "base", 10L, "ab", true, "yesterday", null);

        metrics.record(crm, null, status(1, Phase.Migrating, "Migrating", badTimes, null));

        assertNull(registry.find(MigrationMetrics.BACKUP_DURATION).timer());
        assertEquals(10, registry.get(MigrationMetrics.BACKUP_SIZE).summary().totalAmount(), 0.001);
    }

    @Test
    void eachStepIsCountedOnceWhenItEndsByStepOutcomeAndReason() {
        DatabaseMigration crm = resource("crm", 1);
        StepStatus expandDone = step("expand", Phase.Succeeded, 1L);
        DatabaseMigrationStatus expandOnly = phased(1, Phase.Migrating, "Migrating", "contract", expandDone,
                step("contract", Phase.Migrating, 1L));
        DatabaseMigrationStatus contractFailed = phased(1, Phase.Failed, "VerificationFailed", "contract", expandDone,
                step("contract", Phase.Failed, 1L));

        metrics.record(crm, null, expandOnly);
        metrics.record(crm, expandOnly, expandOnly);
        metrics.record(crm, expandOnly, contractFailed);
        metrics.record(crm, expandOnly, contractFailed); // from a stale cache

        assertEquals(1, steps("expand", "Succeeded", "Succeeded"));
        assertEquals(1, steps("contract", "Failed", "VerificationFailed"));
    }

    @Test
    void aStepCarriedOverToALaterGenerationIsNotCountedAgainEvenAfterARestart() {
        DatabaseMigration crm = resource("crm", 2);
        StepStatus expandInOne = step("expand", Phase.Succeeded, 1L);
        DatabaseMigrationStatus one = phased(1, Phase.Succeeded, "Succeeded", "expand", expandInOne);
        DatabaseMigrationStatus two = phased(2, Phase.Pending, "JobCreated", "contract", expandInOne,
                step("contract", Phase.Pending, 2L));

        metrics.record(crm, one, two); // a fresh operator: nothing counted yet in this process

        assertNull(registry.find(MigrationMetrics.STEPS).counter(), "expand ended in generation 1, counted then");
    }

    /** The resource's status goes from {@code from} through each of {@code statuses}, one reconcile each. */
    private void walk(DatabaseMigration resource, DatabaseMigrationStatus from, DatabaseMigrationStatus... statuses) {
        DatabaseMigrationStatus before = from;
        for (DatabaseMigrationStatus after : statuses) {
            metrics.record(resource, before, after);
            before = after;
        }
    }

    private double steps(String step, String outcome, String reason) {
        return registry.get(MigrationMetrics.STEPS).tag("step", step).tag("outcome", outcome).tag("reason", reason)
                .counter().count();
    }

    private static StepStatus step(String name, Phase phase, Long generation) {
        return new StepStatus(name, "head", phase, "crm-g" + generation + "-" + name, generation, "f", null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    private static DatabaseMigrationStatus phased(long generation, Phase phase, String readyReason, String currentStep,
                                                                                                StepStatus... steps) {
        DatabaseMigrationStatus status = status(generation, phase, readyReason);
        return new DatabaseMigrationStatus(generation, phase, null, "head", currentStep, List.of(steps), null,
                status.message(), null, null, 0, status.conditions(), null, null, null);
    }

    private double runs(String outcome, String reason) {
        Counter counter = registry.get(MigrationMetrics.RUNS).tag("outcome", outcome).tag("reason", reason).counter();
        return counter.count();
    }

    private double resources(Phase phase) {
        return registry.get(MigrationMetrics.RESOURCES).tag("phase", phase.name()).gauge().value();
    }

    private static DatabaseMigration resource(String name, long generation) {
        DatabaseMigration resource = new DatabaseMigration();
        resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("crm").withGeneration(generation).build());
        return resource;
    }

    /** A status with neither a backup nor a run recorded. */
    private static DatabaseMigrationStatus status(long generation, Phase phase, String readyReason) {
        return status(generation, phase, readyReason, null, null);
    }

    private static DatabaseMigrationStatus status(long generation, Phase phase, String readyReason, BackupStatus backup,
                                                                                                MigrationRunStatus run) {
        String ready = phase == Phase.Succeeded ? "True" : "False";
        return new DatabaseMigrationStatus(generation, phase, null, "head", null, null, "crm-g" + generation, readyReason,
                backup, run, 0,
                List.of(new StatusCondition(StatusCondition.READY, ready, generation, "2024-05-06T07:08:09Z", readyReason, "")),
                null, null, null);
    }
}
