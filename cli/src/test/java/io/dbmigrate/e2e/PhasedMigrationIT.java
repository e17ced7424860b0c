package io.dbmigrate.e2e;

import static io.dbmigrate.e2e.Scenario.TIMEOUT;
import static io.dbmigrate.e2e.Scenario.assertStaysTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.rbac.AuditedCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Steps, gates, lock safety, verification and downgrades end to end: the same cluster, kubelet, PostgreSQL and Alembic
 * as {@link EndToEndIT}, on examples/crm's revisions named by id.
 */
class PhasedMigrationIT {
    private static final String CRM_IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    private static final String BASE_TABLES = "xyz789uvw012";
    private static final String PREFERENCES = "abc123def456"; // ALTER TABLE customers: needs ACCESS EXCLUSIVE
    private static final String METADATA = "mno345pqr678";
    private static final String NEW_STATUS = "vwx234yz567";
    private static final String EXPAND_TRIGGER = "yza890bcd123"; // the expand branch's first revision
    private static final String EXPAND_HEAD = "cde012fgh345"; // the backfill and a CREATE INDEX CONCURRENTLY
    // examples/crm and one revision on its expand head that builds an index without CONCURRENTLY (an error finding).
    private static final String UNSAFE_IMAGE = PodImages.project("registry.example.com/crm-migrations:1.0.1-unsafe");
    private static final String UNSAFE_INDEX = "f00d00000001";
    private static final Path UNSAFE_PROJECT = Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("dbmigrate-e2e-unsafe-" + ProcessHandle.current().pid());

    // The operator's own client: its requests (Deployments, plan ConfigMaps, the approval annotation) are checked
    // against the chart's RBAC, as in EndToEndIT; what only phased resources use must be in its log, or the audit would
    // pass without looking at it.
    @RegisterExtension
    static final AuditedCluster CLUSTER = AuditedCluster.of(() -> Map.of(CRM_IMAGE,
                    PodImages.folders(CRM_IMAGE, TestCluster.repoRoot().resolve("examples/crm")), UNSAFE_IMAGE,
                    PodImages.folders(UNSAFE_IMAGE, unsafeIndex())),
            List.of("watch apps/deployments", "create core/configmaps", "patch dbmigrate.io/databasemigrations ",
                    "create batch/jobs"));

    private static TestCluster cluster() {
        return CLUSTER.cluster();
    }

    private static Path unsafeIndex() throws IOException {
        Path project = AlembicProjects.copy(TestCluster.repoRoot().resolve("examples/crm"), UNSAFE_PROJECT);
        AlembicProjects.addRevision(project, UNSAFE_INDEX + "_unsafe_index.py", UNSAFE_INDEX, EXPAND_HEAD,
                "CREATE INDEX idx_tickets_customer_lint ON tickets (customer_id)");
        return project;
    }

    @Test
    void approvalGateWaitsWithThePlanShownThenRunsAfterTheAnnotation() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_approval"); Scenario s = new Scenario(CLUSTER, db, "e2e-approval")) {
            s.create(CRM_IMAGE, expandThenGatedContract(METADATA, NEW_STATUS, "approval: {}"));

            DatabaseMigrationStatus waiting = s.awaitPhase(Phase.AwaitingGate, 1);
            assertEquals(List.of(METADATA), db.alembicVersion());
            assertEquals("contract", waiting.currentStep());
            assertCondition(waiting, StatusCondition.READY, "False", "AwaitingApproval");
            assertCondition(waiting, StatusCondition.RECONCILING, "True", "AwaitingApproval");
            assertCondition(waiting, StatusCondition.STALLED, "False", null);
            StepStatus expand = waiting.steps().get(0);
            assertEquals(Phase.Succeeded, expand.phase());
            StepStatus contract = waiting.steps().get(1);
            assertEquals(Phase.AwaitingGate, contract.phase());
            assertTrue(contract.waitingFor().contains("dbmigrate.io/approve=contract"), contract.waitingFor());

