package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.SpecEdits;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.dbmigrate.testing.rbac.AuditedCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One end-to-end scenario's namespace: a database's Secret, the operator watching the namespace, and the resource
 * `crm` in it, read back as kubectl would. The manifest is YAML, as users write it.
 */
final class Scenario implements AutoCloseable {
    static final String CLAIM = "crm-backups";
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCluster cluster;
    private final TestDatabase db;
    private final String namespace;
    private final OperatorRuntime operator;

    /** @param suite the suite's cluster; the operator gets its audited client */
    Scenario(AuditedCluster suite, TestDatabase db, String prefix) {
        this(suite, db, prefix, namespace -> { }, false);
    }

    /**
     * @param beforeOperator what the namespace holds before the operator starts (its informers' first list sees it)
     * @param watchAnother   whether the operator also watches a second, empty namespace
     */
    Scenario(AuditedCluster suite, TestDatabase db, String prefix, Consumer<String> beforeOperator,
                      boolean watchAnother) {
        this(suite, db, prefix, beforeOperator, watchAnother, Clock.systemUTC());
    }

    /** @param clock the operator's clock (a {@code TestClock} moves maintenance windows' time) */
    Scenario(AuditedCluster suite, TestDatabase db, String prefix, Clock clock) {
        this(suite, db, prefix, namespace -> { }, false, clock);
    }

    private Scenario(AuditedCluster suite, TestDatabase db, String prefix, Consumer<String> beforeOperator,
                                      boolean watchAnother, Clock clock) {
        this.cluster = suite.cluster();
        this.db = db;
        this.namespace = cluster.newNamespace(prefix);
        cluster.createCredentials(namespace, "crm-db", db.user(), db.password());
        beforeOperator.accept(namespace);
        Set<String> watched = watchAnother ? Set.of(namespace, cluster.newNamespace(prefix + "-other")) : Set.of(namespace);
        this.operator = OperatorRuntime.start(suite.operatorClient(), watched, clock);
    }

    String namespace() {
        return namespace;
    }

    /** Creates `crm` from the YAML of its spec below `database`, `migrations`, `backup` and `jobTemplate`. */
    void create(String image, String specYaml) {
        create(image, "/migrations", specYaml);
    }

    /** The same, with the Alembic project at {@code path} in the image. */
    void create(String image, String path, String specYaml) {
        cluster.client().resource(crm(namespace, db, """
        migrations: {image: "%s", path: "%s"}
        backup:
          volume: {persistentVolumeClaim: {claimName: %s}}
        backoffLimit: 0
        """.formatted(image, path, CLAIM) + specYaml.stripIndent())).create();
    }

    /**
     * `crm` in this namespace on this database (sslmode disable, Secret crm-db), its pods sent to the test kubelet, with
     * the rest of its spec in {@code specYaml}.
     */
    static DatabaseMigration crm(String namespace, TestDatabase db, String specYaml) {
        String manifest = """
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: crm, namespace: %s}
        spec:
          database:
            host: %s
            port: %d
            name: %s
            sslMode: disable
            credentialsSecret: {name: crm-db}
          jobTemplate:
            nodeSelector: {%s: "true"}
        """.formatted(namespace, db.host(), db.port(), db.name(), TestKubelet.NODE_SELECTOR_KEY)
                + specYaml.stripIndent().lines().map(line -> "  " + line).reduce("", (a, b) -> a + b + "\n");
        return new KubernetesSerialization().unmarshal(manifest, DatabaseMigration.class);
    }

    /** What `kubectl edit` does: a new generation. */
    void edit(UnaryOperator<DatabaseMigration> change) {
        SpecEdits.edit(cluster.client(), namespace + "/crm", this::resource, change);
    }

    /** What `kubectl annotate --overwrite` does: a merge patch of metadata, the generation stays. */
    void annotate(String key, String value) {
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(key, value);
        cluster.client().resources(DatabaseMigration.class).inNamespace(namespace).withName("crm")
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    /** An annotation of `crm`, null when absent. */
    String annotation(String key) {
        Map<String, String> annotations = resource().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    DatabaseMigration resource() {
        return cluster.client().resources(DatabaseMigration.class).inNamespace(namespace).withName("crm").get();
    }

    DatabaseMigrationStatus status() {
        DatabaseMigration resource = resource();
        return resource == null || resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    }

    DatabaseMigrationStatus awaitPhase(Phase phase, long generation) {
        return Await.value(TIMEOUT, () -> {
            DatabaseMigrationStatus status = status();
            return status.phase() == phase && status.observedGeneration() != null && status.observedGeneration() == generation
                    ? status : null;
        }, () -> "phase " + phase + " for generation " + generation + "; status now " + status());
    }

    List<Job> jobs() {
        return cluster.client().batch().v1().jobs().inNamespace(namespace).list().getItems();
    }

    void awaitEvents(String... reasons) {
        awaitEvents(cluster, namespace, reasons);
    }

    List<Event> events() {
        return events(cluster, namespace);
    }

    // The operator records an Event after the status write it tells of, so a test that saw the status waits for it.
    static void awaitEvents(TestCluster cluster, String namespace, String... reasons) {
        Await.until(TIMEOUT, () -> reasons(cluster, namespace).containsAll(List.of(reasons)),
                () -> "Events " + List.of(reasons) + ", seen " + reasons(cluster, namespace));
    }

    /** The Events about DatabaseMigrations in the namespace. */
    static List<Event> events(TestCluster cluster, String namespace) {
        return cluster.client().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && "DatabaseMigration".equals(e.getInvolvedObject().getKind()))
                .toList();
    }

    private static List<String> reasons(TestCluster cluster, String namespace) {
        return events(cluster, namespace).stream().map(Event::getReason).toList();
    }

    // A negative check needs a window of time: long enough for a wrong reconcile to have happened.
    static void assertStaysTrue(Duration window, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            assertTrue(condition.getAsBoolean(), what);
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        operator.close();
    }
}
