package io.dbmigrate.e2e;

import static io.dbmigrate.e2e.Scenario.CLAIM;
import static io.dbmigrate.e2e.Scenario.TIMEOUT;
import static io.dbmigrate.e2e.Scenario.assertStaysTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanAwaitingApproval;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.SpecEdits;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.dbmigrate.testing.rbac.AuditedCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A DatabaseMigrationSet end to end, as {@link EndToEndIT} runs one DatabaseMigration: a real PostgreSQL database per
 * tenant, the operator in-process, its children's Jobs run by the test kubelet. Each step asserts on the tenants'
 * databases themselves, on the set's status and on its children's.
 */
class SetEndToEndIT {
    private static final String CRM_IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    // Two revisions of examples/crm: the base tables, then a column on customers. Short, so a tenant migrates quickly.
    private static final String TARGET = "abc123def456";
    private static final String SET = "tenants";
    private static final Map<String, String> TENANT_LABELS = Map.of("dbmigrate.example/tenant-db", "crm");

    // examples/crm and one revision on TARGET that builds an index without CONCURRENTLY (an error finding).
    private static final String UNSAFE_IMAGE = PodImages.project("registry.example.com/crm-migrations:1.0.1-unsafe");
    private static final String UNSAFE_INDEX = "f00d00000002";
    private static final Path UNSAFE_PROJECT = Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("dbmigrate-e2e-set-unsafe-" + ProcessHandle.current().pid());

    @RegisterExtension
    static final AuditedCluster CLUSTER = AuditedCluster.of(() -> Map.of(CRM_IMAGE,
            PodImages.folders(CRM_IMAGE, TestCluster.repoRoot().resolve("examples/crm")), UNSAFE_IMAGE,
            PodImages.folders(UNSAFE_IMAGE, unsafeIndex())));

    private static Path unsafeIndex() throws IOException {
        Path project = AlembicProjects.copy(TestCluster.repoRoot().resolve("examples/crm"), UNSAFE_PROJECT);
        AlembicProjects.addRevision(project, UNSAFE_INDEX + "_unsafe_index.py", UNSAFE_INDEX, TARGET,
                "CREATE INDEX idx_customers_name_lint ON customers (name)");
        return project;
    }

