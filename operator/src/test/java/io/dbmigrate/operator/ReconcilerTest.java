package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.NAME;
import static io.dbmigrate.testing.Resources.NAMESPACE;
import static io.dbmigrate.testing.Resources.SECRET;
import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.condition;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.plan;
import static io.dbmigrate.testing.Resources.planned;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.decide.Reconciliation;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reconciler's reconcile(), called directly against the mock API server: the Jobs, annotations and status it
 * writes for what it finds. The test plays the informers (the Context reads Jobs and pods from the server) and the Job
 * controller and kubelet (it ends Jobs with the pods' termination messages).
 */
class ReconcilerTest {
    @RegisterExtension
    final MockApiServer server = MockApiServer.perTest();
    private KubernetesClient client;
    private DatabaseMigrationReconciler reconciler;

    @BeforeEach
    void start() {
        client = server.client();
        reconciler = new DatabaseMigrationReconciler(client, Clock.fixed(T0, ZoneOffset.UTC),
                new MigrationMetrics(new SimpleMeterRegistry()));
    }

    @Test
    void aNewResourceGetsItsFirstJob() {
        secret();
        DatabaseMigration resource = create(migration().build());

        UpdateControl<DatabaseMigration> control = reconcile();

        String name = MigrationPlanner.jobName(resource);
        Job job = job(name);
        assertNotNull(job, "Job " + name + " created");
        assertEquals(resource.getMetadata().getUid(), job.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(List.of(JobFactory.BACKUP_CONTAINER), names(job.getSpec().getTemplate().getSpec().getInitContainers()));
        assertEquals(List.of(JobFactory.MIGRATE_CONTAINER), names(job.getSpec().getTemplate().getSpec().getContainers()));
        DatabaseMigrationStatus status = fetch().getStatus();
        assertEquals(Phase.Pending, status.phase());
        assertEquals(name, status.job());
        assertEquals(1L, status.observedGeneration());
        assertEquals(Reasons.JOB_CREATED, condition(status, StatusCondition.RECONCILING).reason());
        assertEquals(Optional.empty(), control.getScheduleDelay(), "the Job's informer wakes it");
    }

    @Test
    void aJobThatSucceededMovesStatus() {
        secret();
        create(migration().build());
        reconcile();
        Job job = onlyJob();

        succeed(job, backupSucceeded(backupFile("g1"), "0001"), upgradeSucceeded("0001", "c3d4", "a1b2", "c3d4"));
        UpdateControl<DatabaseMigration> control = reconcile();

        DatabaseMigrationStatus status = fetch().getStatus();
        assertEquals(Phase.Succeeded, status.phase());
        assertEquals("c3d4", status.currentRevision());
        assertEquals(job.getMetadata().getName(), status.job());
        assertEquals(backupFile("g1"), status.lastBackup().file());
        assertEquals(List.of("a1b2", "c3d4"), status.lastMigration().appliedRevisions());
        assertEquals("True", condition(status, StatusCondition.READY).status());
        assertEquals("Upgraded 0001 -> c3d4: applied 2 revisions", status.message());
        assertEquals(List.of(job.getMetadata().getName()), jobNames(), "no second Job");
        assertEquals(Optional.empty(), control.getScheduleDelay());
    }

    @Test
    void anApprovalAnnotationIsSpentOnceItsStepsJobExists() {
        secret();
        DatabaseMigration resource = create(migration().steps(approvalStep("contract", "head", null)).build());
        publishThePlan(resource);
        approve();
        reconcile();

        String stepJob = JobNames.forStep(NAME, resource.getMetadata().getUid(), 1L, "contract", 1);
        assertNotNull(job(stepJob), "the approval opened the gate");
        assertNull(fetch().getMetadata().getAnnotations().get(Gates.APPROVE_ANNOTATION), "the approval is spent");
        DatabaseMigrationStatus started = fetch().getStatus();
        assertEquals(stepJob, started.job());
        assertEquals(Gates.OPENED_BY_ANNOTATION, started.steps().get(0).openedBy());
        assertTrue(started.message().endsWith("(gate opened by " + Gates.OPENED_BY_ANNOTATION + ")"), started.message());
    }

    @Test
    void aReconcileFromAStaleCopyOfTheResourceKeepsWhatOpenedTheGate() {
        secret();
        DatabaseMigration resource = create(migration().steps(approvalStep("contract", "head", null)).build());
        publishThePlan(resource);
        approve();
        DatabaseMigrationStatus beforeTheJob = fetch().getStatus();
        reconcile();
        String stepJob = JobNames.forStep(NAME, resource.getMetadata().getUid(), 1L, "contract", 1);
        assertEquals(Gates.OPENED_BY_ANNOTATION,
                job(stepJob).getMetadata().getAnnotations().get(JobFactory.ANNOTATION_OPENED_BY), "the Job records it");

        // JOSDK does not cache the operator's own status patch: a pod event can start the next reconcile from the copy
        // the informer holds, which has seen the approval spent but not the status written after it.
        DatabaseMigration stale = fetch();
        stale.setStatus(beforeTheJob);
        reconciler.reconcile(stale, informers());

        DatabaseMigrationStatus status = fetch().getStatus();
        assertEquals(stepJob, status.job());
        assertEquals(Gates.OPENED_BY_ANNOTATION, status.steps().get(0).openedBy());
        assertEquals(2, jobNames().size(), "the plan Job and one step Job: " + jobNames());
    }

    // Plans the gated step and publishes its plan: the step then waits for its approval.
    private Job publishThePlan(DatabaseMigration resource) {
        reconcile();
        Job planJob = onlyJob();
        assertEquals(JobNames.forPlan(NAME, resource.getMetadata().getUid(), 1L, "contract"),
                planJob.getMetadata().getName(), "the gated step is planned first");
        PlanResult plan = plan("head", "e5f6", List.of("f7a8"), "ALTER TABLE customers DROP COLUMN legacy_score;\n");
        succeed(planJob, planned(plan));

        UpdateControl<DatabaseMigration> published = reconcile();
        ConfigMap configMap = client.configMaps().inNamespace(NAMESPACE)
                .withName(JobNames.planConfigMap(NAME, resource.getMetadata().getUid(), "contract")).get();
        assertNotNull(configMap, "the plan is published");
        assertEquals("ALTER TABLE customers DROP COLUMN legacy_score;\n", configMap.getData().get(PlanConfigMaps.KEY_SQL));
        DatabaseMigrationStatus waiting = fetch().getStatus();
        assertEquals(Phase.AwaitingGate, waiting.phase());
        assertNotNull(waiting.steps().get(0).plan().digest());
        assertEquals(Optional.of(Reconciliation.ANNOTATION_RECHECK.toMillis()), published.getScheduleDelay());
        assertEquals(List.of(planJob.getMetadata().getName()), jobNames(), "no step Job before the approval");
        return planJob;
    }

    // kubectl annotate dbmigration crm dbmigrate.io/approve=contract
    private void approve() {
        client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).withName(NAME)
                .edit(migration -> {
                    migration.getMetadata().setAnnotations(Map.of(Gates.APPROVE_ANNOTATION, "contract"));
                    return migration;
                });
    }

    @Test
    void aMissingSecretIsLookedForAgainAfterSecretRecheck() {
        create(migration().build());

        UpdateControl<DatabaseMigration> control = reconcile();

        assertEquals(Optional.of(Reconciliation.SECRET_RECHECK.toMillis()), control.getScheduleDelay());
        assertEquals(List.of(), jobNames(), "no Job without its Secret");
        DatabaseMigrationStatus status = fetch().getStatus();
        assertEquals(Phase.Pending, status.phase());
        assertEquals(Reasons.SECRET_NOT_FOUND, condition(status, StatusCondition.READY).reason());
        assertTrue(status.message().contains("Secret " + NAMESPACE + "/" + SECRET + " not found"), status.message());

        secret();
        UpdateControl<DatabaseMigration> found = reconcile();
        assertEquals(List.of(MigrationPlanner.jobName(fetch())), jobNames(), "the Job starts once the Secret exists");
        assertEquals(Optional.empty(), found.getScheduleDelay());
    }

    // The reconciler's call as JOSDK makes it, with the resource as the API server has it now.
    private UpdateControl<DatabaseMigration> reconcile() {
        return reconciler.reconcile(fetch(), informers());
    }

    // The informers' caches of the resource's Jobs and pods, read from the API server; nothing else is asked for here.
    private Context<DatabaseMigration> informers() {
        return InformerContext.of(Map.of(Job.class, () -> client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems(),
                Pod.class, () -> client.pods().inNamespace(NAMESPACE).list().getItems()));
    }

    private DatabaseMigration create(DatabaseMigration resource) {
        return client.resource(resource).create();
    }

    private DatabaseMigration fetch() {
        return client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).withName(NAME).get();
    }

    private void secret() {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .endMetadata().withStringData(Map.of("username", "app", "password", "secret")).build()).create();
    }

    private Job job(String name) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(name).get();
    }

    private List<String> jobNames() {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().stream()
                .map(job -> job.getMetadata().getName()).sorted().toList();
    }

    private Job onlyJob() {
        List<String> names = jobNames();
        assertEquals(1, names.size(), names.toString());
        return job(names.get(0));
    }

    private static List<String> names(List<Container> containers) {
        return containers.stream().map(Container::getName).toList();
    }

    /**
     * What the kubelet and the Job controller make of a Job whose containers all succeed: a pod of its template whose
     * containers, in order, end with these results as termination messages, and the Job Complete.
     */
    private void succeed(Job job, RunnerResult... results) {
        Iterator<RunnerResult> next = List.of(results).iterator();
        List<ContainerStatus> init = new ArrayList<>();
        for (Container container : job.getSpec().getTemplate().getSpec().getInitContainers()) {
            init.add(terminated(container, next.next()));
        }
        List<ContainerStatus> main = new ArrayList<>();
        for (Container container : job.getSpec().getTemplate().getSpec().getContainers()) {
            main.add(terminated(container, next.next()));
        }
        assertFalse(next.hasNext(), "a result for each container");
        Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(job.getMetadata().getName() + "-a1b2c").withLabels(labels).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase("Succeeded").withInitContainerStatuses(init).withContainerStatuses(main).endStatus()
                .build()).create();
        client.batch().v1().jobs().inNamespace(NAMESPACE).resource(new JobBuilder(job).withNewStatus().addNewCondition()
                .withType("Complete").withStatus("True").endCondition().withSucceeded(1).endStatus().build()).updateStatus();
    }

    private static ContainerStatus terminated(Container container, RunnerResult result) {
        return new ContainerStatusBuilder().withName(container.getName()).withNewState().withNewTerminated()
                .withExitCode(0).withReason("Completed").withMessage(RunnerJson.write(result)).endTerminated().endState()
                .build();
    }
}