            // The plan: what the approval approves, in status and in full in a ConfigMap.
            assertEquals(METADATA, contract.plan().fromRevision());
            assertEquals(List.of("stu901vwx234", NEW_STATUS), contract.plan().pendingRevisions());
            ConfigMap plan = cluster().client().configMaps().inNamespace(s.namespace()).withName(contract.plan().configMap()).get();
            assertNotNull(plan, "plan ConfigMap " + contract.plan().configMap());
            String sql = plan.getData().get("upgrade.sql");
            assertTrue(sql.contains("ALTER TABLE tickets ADD COLUMN new_status"), sql);
            assertTrue(waiting.message().contains(contract.plan().configMap()), waiting.message());
            s.awaitEvents("AwaitingApproval");
            assertStaysTrue(Duration.ofSeconds(2), () -> List.of(METADATA).equals(db.alembicVersion()),
                    "contract does not run before its approval");

            s.annotate(Gates.APPROVE_ANNOTATION, "contract");

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            // The approval opened one run of the step: it is used up.
            assertNull(s.annotation(Gates.APPROVE_ANNOTATION));
            assertEquals(List.of(NEW_STATUS), db.alembicVersion());
            assertEquals(NEW_STATUS, done.currentRevision());
            assertEquals(Gates.OPENED_BY_ANNOTATION, done.steps().get(1).openedBy());
            assertEquals(List.of("stu901vwx234", NEW_STATUS), done.steps().get(1).appliedRevisions());
            // Two steps, each with its Job and its own backup; one plan Job.
            assertEquals(3, s.jobs().size());
            assertEquals(METADATA, done.lastBackup().revision());
            s.awaitEvents("StepSucceeded");

