package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.NAMESPACE;
import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Sets.SET;
import static io.dbmigrate.testing.Sets.list;
import static io.dbmigrate.testing.Sets.rollout;
import static io.dbmigrate.testing.Sets.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.fleet.SetReason;
import io.dbmigrate.testing.MockApiServer;
import io.dbmigrate.testing.Sets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The set's reconcile() against the mock API server: the DatabaseMigrations it creates, deletes and makes anew, the
 * annotation it spends, and the status it writes. The test plays the children's informer (the Context reads them from
 * the server) and the DatabaseMigration reconciler (it writes each child's status as that one would).
 */
class SetReconcilerTest {
    @RegisterExtension
    final MockApiServer server = MockApiServer.perTest();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private KubernetesClient client;
    private DatabaseMigrationSetReconciler reconciler;

    @BeforeEach
    void start() {
        client = server.client();
        reconciler = new DatabaseMigrationSetReconciler(client, Clock.fixed(T0, ZoneOffset.UTC), new SetMetrics(registry));
    }

    @Test
    void aCanaryFirstThenTheRestAFailureHaltsAndARetryMakesItAnew() {
        // Three targets, a canary of one, one at a time after it: each step of the rollout shows on its own.
        DatabaseMigrationSet set = Sets.set(rollout(1, null, 1, null, null), list(targets("acme", "globex", "initech")));
        set.getMetadata().setUid(null);
        client.resource(set).create();

        UpdateControl<DatabaseMigrationSet> first = reconcile();
        assertEquals(List.of(SET + "-acme"), children(), "the canary alone");
        DatabaseMigration canary = child("acme");
        assertEquals("true", canary.getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));
        assertEquals(fetch().getMetadata().getUid(), canary.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(SET, canary.getMetadata().getLabels().get(DatabaseMigrationSet.LABEL_SET));
        assertEquals("db-acme.tenants.svc", canary.getSpec().database().host());
        assertEquals(Optional.empty(), first.getScheduleDelay(), "the children's informer wakes it");
        assertCounts(3, 2, 1, 0, 0);
        assertEquals(SetPhase.Progressing, fetch().getStatus().phase());

        reconcile();
        assertEquals(List.of(SET + "-acme"), children(), "the rest waits while the canary runs");

        finish("acme", Phase.Succeeded);
        reconcile();
        assertEquals(List.of(SET + "-acme", SET + "-globex"), children(), "the rest, one at a time");
        assertNull(child("globex").getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));

        finish("globex", Phase.Failed);
        reconcile();
        assertEquals(List.of(SET + "-acme", SET + "-globex"), children(), "the failure halts the rollout");
        DatabaseMigrationSetStatus halted = fetch().getStatus();
        assertEquals(SetPhase.Failed, halted.phase());
        assertEquals(SetReason.RolloutHalted.name(), condition(halted, StatusCondition.STALLED).reason());
        assertEquals(1.0, rollouts("Failed", SetReason.RolloutHalted.name()), "the halt counted once");
        assertEquals(1.0, targetGauge("failed"));
        assertEquals(1.0, targetGauge("pending"));
        assertEquals("True", condition(halted, StatusCondition.STALLED).status());
        assertEquals("globex", halted.failedTargets().get(0).target());
        assertEquals(SET + "-globex", halted.failedTargets().get(0).migration());
        assertEquals("MigrationFailed", halted.failedTargets().get(0).reason());
        assertCounts(3, 1, 0, 1, 1);

        // kubectl annotate dbms tenants dbmigrate.io/retry=globex
        String failedUid = child("globex").getMetadata().getUid();
        annotate(DatabaseMigrationSet.RETRY_ANNOTATION, "globex");
        reconcile();
        DatabaseMigration retried = child("globex");
        assertNotEquals(failedUid, retried.getMetadata().getUid(), "made anew: a new uid, so new Job names");
        assertNull(retried.getStatus(), "a new migration, not yet reconciled");
        assertNull(annotations().get(DatabaseMigrationSet.RETRY_ANNOTATION), "the retry is spent");
        assertEquals(List.of(SET + "-acme", SET + "-globex"), children(), "the retried one takes the one slot");
        assertEquals(SetPhase.Progressing, fetch().getStatus().phase());
        assertCounts(3, 1, 1, 1, 0);

        reconcile();
        assertEquals(retried.getMetadata().getUid(), child("globex").getMetadata().getUid(), "retried once");

        finish("globex", Phase.Succeeded);
        reconcile();
        assertEquals(List.of(SET + "-acme", SET + "-globex", SET + "-initech"), children());

        finish("initech", Phase.Succeeded);
        reconcile();
        DatabaseMigrationSetStatus done = fetch().getStatus();
        assertEquals(SetPhase.Succeeded, done.phase());
        assertEquals("True", condition(done, StatusCondition.READY).status());
        assertEquals(1L, done.observedGeneration());
        assertNull(done.failedTargets());
        assertCounts(3, 0, 0, 3, 0);
        assertEquals(3.0, targetGauge("succeeded"));
        assertEquals(0.0, targetGauge("failed"));
        assertEquals(1.0, rollouts("Succeeded", SetReason.Succeeded.name()));
        reconcile();
        assertEquals(1.0, rollouts("Succeeded", SetReason.Succeeded.name()), "a generation's end is counted once");
        assertEquals(1.0, rollouts("Failed", SetReason.RolloutHalted.name()));

        // kubectl describe dbms tenants: each write and each move of the phase, once.
        List<String> events = client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(event -> "DatabaseMigrationSet".equals(event.getInvolvedObject().getKind()))
                .sorted(Comparator.comparing(event -> event.getMetadata().getCreationTimestamp() + " "
                        + event.getMetadata().getResourceVersion()))
                .map(event -> event.getType() + " " + event.getReason() + ": " + event.getMessage()).toList();
        assertTrue(events.contains("Normal TargetStarted: Target acme (canary): DatabaseMigration tenants-acme created"),
                events.toString());
        assertTrue(events.contains("Normal TargetRetried: Target globex: DatabaseMigration tenants-globex made anew for "
                + "the retry annotation"), events.toString());
        assertEquals(1, events.stream().filter(e -> e.startsWith("Warning RolloutHalted: ")).count(), events.toString());
        assertEquals(1, events.stream().filter(e -> e.startsWith("Normal Succeeded: All 3 targets migrated")).count(),
                events.toString());
        assertEquals(3, events.stream().filter(e -> e.startsWith("Normal TargetStarted: ")).count(), events.toString());
    }

    @Test
    void anInvalidSetStallsAndMakesNoChild() {
        DatabaseMigrationSet set = Sets.set(rollout(null, null, 0, null, null), list(targets("acme")));
        set.getMetadata().setUid(null);
        client.resource(set).create();

        reconcile();

        assertEquals(List.of(), children());
        DatabaseMigrationSetStatus status = fetch().getStatus();
        assertEquals(SetPhase.Failed, status.phase());
        assertEquals(SetReason.InvalidSpec.name(), condition(status, StatusCondition.STALLED).reason());
        assertTrue(status.message().contains("spec.rollout.maxParallel: must be between 1 and 100, got 0"), status.message());
    }

    private double targetGauge(String state) {
        return registry.get(SetMetrics.TARGETS).tags("namespace", NAMESPACE, "set", SET, "state", state).gauge().value();
    }

    private double rollouts(String outcome, String reason) {
        return registry.get(SetMetrics.ROLLOUTS).tags("outcome", outcome, "reason", reason).counter().count();
    }

    private void assertCounts(int targets, int pending, int running, int succeeded, int failed) {
        DatabaseMigrationSetStatus status = fetch().getStatus();
        assertEquals(List.of(targets, pending, running, succeeded, failed), List.of(status.targets(), status.pending(),
                status.running(), status.succeeded(), status.failed()), status.message());
    }

    // What the DatabaseMigration reconciler writes when the child's migration ends.
    private void finish(String target, Phase phase) {
        DatabaseMigration child = child(target);
        long generation = child.getMetadata().getGeneration() == null ? 1L : child.getMetadata().getGeneration();
        boolean ok = phase == Phase.Succeeded;
        String at = T0.toString();
        child.setStatus(new DatabaseMigrationStatus(generation, phase, "c3d4", "head", "migrate", List.of(), null,
                ok ? "Upgraded" : "Upgrade failed at c3d4", null, null, 0,
                List.of(new StatusCondition(StatusCondition.READY, ok ? "True" : "False", generation, at,
                                ok ? "Succeeded" : "MigrationFailed", null),
                        new StatusCondition(StatusCondition.RECONCILING, "False", generation, at, "NotReconciling", null),
                        new StatusCondition(StatusCondition.STALLED, ok ? "False" : "True", generation, at,
                                ok ? "NotStalled" : "MigrationFailed", null)),
                null, null, null));
        client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).resource(child).updateStatus();
    }

    private void annotate(String key, String value) {
        client.resources(DatabaseMigrationSet.class).inNamespace(NAMESPACE).withName(SET).edit(set -> {
            set.getMetadata().setAnnotations(Map.of(key, value));
            return set;
        });
    }

    private Map<String, String> annotations() {
        Map<String, String> annotations = fetch().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private UpdateControl<DatabaseMigrationSet> reconcile() {
        return reconciler.reconcile(fetch(), informers());
    }

    // The sets' and the children's informers, read from the API server.
    private Context<DatabaseMigrationSet> informers() {
        return InformerContext.of(() -> client.resources(DatabaseMigrationSet.class).inAnyNamespace().list().getItems(),
                Map.of(DatabaseMigration.class,
                () -> client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).list().getItems()));
    }

    private DatabaseMigrationSet fetch() {
        return client.resources(DatabaseMigrationSet.class).inNamespace(NAMESPACE).withName(SET).get();
    }

    private DatabaseMigration child(String target) {
        return client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).withName(SET + "-" + target).get();
    }

    private List<String> children() {
        return client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).list().getItems().stream()
                .map(child -> child.getMetadata().getName()).sorted().toList();
    }

    private static StatusCondition condition(DatabaseMigrationSetStatus status, String type) {
        return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }
}
