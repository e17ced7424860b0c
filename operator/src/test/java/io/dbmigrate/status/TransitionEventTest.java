package io.dbmigrate.status;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.activeJob;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backedUp;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.failed;
import static io.dbmigrate.testing.Resources.failedJob;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeFailed;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.status.TransitionEvent.Type;
import io.dbmigrate.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TransitionEventTest {

    private static DatabaseMigrationStatus reconcile(Observation observation) {
        return StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0);
    }

    /** The status after one reconcile of this resource with this Job, starting from the resource's current status. */
    private static DatabaseMigrationStatus step(DatabaseMigration resource, JobObservation job) {
        DatabaseMigrationStatus next = reconcile(observe(resource, job));
        resource.setStatus(next);
        return next;
    }

    /** Reconciled while its Job's pod backs up. */
    private static DatabaseMigrationStatus backingUp(DatabaseMigration resource) {
        return step(resource, activeJob(MigrationPlanner.jobName(resource),
                attempt(ContainerOutcome.running(), ContainerOutcome.waiting("PodInitializing"))));
    }

    /** Reconciled once backup g1 (at a1b2) is verified and the upgrade runs. */
    private static DatabaseMigrationStatus migrating(DatabaseMigration resource) {
        return step(resource, activeJob(MigrationPlanner.jobName(resource), backedUp("g1", "a1b2")));
    }

    /** Reconciled once its Job succeeded: backup g1 at a1b2, then the upgrade to c3d4. */
    private static DatabaseMigrationStatus succeeded(DatabaseMigration resource) {
        return step(resource, succeededJob(MigrationPlanner.jobName(resource),
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeSucceeded("a1b2", "c3d4", "c3d4")))));
    }

    /** One fresh resource reconciled twice: to what {@code first} makes of it, then to what {@code second} does. */
    private record Transition(DatabaseMigrationStatus before, DatabaseMigrationStatus after) {
        static Transition of(Function<DatabaseMigration, DatabaseMigrationStatus> first,
                                                  Function<DatabaseMigration, DatabaseMigrationStatus> second) {
            DatabaseMigration resource = migration().build();
            DatabaseMigrationStatus before = first.apply(resource);
            return new Transition(before, second.apply(resource));
        }

        List<TransitionEvent> events() {
            return TransitionEvent.between(before, after);
        }
    }

    private static TransitionEvent only(List<TransitionEvent> events) {
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }

    @Test
    void aPlanWithLintFindingsIsOneWarningEvent() {
        DatabaseMigration resource = migration().steps(Resources.step("expand", "expand@head"),
                Resources.approvalStep("contract", "head", null)).build();
        JobObservation expand = succeededJob(io.dbmigrate.naming.JobNames.forStep(Resources.NAME, Resources.UID, 1,
                "expand"), attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeSucceeded("a1b2", "e5f6",
                "e5f6"))));
        io.dbmigrate.contract.PlanResult plan = Resources.plan("head", "e5f6", List.of("f7a8"),
                "ALTER TABLE customers ALTER COLUMN email SET NOT NULL;\n").withLint(io.dbmigrate.contract.LintReport.of(
                "squawk 2.66.0", List.of(new io.dbmigrate.contract.LintFinding("adding-not-nullable-field", "f7a8",
                "error", "Setting a column NOT NULL blocks reads while the table is scanned.",
                "ALTER TABLE customers ALTER COLUMN email SET NOT NULL;", 1))));
        List<JobObservation> jobs = List.of(expand, Resources.planJob(io.dbmigrate.naming.JobNames.forPlan(
                Resources.NAME, Resources.UID, 1, "contract"), plan));
        DatabaseMigrationStatus before = reconcile(observe(resource, List.of(expand)));
        resource.setStatus(before);

        DatabaseMigrationStatus published = reconcile(observe(resource, jobs));
        List<TransitionEvent> lint = TransitionEvent.between(before, published).stream()
                .filter(e -> Reasons.LINT_FINDINGS.equals(e.reason())).toList();

        TransitionEvent event = only(lint);
        assertEquals(Type.Warning, event.type());
        assertTrue(event.message().contains("Step contract: plan " + io.dbmigrate.plan.PlanDigest.of(plan)
                + " lint found 1 finding, 1 error, first adding-not-nullable-field in revision f7a8"), event.message());
        resource.setStatus(published);
        assertEquals(List.of(), TransitionEvent.between(published, reconcile(observe(resource, jobs))).stream()
                .filter(e -> Reasons.LINT_FINDINGS.equals(e.reason())).toList(), "once per plan");
    }

    @Test
    void firstStatusIsAnEvent() {
        DatabaseMigrationStatus created = reconcile(observe(migration().build()));

        TransitionEvent event = only(TransitionEvent.between(null, created));

        assertEquals(new TransitionEvent(Type.Normal, "JobCreated", created.message()), event);
    }

    @Test
    void nothingChangedIsNoEvent() {
        DatabaseMigrationStatus status = reconcile(observe(migration().build(), SecretObservation.MISSING));

        assertEquals(List.of(), TransitionEvent.between(status, status));
        assertEquals(List.of(), TransitionEvent.between(status, reconcile(observe(migration().build(), SecretObservation.MISSING))));
    }

    @Test
    void aRewordedMessageWithTheSameReasonIsNoEvent() {
        DatabaseMigration resource = migration().backoffLimit(5).build();
        String job = MigrationPlanner.jobName(resource);
        Attempt lockHeld = attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")),
                ok(failed("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "held")));
        DatabaseMigrationStatus firstRetry = step(resource, activeJob(job, lockHeld));
        DatabaseMigrationStatus secondRetry = step(resource, activeJob(job, lockHeld, lockHeld));

        assertNotEquals(firstRetry.message(), secondRetry.message());
        assertEquals(List.of(), TransitionEvent.between(firstRetry, secondRetry));
    }

    @Test
    void readyReasonChangeIsAnEvent() {
        Transition transition = Transition.of(TransitionEventTest::backingUp, TransitionEventTest::succeeded);

        List<TransitionEvent> events = transition.events();

        assertTrue(events.contains(new TransitionEvent(Type.Normal, "Succeeded", transition.after().message())),
                events.toString());
    }

    @Test
    void newGenerationIsAnEventEvenWithTheSameReason() {
        DatabaseMigrationStatus first = reconcile(observe(migration().generation(1L).build(), SecretObservation.MISSING));
        DatabaseMigration edited = migration().generation(2L).targetRevision("c3d4").status(first).build();
        DatabaseMigrationStatus second = reconcile(observe(edited, SecretObservation.MISSING));

        TransitionEvent event = only(TransitionEvent.between(first, second));

        assertEquals("SecretNotFound", event.reason());
    }

    @Test
    void newBackupIsABackupVerifiedEvent() {
        List<TransitionEvent> events =
                Transition.of(TransitionEventTest::backingUp, TransitionEventTest::migrating).events();

        TransitionEvent verified = events.stream().filter(e -> e.reason().equals("BackupVerified")).findFirst()
                .orElseThrow(() -> new AssertionError(events.toString()));
        assertEquals(Type.Normal, verified.type());
        assertTrue(verified.message().contains(backupFile("g1")), verified.message());
        assertTrue(verified.message().contains(Resources.SHA256.substring(0, 12)), verified.message());
        assertTrue(verified.message().contains("a1b2"), verified.message());
        assertTrue(events.stream().anyMatch(e -> e.reason().equals("Migrating")), events.toString());
    }

    @Test
    void theSameBackupIsNotAnnouncedTwice() {
        List<TransitionEvent> events =
                Transition.of(TransitionEventTest::migrating, TransitionEventTest::succeeded).events();

        assertEquals(List.of("Succeeded"), events.stream().map(TransitionEvent::reason).toList());
    }

    @Test
    void stalledIsAWarning() {
        Transition transition = Transition.of(TransitionEventTest::migrating, resource -> step(resource,
                failedJob(MigrationPlanner.jobName(resource), "PodFailurePolicy", null, attempt(
                        ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeFailed("a1b2", "a1b2", "c3d4", "boom"))))));

        TransitionEvent event = only(transition.events());

        assertEquals(new TransitionEvent(Type.Warning, "MigrationFailed", transition.after().message()), event);
    }

    @Test
    void invalidSpecIsAWarning() {
        DatabaseMigrationStatus stalled = reconcile(observe(migration().targetRevision("$(id)").build()));

        TransitionEvent event = only(TransitionEvent.between(null, stalled));

        assertEquals(Type.Warning, event.type());
        assertEquals("InvalidSpec", event.reason());
    }

    @Test
    void missingSecretOrKeyIsAWarning() {
        DatabaseMigrationStatus noSecret = reconcile(observe(migration().build(), SecretObservation.MISSING));
        DatabaseMigrationStatus noKey = reconcile(observe(migration().build(), new SecretObservation(true, List.of("password"))));

        assertEquals(new TransitionEvent(Type.Warning, "SecretNotFound", noSecret.message()),
                only(TransitionEvent.between(null, noSecret)));
        assertEquals(new TransitionEvent(Type.Warning, "SecretKeyNotFound", noKey.message()),
                only(TransitionEvent.between(null, noKey)));
    }

    @Test
    void retryingIsAWarning() {
        Transition retrying = Transition.of(TransitionEventTest::migrating, resource -> step(resource,
                activeJob(MigrationPlanner.jobName(resource),
                        attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(failed("upgrade", ExitCode.LOCK_NOT_ACQUIRED, "held"))))));

        assertEquals(Type.Warning, only(retrying.events()).type());
    }

    @Test
    void progressAndSuccessAreNormal() {
        DatabaseMigration resource = migration().build();
        DatabaseMigrationStatus created = step(resource, null);
        DatabaseMigrationStatus backingUp = backingUp(resource);
        DatabaseMigrationStatus migrating = migrating(resource);
        DatabaseMigrationStatus succeeded = succeeded(resource);

        List<TransitionEvent> events = new ArrayList<>();
        events.addAll(TransitionEvent.between(null, created));
        events.addAll(TransitionEvent.between(created, backingUp));
        events.addAll(TransitionEvent.between(backingUp, migrating));
        events.addAll(TransitionEvent.between(migrating, succeeded));

        assertEquals(List.of("JobCreated", "BackingUp", "BackupVerified", "Migrating", "Succeeded"),
                events.stream().map(TransitionEvent::reason).toList());
        assertTrue(events.stream().allMatch(e -> e.type() == Type.Normal), events.toString());
    }
}