            // Generation 2 moves contract on: expand is carried over, and contract waits for a new approval of a new plan.
            // An approval given ahead, in the same edit, before that plan exists, approves nothing: it is spent when the
            // plan is published.
            s.edit(resource -> withApproval(withSpec(resource,
                    expandThenGatedContract(METADATA, EXPAND_TRIGGER, "approval: {}")), "contract"));
            DatabaseMigrationStatus again = s.awaitPhase(Phase.AwaitingGate, 2);
            assertEquals(List.of(EXPAND_TRIGGER), again.steps().get(1).plan().pendingRevisions());
            assertNull(s.annotation(Gates.APPROVE_ANNOTATION), "the approval given before the plan was spent");
            assertStaysTrue(Duration.ofSeconds(2), () -> List.of(NEW_STATUS).equals(db.alembicVersion()),
                    "an approval given before generation 2's plan does not open contract");
            s.annotate(Gates.APPROVE_ANNOTATION, "contract");
            s.awaitPhase(Phase.Succeeded, 2);
            assertEquals(List.of(EXPAND_TRIGGER), db.alembicVersion());
            assertNull(s.annotation(Gates.APPROVE_ANNOTATION));
        }
    }

    @Test
    void lintBlockHoldsAStepWithAnIndexWithoutConcurrentlyUntilItsPlanIsApproved() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_lint"); Scenario s = new Scenario(CLUSTER, db, "e2e-lint")) {
            // No gate: under lint mode Block every step is planned, and its findings can hold it. sync-trigger's plan
            // has warnings only (its tables are created in the same SQL, and squawk knows they are empty): it runs.
            s.create(UNSAFE_IMAGE, """
          steps:
            - {name: sync-trigger, targetRevision: %s}
            - {name: expand, targetRevision: %s}
          safety: {lint: {mode: Block}}
          """.formatted(EXPAND_TRIGGER, UNSAFE_INDEX));

            // Not the first AwaitingGate: sync-trigger's plan, published with its gate open, shows one for a moment.
            DatabaseMigrationStatus held = Await.value(TIMEOUT, () -> {
                DatabaseMigrationStatus status = s.status();
                return status.phase() == Phase.AwaitingGate && "expand".equals(status.currentStep()) ? status : null;
            }, () -> "expand held; status now " + s.status());
            assertCondition(held, StatusCondition.READY, "False", "LintBlocked");
            assertEquals(List.of(EXPAND_TRIGGER), db.alembicVersion(), "sync-trigger ran, expand did not");
            assertEquals(0, held.steps().get(0).plan().lint().errors());
            StepStatus expand = held.steps().get(1);
            assertTrue(expand.waitingFor().contains("require-concurrent-index-creation in revision " + UNSAFE_INDEX),
                    expand.waitingFor());
            // The findings of the migrations image's squawk, in status (bounded) and in full in the plan's ConfigMap.
            var lint = expand.plan().lint();
            assertEquals("squawk 2.66.0", lint.linter());
            assertEquals(1, lint.errors(), lint.toString());
            assertEquals("require-concurrent-index-creation", lint.findings().get(0).rule());
            assertEquals(UNSAFE_INDEX, lint.findings().get(0).revision(), "crm's expand head builds its index "
                    + "CONCURRENTLY: " + lint);
            assertTrue(lint.findings().get(0).statement().startsWith("CREATE INDEX idx_tickets_customer_lint"),
                    lint.findings().get(0).statement());
            ConfigMap plan = cluster().client().configMaps().inNamespace(s.namespace()).withName(expand.plan().configMap())
                    .get();
            String json = plan.getData().get("lint.json");
            assertNotNull(json, plan.getData().keySet().toString());
            assertTrue(json.contains("\"rule\" : \"require-concurrent-index-creation\""), json);
            s.awaitEvents("LintFindings");

            s.annotate(Gates.APPROVE_ANNOTATION, "expand");

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(UNSAFE_INDEX), db.alembicVersion());
            assertEquals(Gates.OPENED_BY_ANNOTATION + " (lint findings approved)", done.steps().get(1).openedBy());
            assertEquals(expand.plan().digest(), done.steps().get(1).plan().digest(), "the plan approved ran");
            assertNull(s.annotation(Gates.APPROVE_ANNOTATION), "the approval was spent");
        }
    }

    @Test
    void deploymentGateWaitsForTheRollout() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_rollout"); Scenario s = new Scenario(CLUSTER, db, "e2e-rollout")) {
            Deployment app = cluster().client().resource(new DeploymentBuilder()
                    .withNewMetadata().withName("crm-api").withNamespace(s.namespace()).endMetadata()
                    .withNewSpec().withReplicas(2)
                        .withNewSelector().addToMatchLabels("app", "crm-api").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "crm-api").endMetadata()
                            // No node has this label: the rollout cannot complete by itself.
                            .withNewSpec().addToNodeSelector("dbmigrate.io/no-such-node", "true")
                                .addNewContainer().withName("api").withImage("registry.example.com/crm-api:2.0.0").endContainer()
                            .endSpec()
                        .endTemplate()
                    .endSpec().build()).create();
            s.create(CRM_IMAGE, expandThenGatedContract(BASE_TABLES, PREFERENCES, "deploymentRollout: {name: crm-api}"));

            DatabaseMigrationStatus waiting = s.awaitPhase(Phase.AwaitingGate, 1);
            assertCondition(waiting, StatusCondition.READY, "False", "AwaitingRollout");
            assertTrue(waiting.steps().get(1).waitingFor().contains("crm-api"), waiting.steps().get(1).waitingFor());
            assertStaysTrue(Duration.ofSeconds(2), () -> List.of(BASE_TABLES).equals(db.alembicVersion()),
                    "contract waits for the rollout");

            completeRollout(app);

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertTrue(done.steps().get(1).openedBy().contains("crm-api"), done.steps().get(1).openedBy());
        }
    }

    @Test
    void aRolloutGateSeesACompleteDeploymentWhenTheOperatorWatchesSeveralNamespaces() throws Exception {
        // JOSDK runs one informer per watched namespace; with one cache shared between them, the other namespace's
        // first list emptied this one's, and the gate waited for a Deployment it reported missing.
        try (TestDatabase db = TestDatabase.create("e2e_multins");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-multins", namespace -> completeRollout(
                          cluster().client().resource(new DeploymentBuilder()
                                  .withNewMetadata().withName("crm-api").withNamespace(namespace).endMetadata()
                                  .withNewSpec().withReplicas(0)
                                      .withNewSelector().addToMatchLabels("app", "crm-api").endSelector()
                                      .withNewTemplate().withNewMetadata().addToLabels("app", "crm-api").endMetadata()
                                          .withNewSpec().addNewContainer().withName("api").withImage("registry.example.com/crm-api:2.0.0")
                                          .endContainer().endSpec()
                                      .endTemplate()
                                  .endSpec().build()).create()), true)) {
            s.create(CRM_IMAGE, """
          steps:
            - name: contract
              targetRevision: %s
              gate:
                deploymentRollout: {name: crm-api}
          """.formatted(BASE_TABLES));

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(BASE_TABLES), db.alembicVersion());
            assertTrue(done.steps().get(0).openedBy().contains("rollout of Deployment crm-api"), done.steps().get(0).openedBy());
        }
    }

    @Test
    void lockHeldForTwoSecondsIsWaitedOutByRetries() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_lockok"); Scenario s = new Scenario(CLUSTER, db, "e2e-lockok")) {
            migrateTo(s, BASE_TABLES);
            try (TestDatabase.HeldLock reader = db.holdTableLock("customers", "crm-report")) {
                retarget(s, PREFERENCES, "lockTimeout: 100ms\n  lockRetries: 10");
                // Hold on until the migration queues behind the reader, then 2 s more: several lock timeouts in a row.
                Await.until(TIMEOUT, () -> db.lockWaiters() > 0, () -> "the migration to wait for the lock");
                Thread.sleep(2_000);
            }
            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 2);
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertTrue(done.lastMigration().lockAttempts() > 1, "lock attempts " + done.lastMigration().lockAttempts());
        }
    }

    @Test
    void lockHeldLongerThanTheRetriesFailsWithLockTimeoutAndChangesNothing() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_locktimeout");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-locktimeout")) {
            migrateTo(s, BASE_TABLES);
            try (TestDatabase.HeldLock reader = db.holdTableLock("customers", "crm-report")) {
                retarget(s, PREFERENCES, "lockTimeout: 100ms\n  lockRetries: 1");
                DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 2);
                assertCondition(failed, StatusCondition.STALLED, "True", "LockTimeout");
                assertTrue(failed.message().contains("crm-report"), "the holder named: " + failed.message());
                assertStillAtBaseTables(db, failed);
            }
        }
    }

    @Test
    void failedVerificationHaltsWhereTheMigrationLeftTheDatabase() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_verifyhalt");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-verifyhalt")) {
            s.create(CRM_IMAGE, """
          targetRevision: %s
          verify:
            - {name: has-customers, sql: "select count(*) > 0 from customers"}
          """.formatted(PREFERENCES));

            DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 1);
            assertCondition(failed, StatusCondition.STALLED, "True", "VerificationFailed");
            assertTrue(failed.message().contains("has-customers"), failed.message());
            assertEquals("has-customers", failed.lastMigration().failedVerification());
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
        }
    }

    @Test
    void failedVerificationWithDowngradeGoesBackToWhereTheStepStarted() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_verifydown");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-verifydown")) {
            migrateTo(s, BASE_TABLES);
            s.edit(resource -> withSpec(resource, """
          targetRevision: %s
          onFailure: Downgrade
          verify:
            - {name: has-customers, sql: "select count(*) > 0 from customers"}
          """.formatted(PREFERENCES)));

            DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 2);
            assertCondition(failed, StatusCondition.STALLED, "True", "VerificationFailed");
            assertEquals(BASE_TABLES, failed.lastMigration().rolledBackTo());
            assertStillAtBaseTables(db, failed);
        }
    }

    @Test
    void explicitDowngradeIsRefusedWithoutAllowDowngradeAndRunsWithIt() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_downgrade");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-downgrade")) {
            migrateTo(s, METADATA);

            retarget(s, PREFERENCES, null);
            DatabaseMigrationStatus refused = s.awaitPhase(Phase.Failed, 2);
            assertCondition(refused, StatusCondition.STALLED, "True", "DowngradeNotAllowed");
            assertTrue(refused.message().contains("allowDowngrade"), refused.message());
            assertEquals(List.of(METADATA), db.alembicVersion());

            s.edit(resource -> withSpec(resource, "targetRevision: " + PREFERENCES + "\nallowDowngrade: true\n"));
            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 3);
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertEquals("downgrade", done.lastMigration().direction());
            // Its own backup, taken at the revision it downgraded from.
            assertEquals(METADATA, done.lastBackup().revision());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    // spec.steps: expand to one revision, then contract to another behind the gate (its YAML).
    private static String expandThenGatedContract(String expand, String contract, String gate) {
        return """
        steps:
          - name: expand
            targetRevision: %s
          - name: contract
            targetRevision: %s
            gate:
              %s
        """.formatted(expand, contract, gate);
    }

    // Where the step started: status and alembic_version say so, and the column PREFERENCES adds is not there.
    private static void assertStillAtBaseTables(TestDatabase db, DatabaseMigrationStatus status) {
        assertEquals(BASE_TABLES, status.currentRevision());
        assertEquals(List.of(BASE_TABLES), db.alembicVersion());
        assertEquals(0, db.queryLong("select count(*) from information_schema.columns"
                + " where table_name = 'customers' and column_name = 'preferences'"));
    }

    private static void migrateTo(Scenario s, String revision) {
        s.create(CRM_IMAGE, "targetRevision: " + revision + "\n");
        s.awaitPhase(Phase.Succeeded, 1);
    }

    private static void retarget(Scenario s, String revision, String safetyYaml) {
        s.edit(resource -> withSpec(resource, "targetRevision: " + revision + "\n"
                + (safetyYaml == null ? "" : "safety:\n  " + safetyYaml + "\n")));
    }

    // The spec's fields below targetRevision replaced by the YAML given, the rest (database, image, backup) kept.
    private static io.dbmigrate.api.v1alpha1.DatabaseMigration withSpec(io.dbmigrate.api.v1alpha1.DatabaseMigration resource,
                                                                                                                                              String yaml) {
        var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = serialization.convertValue(resource.getSpec(), Map.class);
        spec.remove("targetRevision");
        spec.remove("steps");
        @SuppressWarnings("unchecked")
        Map<String, Object> extra = serialization.unmarshal(yaml, Map.class);
        spec.putAll(extra);
        resource.setSpec(serialization.convertValue(spec, io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec.class));
        return resource;
    }

    private static io.dbmigrate.api.v1alpha1.DatabaseMigration withApproval(
            io.dbmigrate.api.v1alpha1.DatabaseMigration resource, String steps) {
        Map<String, String> annotations = new java.util.HashMap<>(resource.getMetadata().getAnnotations() == null
                ? Map.of() : resource.getMetadata().getAnnotations());
        annotations.put(Gates.APPROVE_ANNOTATION, steps);
        resource.getMetadata().setAnnotations(annotations);
        return resource;
    }

    // A Deployment controller completes a rollout scaled to 0. Where there is none (the mock server, an API server
    // without kube-controller-manager) write the status it would.
    private static void completeRollout(Deployment app) {
        var deployment = cluster().client().apps().deployments().inNamespace(app.getMetadata().getNamespace())
                .withName(app.getMetadata().getName());
        if (!cluster().isMock()) {
            deployment.scale(0);
            if (cluster().hasDeploymentController()) {
                return;
            }
        }
        Deployment current = deployment.get();
        int replicas = current.getSpec().getReplicas();
        current.setStatus(new DeploymentStatusBuilder().withObservedGeneration(current.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
                .withAvailableReplicas(replicas).build());
        cluster().client().apps().deployments().inNamespace(app.getMetadata().getNamespace()).resource(current).updateStatus();
    }

    private static void assertCondition(DatabaseMigrationStatus status, String type, String value, String reason) {
        assertTrue(status.conditionsOrEmpty().stream().anyMatch(c -> type.equals(c.type()) && value.equals(c.status())
                        && (reason == null || reason.equals(c.reason()))),
                () -> type + "=" + value + (reason == null ? "" : " reason " + reason) + " in " + status.conditions());
    }
}