    private final List<TestDatabase> databases = new ArrayList<>();
    private OperatorRuntime operator;
    private String ns;

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
        databases.forEach(TestDatabase::close);
        databases.clear();
    }

    @Test
    void canaryWaitsForApprovalThenTheRestTwoAtATimeAndATenantAddedLaterIsMigrated() throws Exception {
        ns = cluster().newNamespace("e2e-set-canary");
        Map<String, TestDatabase> tenants = new LinkedHashMap<>();
        for (String tenant : List.of("tenant-a", "tenant-b", "tenant-c", "tenant-d")) {
            tenants.put(tenant, tenantSecret(tenant));
        }
        startOperatorAndCreateSet("""
        - secrets: {matchLabels: {"dbmigrate.example/tenant-db": crm}, sslMode: disable}
        """, "{canary: {count: 1}, gate: {approval: true}, maxParallel: 2}");

        // The canary (the first Secret by name) alone; the rest waits at the gate, their databases untouched.
        DatabaseMigrationSetStatus gate = awaitSet(s -> s.phase() == SetPhase.AwaitingGate, "AwaitingGate");
        assertCounts(gate, 4, 3, 0, 1, 0);
        assertCondition(gate, StatusCondition.READY, "False", "AwaitingApproval");
        assertCondition(gate, StatusCondition.STALLED, "False", null);
        assertMigrated(tenants.get("tenant-a"));
        DatabaseMigration canary = child("tenant-a");
        assertEquals("true", canary.getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));
        assertChildSucceeded("tenant-a");
        assertStaysTrue(Duration.ofSeconds(3), () -> children().size() == 1, "nothing past the gate without approval");
        for (String tenant : List.of("tenant-b", "tenant-c", "tenant-d")) {
            assertUntouched(tenants.get(tenant));
        }

        // Approved while the kubelet holds pods: two of the three start, the third waits for a free slot.
        TestKubelet kubelet = cluster().kubelet();
        kubelet.hold();
        try {
            annotate(Gates.APPROVE_ANNOTATION, "canary");
            Await.until(TIMEOUT, () -> children().size() == 3, () -> "two more children, now " + names(children()));
            assertStaysTrue(Duration.ofSeconds(3), () -> children().size() == 3, "at most maxParallel 2 running");
            DatabaseMigrationSetStatus running = awaitSet(s -> s.running() != null && s.running() == 2, "running 2");
            assertCounts(running, 4, 1, 2, 1, 0);
            assertEquals(SetPhase.Progressing, running.phase());
        } finally {
            kubelet.release();
        }

        DatabaseMigrationSetStatus done = awaitSucceeded(4, TIMEOUT);
        assertCounts(done, 4, 0, 0, 4, 0);
        assertCondition(done, StatusCondition.READY, "True", "Succeeded");
        assertNull(done.failedTargets());
        assertNull(annotations().get(Gates.APPROVE_ANNOTATION), "the approval was spent");
        for (Map.Entry<String, TestDatabase> tenant : tenants.entrySet()) {
            assertMigrated(tenant.getValue());
            assertChildSucceeded(tenant.getKey());
        }

        // A tenant added after the rollout: its Secret alone brings its child, through the operator's watch on Secrets.
        // Nothing polls: the child comes well within the minute a periodic re-list would have taken.
        TestDatabase late = tenantSecret("tenant-e");
        Await.until(Duration.ofSeconds(30), () -> child("tenant-e") != null, () -> "no child for tenant-e yet");
        DatabaseMigrationSetStatus grown = awaitSucceeded(5, TIMEOUT);
        assertCounts(grown, 5, 0, 0, 5, 0);
        assertMigrated(late);
        assertChildSucceeded("tenant-e");
        assertNull(child("tenant-e").getMetadata().getAnnotations().get(DatabaseMigrationSet.CANARY_ANNOTATION));
    }

    @Test
    void aFailureHaltsTheRolloutAndARetryAfterTheRepairFinishesIt() throws Exception {
        ns = cluster().newNamespace("e2e-set-halt");
        List<TestDatabase> tenants = new ArrayList<>();
        String list = listGenerator(tenants, "tenant-a", "tenant-b", "tenant-c");
        TestDatabase broken = tenants.get(1);
        // What the first revision creates is there already: tenant-b's migration fails and rolls back.
        broken.execute("CREATE TABLE customers (id int)");
        startOperatorAndCreateSet(list, "{maxParallel: 1, maxFailures: 0}");

        DatabaseMigrationSetStatus halted = awaitSet(s -> s.phase() == SetPhase.Failed, "Failed");
        assertCounts(halted, 3, 1, 0, 1, 1);
        assertCondition(halted, StatusCondition.STALLED, "True", "RolloutHalted");
        assertCondition(halted, StatusCondition.READY, "False", "RolloutHalted");
        assertEquals(1, halted.failedTargets().size(), halted.failedTargets().toString());
        FailedTarget failed = halted.failedTargets().get(0);
        assertEquals("tenant-b", failed.target());
        assertEquals(SET + "-tenant-b", failed.migration());
        assertEquals("MigrationFailed", failed.reason());
        assertTrue(failed.message().contains("customers"), failed.message());
        assertTrue(halted.message().contains(DatabaseMigrationSet.RETRY_ANNOTATION + "=tenant-b"), halted.message());
        DatabaseMigration failedChild = child("tenant-b");
        assertEquals(Phase.Failed, failedChild.getStatus().phase());
        assertChildSucceeded("tenant-a");
        assertMigrated(tenants.get(0));
        assertEquals(List.of(), broken.alembicVersion(), "tenant-b's migration rolled back");
        assertStaysTrue(Duration.ofSeconds(3), () -> child("tenant-c") == null, "no new target after the failure");
        assertUntouched(tenants.get(2));

        // The repair, then the retry: tenant-b's child is made anew, and the rollout goes on to tenant-c.
        broken.execute("DROP TABLE customers");
        annotate(DatabaseMigrationSet.RETRY_ANNOTATION, "tenant-b");
        DatabaseMigrationSetStatus done = awaitSucceeded(3, TIMEOUT);
        assertCounts(done, 3, 0, 0, 3, 0);
        assertCondition(done, StatusCondition.STALLED, "False", null);
        assertNull(done.failedTargets());
        assertNull(annotations().get(DatabaseMigrationSet.RETRY_ANNOTATION), "the retry was spent");
        assertNotEquals(failedChild.getMetadata().getUid(), child("tenant-b").getMetadata().getUid(), "made anew");
        for (TestDatabase db : tenants) {
            assertMigrated(db);
        }
        assertChildSucceeded("tenant-b");
        assertChildSucceeded("tenant-c");
    }

    @Test
    void underLintBlockTheSetSaysItsCanaryAwaitsApprovalAndTheTemplateApprovingTheDigestRunsEveryTarget()
            throws Exception {
        ns = cluster().newNamespace("e2e-set-lint");
        List<TestDatabase> tenants = new ArrayList<>();
        String list = listGenerator(tenants, "tenant-a", "tenant-b", "tenant-c");
        // squawk lets an index on a table created in the same SQL pass: the index is a step of its own.
        String template = """
            backup: {mode: Disabled, reason: throwaway tenant databases}
            safety: {lint: {mode: Block}}
            steps:
              - {name: base, targetRevision: "%s"}
              - {name: index, targetRevision: "%s"%s}
            """;
        operator = OperatorRuntime.start(CLUSTER.operatorClient(), Set.of(ns), Clock.systemUTC());
        cluster().client().resource(setManifest(list, "{canary: {count: 1}}", UNSAFE_IMAGE,
                template.formatted(TARGET, UNSAFE_INDEX, ""))).create();

        // The canary's step index is held by its lint: neither succeeded nor failed, and not running either.
        DatabaseMigrationSetStatus held = awaitSet(s -> s.phase() == SetPhase.AwaitingGate, "AwaitingGate");
        assertCondition(held, StatusCondition.READY, "False", "AwaitingPlanApproval");
        assertEquals(List.of(3, 2, 0, 1, 0, 0), List.of(held.targets(), held.pending(), held.running(),
                held.awaitingApproval(), held.succeeded(), held.failed()), held.toString());
        DatabaseMigration canary = child("tenant-a");
        assertEquals("LintBlocked", canary.getStatus().conditionsOrEmpty().stream()
                .filter(c -> StatusCondition.READY.equals(c.type())).findFirst().orElseThrow().reason());
        String digest = canary.getStatus().steps().get(1).plan().digest();
        assertEquals(List.of(new PlanAwaitingApproval("index", digest, "LintBlocked", 1, List.of("tenant-a"))),
                held.plansAwaitingApproval());
        assertTrue(held.message().contains("gate.approval.plan: " + digest + " on step index of spec.template"),
                held.message());
        assertEquals(List.of(TARGET), tenants.get(0).alembicVersion(), "the canary's step base ran, index did not");
        assertStaysTrue(Duration.ofSeconds(2), () -> children().size() == 1, "the canary holds the rest");
        assertUntouched(tenants.get(1));

        // The digest does not name the database: approved once in the template, it opens every target's plan.
        SpecEdits.edit(cluster().client(), ns + "/" + SET, this::set, edited -> {
            edited.setSpec(setManifest(list, "{canary: {count: 1}}", UNSAFE_IMAGE, template.formatted(TARGET,
                    UNSAFE_INDEX, ", gate: {approval: {plan: " + digest + "}}")).getSpec());
            return edited;
        });

        DatabaseMigrationSetStatus done = awaitSet(s -> s.phase() == SetPhase.Succeeded, "Succeeded", 2, TIMEOUT);
        assertCounts(done, 3, 0, 0, 3, 0);
        assertNull(done.awaitingApproval());
        assertNull(done.plansAwaitingApproval());
        for (TestDatabase db : tenants) {
            assertEquals(List.of(UNSAFE_INDEX), db.alembicVersion(), db.name());
        }
        for (String tenant : List.of("tenant-a", "tenant-b", "tenant-c")) {
            DatabaseMigration child = child(tenant);
            assertEquals(digest, child.getStatus().steps().get(1).plan().digest(), tenant + ": one plan for all");
            assertTrue(child.getStatus().steps().get(1).openedBy().contains(Gates.OPENED_BY_SPEC_PLAN + " " + digest),
                    tenant + ": " + child.getStatus().steps().get(1).openedBy());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static TestCluster cluster() {
        return CLUSTER.cluster();
    }

    private TestDatabase database(String tenant) {
        TestDatabase db = TestDatabase.create("e2e_set_" + tenant);
        databases.add(db);
        return db;
    }

    /**
     * A list generator of these tenants, each a database of its own with a credentials Secret, added to {@code into}
     * in the order given.
     */
    private String listGenerator(List<TestDatabase> into, String... names) {
        StringBuilder list = new StringBuilder("- list:\n");
        for (String tenant : names) {
            TestDatabase db = database(tenant);
            cluster().createCredentials(ns, tenant, db.user(), db.password());
            into.add(db);
            list.append("""
              - name: %s
                database: {host: "%s", port: %d, name: %s, sslMode: disable, credentialsSecret: {name: %s}}
            """.formatted(tenant, db.host(), db.port(), db.name(), tenant));
        }
        return list.toString();
    }

    // A tenant's database and its Secret as CloudNativePG writes one (host, port, dbname, username, password),
    // labelled for the set's secrets generator.
    private TestDatabase tenantSecret(String tenant) {
        TestDatabase db = database(tenant);
        cluster().client().resource(new SecretBuilder().withNewMetadata().withName(tenant).withNamespace(ns)
                .withLabels(TENANT_LABELS).endMetadata()
                .withData(base64(Map.of("host", db.host(), "port", String.valueOf(db.port()), "dbname", db.name(),
                        "username", db.user(), "password", db.password())))
                .build()).create();
        return db;
    }

    // As a Secret reads back from an API server: stringData is write-only (and the mock keeps it apart from data).
    private static Map<String, String> base64(Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((key, value) -> data.put(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return data;
    }

    private void startOperatorAndCreateSet(String generatorsYaml, String rolloutYaml) {
        operator = OperatorRuntime.start(CLUSTER.operatorClient(), Set.of(ns), Clock.systemUTC());
        cluster().client().resource(setManifest(generatorsYaml, rolloutYaml, CRM_IMAGE, """
            targetRevision: "%s"
            backup:
              volume: {persistentVolumeClaim: {claimName: %s}}
            """.formatted(TARGET, CLAIM))).create();
    }

    /** The set with this image and template (YAML after its migrations, indented 4), rollout and generators. */
    private DatabaseMigrationSet setManifest(String generatorsYaml, String rolloutYaml, String image, String template) {
        String manifest = """
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigrationSet
        metadata: {name: %s, namespace: %s}
        spec:
          template:
            migrations: {image: "%s"}
            backoffLimit: 0
            jobTemplate:
              nodeSelector: {%s: "true"}
        """.formatted(SET, ns, image, TestKubelet.NODE_SELECTOR_KEY)
                + template.stripIndent().lines().map(line -> "    " + line + "\n").reduce("", String::concat)
                + "  rollout: " + rolloutYaml + "\n  generators:\n"
                + generatorsYaml.stripIndent().lines().map(line -> "  " + line + "\n").reduce("", String::concat);
        return new KubernetesSerialization().unmarshal(manifest, DatabaseMigrationSet.class);
    }

    // What `kubectl annotate --overwrite` does: a merge patch of metadata, the generation stays.
    private void annotate(String key, String value) {
        ObjectNode patch = new ObjectMapper().createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(key, value);
        cluster().client().resources(DatabaseMigrationSet.class).inNamespace(ns).withName(SET)
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    private DatabaseMigrationSet set() {
        return cluster().client().resources(DatabaseMigrationSet.class).inNamespace(ns).withName(SET).get();
    }

    private Map<String, String> annotations() {
        Map<String, String> annotations = set().getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private DatabaseMigrationSetStatus status() {
        DatabaseMigrationSet set = set();
        return set == null || set.getStatus() == null || set.getStatus().phase() == null ? null : set.getStatus();
    }

    /** The set's status once it describes the set's generation and {@code reached} holds. */
    private DatabaseMigrationSetStatus awaitSet(Predicate<DatabaseMigrationSetStatus> reached, String what) {
        return awaitSet(reached, what, TIMEOUT);
    }

    private DatabaseMigrationSetStatus awaitSet(Predicate<DatabaseMigrationSetStatus> reached, String what,
                                                Duration timeout) {
        return awaitSet(reached, what, 1, timeout);
    }

    private DatabaseMigrationSetStatus awaitSet(Predicate<DatabaseMigrationSetStatus> reached, String what,
                                                long generation, Duration timeout) {
        return Await.value(timeout, () -> {
            DatabaseMigrationSetStatus status = status();
            return status != null && Long.valueOf(generation).equals(status.observedGeneration())
                    && reached.test(status) ? status : null;
        }, () -> what + "; status now " + status() + ", children " + names(children()));
    }

    private DatabaseMigrationSetStatus awaitSucceeded(int targets, Duration timeout) {
        return awaitSet(s -> s.phase() == SetPhase.Succeeded && s.succeeded() != null && s.succeeded() == targets,
                "Succeeded with " + targets + " targets", timeout);
    }

    /** The set's children, listed by its label as kubectl would (an equality selector). */
    private List<DatabaseMigration> children() {
        return cluster().client().resources(DatabaseMigration.class).inNamespace(ns)
                .withLabel(DatabaseMigrationSet.LABEL_SET, SET).list().getItems();
    }

    private DatabaseMigration child(String target) {
        return cluster().client().resources(DatabaseMigration.class).inNamespace(ns).withName(SET + "-" + target).get();
    }

    private static List<String> names(List<DatabaseMigration> children) {
        return children.stream().map(c -> c.getMetadata().getName() + "=" + (c.getStatus() == null ? null
                : c.getStatus().phase())).toList();
    }

    private void assertChildSucceeded(String target) {
        DatabaseMigration child = child(target);
        assertEquals(target, child.getMetadata().getAnnotations().get(DatabaseMigrationSet.TARGET_ANNOTATION));
        assertEquals(Phase.Succeeded, child.getStatus().phase(), () -> target + ": " + child.getStatus());
        assertEquals(TARGET, child.getStatus().currentRevision());
        assertEquals("base", child.getStatus().lastBackup().revision(), "backed up before it migrated");
    }

    private static void assertCounts(DatabaseMigrationSetStatus status, int targets, int pending, int running,
                                     int succeeded, int failed) {
        assertEquals(List.of(targets, pending, running, succeeded, failed), List.of(status.targets(), status.pending(),
                status.running(), status.succeeded(), status.failed()), "targets, pending, running, succeeded, failed: "
                + status);
    }

    private static void assertCondition(DatabaseMigrationSetStatus status, String type, String value, String reason) {
        assertTrue(status.conditionsOrEmpty().stream().anyMatch(c -> type.equals(c.type()) && value.equals(c.status())
                && (reason == null || reason.equals(c.reason()))),
                () -> type + "=" + value + (reason == null ? "" : " reason " + reason) + " in " + status.conditions());
    }

    private static void assertMigrated(TestDatabase db) {
        assertEquals(List.of(TARGET), db.alembicVersion(), db.name());
        assertTrue(db.columnExists("customers", "preferences"), db.name());
    }

    private static void assertUntouched(TestDatabase db) {
        assertEquals(List.of(), db.alembicVersion(), db.name());
        assertFalse(db.tableExists("customers"), db.name());
    }
}
