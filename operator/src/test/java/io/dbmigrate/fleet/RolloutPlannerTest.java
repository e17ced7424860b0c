package io.dbmigrate.fleet;

import static io.dbmigrate.testing.Sets.SET;
import static io.dbmigrate.testing.Sets.SET_UID;
import static io.dbmigrate.testing.Sets.list;
import static io.dbmigrate.testing.Sets.rollout;
import static io.dbmigrate.testing.Sets.secrets;
import static io.dbmigrate.testing.Sets.set;
import static io.dbmigrate.testing.Sets.targets;
import static io.dbmigrate.testing.Sets.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.ApprovalGate;
import io.dbmigrate.api.v1alpha1.CanarySpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanAwaitingApproval;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final GeneratorSpec ABC = list(targets("a", "b", "c"));

    // The set's DatabaseMigrations as the test builds them: what the planner would have written, with a status.
    private final List<DatabaseMigration> children = new ArrayList<>();
    private final Map<Integer, List<DatabaseSecret>> secrets = new HashMap<>();
    private final Map<Integer, CatalogRead> catalogs = new HashMap<>();

    private SetReconciliation plan(DatabaseMigrationSet set) {
        return SetReconciliation.of(new SetObservation(set, secrets, catalogs, children, NOW));
    }

    private static DatabaseMigrationSet set(RolloutSpec rollout, Map<String, String> annotations, GeneratorSpec... generators) {
        return io.dbmigrate.testing.Sets.set(new DatabaseMigrationSetSpec(template(), List.of(generators), rollout), 1L,
                annotations, null);
    }

    /** Targets a to e, a canary of one then at most two at once; the canary a has succeeded. */
    private DatabaseMigrationSet fiveTwoAtATimePastTheirCanary() {
        DatabaseMigrationSet set = set(rollout(1, null, 2, null, null), Map.of(), list(targets("a", "b", "c", "d", "e")));
        child(set, "a", true, Phase.Succeeded, NOW);
        return set;
    }

    /** The target's child as the planner writes it, with a status of the given phase, among the observed ones. */
    private DatabaseMigration child(DatabaseMigrationSet set, String target, boolean canary, Phase phase, Instant since) {
        DatabaseMigration child = io.dbmigrate.testing.Sets.child(set, target, canary, phase, since);
        children.add(child);
        return child;
    }

    private static List<String> written(SetReconciliation outcome, ChildWrite.Kind kind) {
        return outcome.writes().stream().filter(w -> w.kind() == kind)
                .map(w -> w.child().getMetadata().getAnnotations().get(DatabaseMigrationSet.TARGET_ANNOTATION)).toList();
    }

    private static StatusCondition condition(DatabaseMigrationSetStatus status, String type) {
        return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void theCanaryStartsAloneAndFirst() {
        SetReconciliation outcome = plan(set(rollout(1, null, null, null, null), Map.of(), ABC));

        assertEquals(List.of("a"), written(outcome, ChildWrite.Kind.CREATE));
        DatabaseMigration child = outcome.writes().get(0).child();
        assertEquals("true", child.getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));
        DatabaseMigrationSetStatus status = outcome.status();
        assertEquals(SetPhase.Progressing, status.phase());
        assertEquals(List.of(3, 2, 1, 0, 0), List.of(status.targets(), status.pending(), status.running(),
                status.succeeded(), status.failed()));
        assertEquals("True", condition(status, StatusCondition.RECONCILING).status());
        assertEquals(1L, status.observedGeneration());
        assertEquals(Optional.empty(), outcome.requeue(), "the children's informer wakes it");
    }

    @Test
    void aCanaryPercentageIsRoundedUp() {
        GeneratorSpec ten = list(targets("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"));
        SetReconciliation outcome = plan(set(new RolloutSpec(new CanarySpec(null, 25), null, null, null, null), Map.of(),
                ten));
        assertEquals(List.of("t0", "t1", "t2"), written(outcome, ChildWrite.Kind.CREATE));
        assertEquals(1, RolloutSpec.DEFAULT.canarySize(10) + 1, "no canary without spec.rollout.canary");
        assertEquals(1, new RolloutSpec(new CanarySpec(null, 1), null, null, null, null).canarySize(3), "at least one");
        assertEquals(2, new RolloutSpec(new CanarySpec(5, null), null, null, null, null).canarySize(2), "at most all");
    }

    @Test
    void theRestWaitsWhileTheCanaryRuns() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, null), Map.of(), ABC);
        child(set, "a", true, Phase.Migrating, NOW);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of(), outcome.writes());
        assertEquals(SetPhase.Progressing, outcome.status().phase());
        assertEquals(1, outcome.status().running());
        assertEquals(2, outcome.status().pending());
    }

    @Test
    void afterTheCanarySucceededTheRestStartsWithinMaxParallel() {
        DatabaseMigrationSet set = fiveTwoAtATimePastTheirCanary();

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("b", "c"), written(outcome, ChildWrite.Kind.CREATE), "two at once");
        assertNull(outcome.writes().get(0).child().getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));
        assertEquals(List.of(5, 2, 2, 1, 0), List.of(outcome.status().targets(), outcome.status().pending(),
                outcome.status().running(), outcome.status().succeeded(), outcome.status().failed()));
    }

    @Test
    void runningChildrenTakeTheirSlots() {
        DatabaseMigrationSet set = fiveTwoAtATimePastTheirCanary();
        child(set, "b", false, Phase.Succeeded, NOW);
        child(set, "c", false, Phase.BackingUp, NOW);

        assertEquals(List.of("d"), written(plan(set), ChildWrite.Kind.CREATE));
    }

    @Test
    void withoutACanaryTheTargetsStartInOrderWithinTheDefaultMaxParallel() {
        GeneratorSpec seven = list(targets("a", "b", "c", "d", "e", "f", "g"));
        assertEquals(List.of("a", "b", "c", "d", "e"), written(plan(set(null, Map.of(), seven)), ChildWrite.Kind.CREATE));
    }

    @Test
    void anApprovalGateHoldsTheRestUntilTheAnnotationAndIsThenSpent() {
        RolloutSpec rollout = rollout(1, new RolloutGateSpec(true, null), null, null, null);
        DatabaseMigrationSet waiting = set(rollout, Map.of(), ABC);
        child(waiting, "a", true, Phase.Succeeded, NOW);

        SetReconciliation held = plan(waiting);
        assertEquals(List.of(), held.writes());
        assertEquals(SetPhase.AwaitingGate, held.status().phase());
        assertEquals(SetReason.AwaitingApproval.name(), condition(held.status(), StatusCondition.READY).reason());
        assertTrue(held.status().message().contains("dbmigrate.io/approve=canary"), held.status().message());
        assertFalse(held.spendsApproval());

        SetReconciliation approved = plan(set(rollout, Map.of(Gates.APPROVE_ANNOTATION, "canary"), ABC));
        assertEquals(List.of("b", "c"), written(approved, ChildWrite.Kind.CREATE));
        assertTrue(approved.spendsApproval());
    }

    @Test
    void onceTheRestStartedTheGateStaysPassedWithoutTheAnnotation() {
        RolloutSpec rollout = rollout(1, new RolloutGateSpec(true, null), 1, null, null);
        DatabaseMigrationSet set = set(rollout, Map.of(), ABC);
        child(set, "a", true, Phase.Succeeded, NOW);
        child(set, "b", false, Phase.Succeeded, NOW);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("c"), written(outcome, ChildWrite.Kind.CREATE), "the children remember the gate was passed");
        assertFalse(outcome.spendsApproval());
    }

    @Test
    void aPauseGateHoldsTheRestUntilItEndsAndSaysWhenToLookAgain() {
        RolloutSpec rollout = rollout(1, new RolloutGateSpec(null, "30m"), null, null, null);
        DatabaseMigrationSet set = set(rollout, Map.of(), ABC);
        child(set, "a", true, Phase.Succeeded, NOW.minus(Duration.ofMinutes(20)));

        SetReconciliation held = plan(set);
        assertEquals(List.of(), held.writes());
        assertEquals(SetPhase.AwaitingGate, held.status().phase());
        assertEquals(SetReason.AwaitingPause.name(), condition(held.status(), StatusCondition.READY).reason());
        assertEquals(Optional.of(Duration.ofMinutes(10).plusSeconds(1)), held.requeue());

        children.clear();
        child(set, "a", true, Phase.Succeeded, NOW.minus(Duration.ofMinutes(30)));
        assertEquals(List.of("b", "c"), written(plan(set), ChildWrite.Kind.CREATE));
    }

    @Test
    void aFailureBeyondMaxFailuresHaltsTheRolloutAndTheRunningOnesFinish() {
        DatabaseMigrationSet set = fiveTwoAtATimePastTheirCanary();
        child(set, "b", false, Phase.Failed, NOW);
        child(set, "c", false, Phase.Migrating, NOW);

        SetReconciliation halting = plan(set);
        assertEquals(List.of(), halting.writes(), "no new target after a failure with maxFailures 0");
        assertEquals(SetPhase.Progressing, halting.status().phase());
        assertEquals(SetReason.RolloutHalted.name(), condition(halting.status(), StatusCondition.RECONCILING).reason());

        children.remove(2);
        child(set, "c", false, Phase.Succeeded, NOW);
        SetReconciliation halted = plan(set);
        assertEquals(SetPhase.Failed, halted.status().phase());
        assertEquals("True", condition(halted.status(), StatusCondition.STALLED).status());
        assertEquals(SetReason.RolloutHalted.name(), condition(halted.status(), StatusCondition.STALLED).reason());
        assertEquals(List.of(new FailedTarget("b", SET + "-b", "MigrationFailed", "Upgrade failed at c3d4",
                NOW.toString())), halted.status().failedTargets());
        assertTrue(halted.status().message().contains("kubectl annotate dbms tenants dbmigrate.io/retry=b"),
                halted.status().message());
    }

    @Test
    void failuresWithinMaxFailuresLetTheRolloutGoOn() {
        GeneratorSpec four = list(targets("a", "b", "c", "d"));
        DatabaseMigrationSet set = set(rollout(1, null, 1, 1, null), Map.of(), four);
        child(set, "a", true, Phase.Succeeded, NOW);
        child(set, "b", false, Phase.Failed, NOW);

        assertEquals(List.of("c"), written(plan(set), ChildWrite.Kind.CREATE));

        child(set, "c", false, Phase.Succeeded, NOW);
        child(set, "d", false, Phase.Succeeded, NOW);
        SetReconciliation ended = plan(set);
        assertEquals(SetPhase.Failed, ended.status().phase(), "every target ended, one failed");
        assertEquals(SetReason.TargetsFailed.name(), condition(ended.status(), StatusCondition.READY).reason());
    }

    @Test
    void aFailedCanaryKeepsTheRestFromStartingWhateverTheBudget() {
        DatabaseMigrationSet set = set(rollout(1, null, null, 5, null), Map.of(), ABC);
        child(set, "a", true, Phase.Failed, NOW);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of(), outcome.writes());
        assertEquals(SetPhase.Failed, outcome.status().phase());
        assertEquals(SetReason.CanaryFailed.name(), condition(outcome.status(), StatusCondition.STALLED).reason());
    }

    @Test
    void suspendStartsNothingNewAndHoldsRetries() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, true),
                Map.of(DatabaseMigrationSet.RETRY_ANNOTATION, "a"), ABC);
        assertEquals(List.of(), plan(set).writes());
        assertEquals(SetPhase.Suspended, plan(set).status().phase());

        child(set, "a", true, Phase.Failed, NOW);
        SetReconciliation outcome = plan(set);
        assertEquals(List.of(), outcome.writes());
        assertEquals(Set.of(), outcome.spentRetries(), "the retry waits for the resume");
    }

    @Test
    void aRetryMakesTheFailedChildAnewAndIsSpent() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, null),
                Map.of(DatabaseMigrationSet.RETRY_ANNOTATION, "b, nosuch"), ABC);
        child(set, "a", true, Phase.Succeeded, NOW);
        child(set, "b", false, Phase.Failed, NOW);
        child(set, "c", false, Phase.Succeeded, NOW);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("b"), written(outcome, ChildWrite.Kind.RECREATE));
        assertEquals("uid-b", outcome.writes().get(0).replacesUid(), "deleted only if it is still the failed one");
        assertEquals(Set.of("b", "nosuch"), outcome.spentRetries(), "a name of no failed target is spent too");
        assertEquals(SetPhase.Progressing, outcome.status().phase());
        assertEquals(List.of(1, 0), List.of(outcome.status().running(), outcome.status().failed()));
    }

    @Test
    void aRetryLiftsTheHaltAndTheRestGoesOn() {
        GeneratorSpec four = list(targets("a", "b", "c", "d"));
        DatabaseMigrationSet set = set(rollout(1, null, 2, null, null), Map.of(DatabaseMigrationSet.RETRY_ANNOTATION, "b"),
                four);
        child(set, "a", true, Phase.Succeeded, NOW);
        child(set, "b", false, Phase.Failed, NOW);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("b"), written(outcome, ChildWrite.Kind.RECREATE));
        assertEquals(List.of("c"), written(outcome, ChildWrite.Kind.CREATE), "the retried one takes a slot");
    }

    @Test
    void aTargetAddedLaterStartsOnItsOwn() {
        DatabaseMigrationSet before = set(rollout(1, new RolloutGateSpec(true, null), null, null, null), Map.of(), ABC);
        child(before, "a", true, Phase.Succeeded, NOW);
        child(before, "b", false, Phase.Succeeded, NOW);
        child(before, "c", false, Phase.Succeeded, NOW);
        assertEquals(SetPhase.Succeeded, plan(before).status().phase());
        assertEquals("True", condition(plan(before).status(), StatusCondition.READY).status());

        DatabaseMigrationSet later = set(rollout(1, new RolloutGateSpec(true, null), null, null, null), Map.of(),
                list(targets("a", "b", "c", "d")));
        SetReconciliation outcome = plan(later);

        assertEquals(List.of("d"), written(outcome, ChildWrite.Kind.CREATE), "no canary or approval again");
        assertEquals(SetPhase.Progressing, outcome.status().phase());
    }

    @Test
    void aNewGenerationRollsOutAgainCanaryFirstByUpdatingTheChildren() {
        DatabaseMigrationSet first = set(rollout(1, null, null, null, null), Map.of(), ABC);
        child(first, "a", true, Phase.Succeeded, NOW);
        child(first, "b", false, Phase.Succeeded, NOW);
        child(first, "c", false, Phase.Succeeded, NOW);

        DatabaseMigrationSet second = io.dbmigrate.testing.Sets.set(first.getSpec(), 2L, Map.of(), null);
        SetReconciliation outcome = plan(second);

        assertEquals(List.of("a"), written(outcome, ChildWrite.Kind.UPDATE));
        assertEquals("2", outcome.writes().get(0).child().getMetadata().getAnnotations()
                .get(DatabaseMigrationSet.SET_GENERATION_ANNOTATION));
        assertEquals(List.of(0, 2), List.of(outcome.status().succeeded(), outcome.status().pending()),
                "the last generation's successes do not count");
    }

    @Test
    void aChildWhoseStatusIsOfAnOlderSpecStillRuns() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, null), Map.of(), ABC);
        DatabaseMigration child = child(set, "a", true, Phase.Succeeded, NOW);
        child.getMetadata().setGeneration(2L);

        SetReconciliation outcome = plan(set);
        assertEquals(List.of(), outcome.writes());
        assertEquals(1, outcome.status().running());
    }

    @Test
    void childrenOfAnotherOwnerAreNotTheSets() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, null), Map.of(), ABC);
        DatabaseMigration foreign = child(set, "a", true, Phase.Succeeded, NOW);
        foreign.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withUid("another").withController(true)
                .build()));

        assertEquals(List.of("a"), written(plan(set), ChildWrite.Kind.CREATE));
    }

    @Test
    void failedTargetsAreNewestFirstAndBounded() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            names.add(String.format("t%02d", i));
        }
        DatabaseMigrationSet set = set(rollout(null, null, null, 100, null), Map.of(),
                list(targets(names.toArray(String[]::new))));
        for (int i = 0; i < 25; i++) {
            child(set, names.get(i), false, Phase.Failed, NOW.plusSeconds(i));
        }

        DatabaseMigrationSetStatus status = plan(set).status();

        assertEquals(25, status.failed());
        assertEquals(DatabaseMigrationSetStatus.FAILED_LIMIT, status.failedTargets().size());
        assertEquals("t24", status.failedTargets().get(0).target());
        assertEquals("t05", status.failedTargets().get(19).target());
    }

    @Test
    void anInvalidSpecStallsAndWritesNothing() {
        DatabaseMigrationSet set = set(rollout(0, null, null, null, null), Map.of(), ABC);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of(), outcome.writes());
        assertEquals(SetPhase.Failed, outcome.status().phase());
        assertEquals(SetReason.InvalidSpec.name(), condition(outcome.status(), StatusCondition.STALLED).reason());
        assertEquals("Invalid spec: spec.rollout.canary.count: must be at least 1, got 0", outcome.status().message());
    }

    @Test
    void secretsAreTargetsByNameAndABrokenOneIsAnInvalidTarget() {
        // maxFailures 1: the broken Secret is one failure (see anInvalidTargetCountsAgainstMaxFailures).
        DatabaseMigrationSet set = set(rollout(null, null, null, 1, null), Map.of(), secrets(Map.of("cnpg.io/reload", "true")));
        secrets.put(0, List.of(new DatabaseSecret("zeta-app", "zeta-rw", "5433", "zeta", "user", true),
                new DatabaseSecret("acme-app", "acme-rw", null, "acme", "username", true),
                new DatabaseSecret("broken-app", "broken-rw", "5432", null, "user", false)));

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("acme-app", "zeta-app"), written(outcome, ChildWrite.Kind.CREATE), "by name");
        DatabaseMigration zeta = outcome.writes().get(1).child();
        assertEquals("zeta-rw", zeta.getSpec().database().host());
        assertEquals(5433, zeta.getSpec().database().port());
        assertEquals("zeta", zeta.getSpec().database().name());
        assertEquals("zeta-app", zeta.getSpec().database().credentialsSecret().name());
        assertEquals("user", zeta.getSpec().database().credentialsSecret().usernameKey());
        assertEquals("password", zeta.getSpec().database().credentialsSecret().passwordKey());
        assertEquals(3, outcome.status().targets());
        assertEquals(1, outcome.status().failed());
        assertEquals(new FailedTarget("broken-app", null, SetReason.InvalidTarget.name(), "Secret broken-app has no dbname, "
                + "password (a database Secret holds host, port, dbname, user or username, password)", null),
                outcome.status().failedTargets().get(0));
        assertEquals(Optional.empty(), outcome.requeue(), "the Secrets informer wakes it for a new tenant: no polling");
    }

    @Test
    void aCatalogsRowsAreTargetsNamedByTheirNameOrDatabaseWithTheQuerysCredentials() {
        // Three rows are invalid targets: a failure budget of three lets the rest start.
        DatabaseMigrationSet set = set(rollout(null, null, null, 3, null), Map.of(), GeneratorSpec.of(io.dbmigrate.testing.Sets.catalogQuery("q")));
        catalogs.put(0, CatalogRead.of(List.of(new CatalogRead.Row(null, "pg-1", "5433", "tenant_acme", null),
                new CatalogRead.Row("globex", "pg-2", null, "t2", null),
                new CatalogRead.Row(null, "pg-3", "x", "initech", null),
                new CatalogRead.Row(null, "pg-4", null, "shared_db", "tenant_umbrella"),
                new CatalogRead.Row(null, "pg-4", null, "shared_db", "pg_toast"),
                new CatalogRead.Row(null, null, null, "umbrella", null)), NOW.minusSeconds(60)));

        SetReconciliation outcome = plan(set);

        assertEquals(List.of("globex", "shared-db-tenant-umbrella", "tenant-acme"),
                written(outcome, ChildWrite.Kind.CREATE).stream().sorted().toList());
        DatabaseMigration umbrella = outcome.writes().stream().map(ChildWrite::child)
                .filter(c -> "shared_db".equals(c.getSpec().database().name())).findFirst().orElseThrow();
        assertEquals("tenant_umbrella", umbrella.getSpec().database().schema(), "a schema target");
        DatabaseMigration acme = outcome.writes().stream().map(ChildWrite::child)
                .filter(c -> "tenant_acme".equals(c.getSpec().database().name())).findFirst().orElseThrow();
        assertEquals("pg-1", acme.getSpec().database().host());
        assertEquals(5433, acme.getSpec().database().port());
        assertEquals("catalog", acme.getSpec().database().credentialsSecret().name(), "the catalog's by default");
        assertEquals(List.of("row initech gives port \"x\", not a number",
                        "row shared-db-pg-toast: database.schema: 'pg_toast' is a system schema (pg_* and "
                                + "information_schema are PostgreSQL's own)",
                        "row umbrella has no host (the query returns host and dbname, and optionally port, schema and "
                                + "name)"),
                outcome.status().failedTargets().stream().map(FailedTarget::message).sorted().toList());
        assertEquals(Optional.of(Duration.ofMinutes(4)), outcome.requeue(), "the next read, 5 minutes after the last");
    }

    @Test
    void aCatalogNeverReadIsAFailureButOneReadBeforeKeepsItsTargets() {
        DatabaseMigrationSet set = set(null, Map.of(), GeneratorSpec.of(io.dbmigrate.testing.Sets.catalogQuery("q")));
        catalogs.put(0, new CatalogRead(null, "reading the catalog failed: SQLSTATE 28P01: password authentication "
                + "failed for user \"app\"", NOW));

        SetReconciliation never = plan(set);

        assertEquals(List.of(), never.writes());
        assertEquals(new FailedTarget("spec.generators[0].query", null, SetReason.QueryFailed.name(),
                "reading the catalog failed: SQLSTATE 28P01: password authentication failed for user \"app\"",
                NOW.toString()), never.status().failedTargets().get(0));
        assertEquals(SetPhase.Failed, never.status().phase(), "no target is known: the rollout cannot say it is done");
        assertFalse(never.status().message().contains("retry"), "nothing to retry: " + never.status().message());

        catalogs.put(0, CatalogRead.of(List.of(new CatalogRead.Row("acme", "pg-1", null, "acme", null)),
                NOW.minusSeconds(600)).failed("reading the catalog failed: timeout", NOW));
        assertEquals(List.of("acme"), written(plan(set), ChildWrite.Kind.CREATE), "the last good rows");
    }

    @Test
    void anInvalidTargetCountsAgainstMaxFailures() {
        DatabaseMigrationSet set = set(null, Map.of(), secrets(Map.of("tier", "tenant")));
        secrets.put(0, List.of(new DatabaseSecret("acme", "acme-rw", "x", "acme", "user", true)));
        SetReconciliation outcome = plan(set);
        assertEquals(List.of(), outcome.writes());
        assertEquals(SetPhase.Failed, outcome.status().phase());
        assertEquals("Secret acme: port \"x\" is not a number", outcome.status().failedTargets().get(0).message());
    }

    @Test
    void noTargetsIsNothingToDo() {
        SetReconciliation outcome = plan(set(null, Map.of(), secrets(Map.of("tier", "tenant"))));
        assertEquals(SetPhase.Succeeded, outcome.status().phase());
        assertEquals(0, outcome.status().targets());
    }

    @Test
    void theChildIsTheTemplateWithTheTargetsDatabaseOwnedAndLabelledByTheSet() {
        DatabaseMigrationSet set = set(null, Map.of(), ABC);
        DatabaseMigration child = plan(set).writes().get(0).child();

        assertEquals(SET + "-a", child.getMetadata().getName());
        assertEquals(Resources.NAMESPACE, child.getMetadata().getNamespace());
        assertEquals(Map.of(DatabaseMigrationSet.LABEL_SET, SET), child.getMetadata().getLabels());
        assertEquals(Map.of(DatabaseMigrationSet.TARGET_ANNOTATION, "a", DatabaseMigrationSet.SET_GENERATION_ANNOTATION, "1"),
                child.getMetadata().getAnnotations());
        assertEquals(SET_UID, child.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(Boolean.TRUE, child.getMetadata().getOwnerReferences().get(0).getController());
        assertEquals("DatabaseMigrationSet", child.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals(template().withDatabase(ABC.list().get(0).database()), child.getSpec());
    }

    @Test
    void conditionsKeepTheirTransitionTimeWhileTheStatusHolds() {
        DatabaseMigrationSet set = set(rollout(1, null, null, null, null), Map.of(), ABC);
        DatabaseMigrationSetStatus first = plan(set).status();
        DatabaseMigrationSet later = io.dbmigrate.testing.Sets.set(set.getSpec(), 1L, Map.of(), first);
        child(later, "a", true, Phase.Migrating, NOW);

        DatabaseMigrationSetStatus second = SetReconciliation.of(new SetObservation(later, secrets, catalogs, children,
                NOW.plusSeconds(60))).status();

        assertEquals(condition(first, StatusCondition.RECONCILING).lastTransitionTime(),
                condition(second, StatusCondition.RECONCILING).lastTransitionTime());
    }

    private static final String DIGEST = "3f9c0a1b2c4d";

    /** The template with one step, expand, under lint mode Block; {@code approvedPlan}: its gate.approval.plan. */
    private static DatabaseMigrationSetSpec blockedSpec(RolloutSpec rollout, String approvedPlan) {
        DatabaseMigrationSpec t = template();
        StepSpec expand = new StepSpec("expand", "expand@head", approvedPlan == null ? null
                : new GateSpec(new ApprovalGate(null, approvedPlan), null, null), null, null);
        DatabaseMigrationSpec blocked = new DatabaseMigrationSpec(t.database(), t.migrations(), null, List.of(expand),
                t.backup(), t.backoffLimit(), t.suspend(), new SafetySpec(null, null, null,
                new LintSpec(LintSpec.LintMode.Block, null)), t.verify(), t.onFailure(), t.allowDowngrade(), t.jobTemplate(),
                t.rehearsal(), t.baseline(), t.historyLimit());
        return new DatabaseMigrationSetSpec(blocked, List.of(ABC), rollout);
    }

    /** The target's child as its reconciler leaves it when lint mode Block holds step expand on plan {@link #DIGEST}. */
    private void heldByLint(DatabaseMigrationSet set, String target, boolean canary) {
        DatabaseMigration child = child(set, target, canary, Phase.AwaitingGate, NOW);
        DatabaseMigrationStatus status = child.getStatus();
        PlanStatus plan = new PlanStatus("plan-job", DIGEST, null, null, "upgrade", List.of("e5f6"), 100L, true, null);
        child.setStatus(new DatabaseMigrationStatus(status.observedGeneration(), Phase.AwaitingGate, null, null, "expand",
                List.of(Resources.stepStatus("expand", "expand@head", Phase.AwaitingGate, 1L, null, null, plan)), null,
                "Step expand waits for approval of plan " + DIGEST, null, null, null,
                List.of(new StatusCondition(StatusCondition.READY, "False", 1L, NOW.toString(), "LintBlocked", null)),
                List.of(), null, null));
    }

    @Test
    void aCanaryHeldByItsLintHoldsTheRestAndTheSetSaysWhichPlanToApprove() {
        DatabaseMigrationSet set = io.dbmigrate.testing.Sets.set(blockedSpec(rollout(1, null, null, null, null), null),
                1L, Map.of(), null);
        heldByLint(set, "a", true);

        SetReconciliation outcome = plan(set);

        assertEquals(List.of(), outcome.writes(), "fail closed: the rest waits for the canary");
        DatabaseMigrationSetStatus status = outcome.status();
        assertEquals(SetPhase.AwaitingGate, status.phase());
        assertEquals(SetReason.AwaitingPlanApproval.name(), condition(status, StatusCondition.READY).reason());
        assertEquals(List.of(3, 2, 0, 1, 0, 0), List.of(status.targets(), status.pending(), status.running(),
                status.awaitingApproval(), status.succeeded(), status.failed()));
        assertEquals(List.of(new PlanAwaitingApproval("expand", DIGEST, "LintBlocked", 1, List.of("a"))),
                status.plansAwaitingApproval());
        assertTrue(status.message().startsWith("Waiting for approval: plan " + DIGEST + " of step expand holds a "
                + "(LintBlocked); approve a plan for every target it holds with gate.approval.plan: " + DIGEST
                + " on step expand of spec.template, or one target with kubectl annotate dbm tenants-a "
                + "dbmigrate.io/approve=expand; 0 of 3 targets succeeded, 0 running, 1 awaiting approval, 2 pending"),
                status.message());
    }

    @Test
    void targetsHeldOnOnePlanAreCountedApartFromTheRunningOnesAndTheirSlotsStayTaken() {
        DatabaseMigrationSet set = io.dbmigrate.testing.Sets.set(blockedSpec(rollout(1, null, 3, null, null), null),
                1L, Map.of(), null);
        child(set, "a", true, Phase.Succeeded, NOW);
        heldByLint(set, "b", false);
        child(set, "c", false, Phase.Migrating, NOW);

        DatabaseMigrationSetStatus status = plan(set).status();

        assertEquals(SetPhase.Progressing, status.phase());
        assertEquals(List.of(1, 1), List.of(status.running(), status.awaitingApproval()));
        assertTrue(status.message().contains("1 running, 1 awaiting approval, 0 pending, 0 failed; awaiting approval: plan "
                + DIGEST + " of step expand holds b (LintBlocked)"), status.message());
    }

    @Test
    void theTemplateApprovingTheDigestReachesEveryChild() {
        RolloutSpec rollout = rollout(1, null, null, null, null);
        DatabaseMigrationSet before = io.dbmigrate.testing.Sets.set(blockedSpec(rollout, null), 1L, Map.of(), null);
        heldByLint(before, "a", true);
        // The edit of the template is a new set generation: the held canary is written again with the approval.
        DatabaseMigrationSet approved = io.dbmigrate.testing.Sets.set(blockedSpec(rollout, DIGEST), 2L, Map.of(), null);

        SetReconciliation canary = plan(approved);

        assertEquals(List.of("a"), written(canary, ChildWrite.Kind.UPDATE));
        assertEquals(DIGEST, canary.writes().get(0).child().getSpec().steps().get(0).gate().approval().plan());

        children.clear();
        child(approved, "a", true, Phase.Succeeded, NOW);
        SetReconciliation rest = plan(approved);

        assertEquals(List.of("b", "c"), written(rest, ChildWrite.Kind.CREATE));
        for (ChildWrite write : rest.writes()) {
            assertEquals(DIGEST, write.child().getSpec().steps().get(0).gate().approval().plan());
        }
        assertNull(rest.status().plansAwaitingApproval());
    }
}
