package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.entry;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.planJob;
import static io.dbmigrate.testing.Resources.step;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.runner.RunnerMain;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Jobs of a phased resource: one per step, and a plan Job for a gated step. */
class JobFactoryStepsTest {

    private static final PlanResult CONTRACT_PLAN = Resources.plan("head", "e5f6", List.of("f7a8"),
            "ALTER TABLE customers DROP COLUMN legacy_score;\n");

    /** Its contract step is approved in the spec ({@code approved: true}): its Job is due once its plan is recorded. */
    private static DatabaseMigration phased() {
        return migration().generation(3L).steps(step("expand", "expand@head"), approvalStep("contract", "head", true))
                .safety(new SafetySpec("250ms", 4, "30s")).verify(new VerifyQuerySpec("no-nulls", "select true")).build();
    }

    /** The Jobs seen when the contract step's plan is made: expand succeeded (to e5f6), the plan Job too. */
    private static List<JobObservation> expandedAndPlanned() {
        return List.of(
                succeededJob(JobNames.forStep("crm", Resources.UID, 3, "expand"),
                        attempt(ok(backupSucceeded(backupFile("g3-expand"), "a1b2")), ok(upgradeSucceeded("a1b2", "e5f6", "e5f6")))),
                planJob(JobNames.forPlan("crm", Resources.UID, 3, "contract"), CONTRACT_PLAN));
    }

    /** phased() once the planner published the contract step's plan in status, as the reconciler stores it. */
    private static DatabaseMigration planRecorded() {
        DatabaseMigration resource = phased();
        Observation observation = observe(resource, expandedAndPlanned());
        Decision publish = MigrationPlanner.decide(observation);
        assertInstanceOf(Decision.AwaitGate.class, publish, "setup: the plan is published first");
        resource.setStatus(StatusAggregator.compute(observation, publish, T0));
        assertTrue(stepOf(resource, 1).planRecorded(), "setup: status records the plan");
        return resource;
    }

    private static StepEntry stepOf(DatabaseMigration resource, int index) {
        Observation observation = observe(resource, List.of());
        return entry(observation, index);
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    @Test
    void eachStepHasItsJobNamedAndLabelledForTheStep() {
        DatabaseMigration resource = phased();
        Job expand = JobFactory.build(resource, stepOf(resource, 0));
        Job contract = JobFactory.build(resource, stepOf(resource, 1));

        assertEquals(JobNames.forStep("crm", Resources.UID, 3, "expand"), expand.getMetadata().getName());
        assertEquals(JobNames.forStep("crm", Resources.UID, 3, "contract"), contract.getMetadata().getName());
        for (Job job : List.of(expand, contract)) {
            for (Map<String, String> labels : List.of(job.getMetadata().getLabels(),
                    job.getSpec().getTemplate().getMetadata().getLabels())) {
                assertEquals("dbmigrate", labels.get(JobFactory.LABEL_MANAGED_BY));
                assertEquals("crm", labels.get(JobFactory.LABEL_MIGRATION));
                assertEquals("3", labels.get(JobFactory.LABEL_GENERATION));
                assertEquals(job.getMetadata().getName(), labels.get(JobFactory.LABEL_JOB));
            }
        }
        assertEquals("expand", expand.getMetadata().getLabels().get(JobFactory.LABEL_STEP));
        assertEquals("contract", contract.getSpec().getTemplate().getMetadata().getLabels().get(JobFactory.LABEL_STEP));
    }

    @Test
    void aStepJobIsABackupThenItsUpgrade() {
        DatabaseMigration resource = planRecorded();
        PodSpec pod = pod(JobFactory.build(resource, stepOf(resource, 1)));

        List<String> backup = pod.getInitContainers().get(0).getArgs();
        assertEquals("g3-contract", backup.get(backup.indexOf("--label") + 1), "each step's backup is told apart");
        List<String> upgrade = pod.getContainers().get(0).getArgs();
        assertEquals("migrate", pod.getContainers().get(0).getName());
        assertEquals(List.of("upgrade", "--migrations", "/migrations", "--target", "head", "--lock-timeout", "250ms",
                "--lock-retries", "4", "--statement-timeout", "30s", "--on-failure", "halt", "--expect-backup",
                "--verify", "no-nulls=select true", "--expect-from", "e5f6"), upgrade, "a gated step: only from the revision its plan started from");
    }

    @Test
    void theGatedStepsJobThePlannerCreatesRunsOnlyFromThePlansRevision() {
        DatabaseMigration resource = planRecorded();
        Decision next = MigrationPlanner.decide(observe(resource, expandedAndPlanned()));
        Decision.CreateJob create = assertInstanceOf(Decision.CreateJob.class, next, "the gate is open on this plan");
        assertEquals("contract", create.step().name());

        Job job = JobFactory.build(resource, create);
        List<String> upgrade = pod(job).getContainers().get(0).getArgs();

        assertEquals(CONTRACT_PLAN.fromRevision(), upgrade.get(upgrade.indexOf("--expect-from") + 1));
        assertEquals(CONTRACT_PLAN.fromRevision(), resource.getStatus().steps().get(1).plan().fromRevision());
        assertEquals(create.openedBy(), job.getMetadata().getAnnotations().get(JobFactory.ANNOTATION_OPENED_BY),
                "the Job records what opened its gate");
    }

    @Test
    void onlyTheOperatorSaysWhatOpenedAGate() {
        DatabaseMigration resource = migration().jobTemplate(new JobTemplateSpec(null, null, null, null, null, null,
                Map.of(JobFactory.ANNOTATION_OPENED_BY, "forged", "team", "crm"))).build();

        Job job = JobFactory.build(resource, new Decision.CreateJob(stepOf(resource, 0), null));

        assertEquals(Map.of("team", "crm"), job.getMetadata().getAnnotations());
    }

    @Test
    void anUngatedStepsJobRunsFromWhereverTheDatabaseIs() {
        DatabaseMigration resource = planRecorded();
        for (Job job : List.of(JobFactory.build(resource, stepOf(resource, 0)),
                JobFactory.buildPlan(resource, stepOf(resource, 1)))) {
            List<String> args = pod(job).getContainers().get(0).getArgs();
            assertFalse(args.contains("--expect-from"), args.toString());
        }
    }

    @Test
    void withoutStepsTheBackupLabelIsTheGeneration() {
        DatabaseMigration resource = migration().generation(3L).build();
        List<String> backup = pod(JobFactory.build(resource, stepOf(resource, 0))).getInitContainers().get(0).getArgs();

        assertEquals("g3", backup.get(backup.indexOf("--label") + 1));
        assertEquals("migrate",
                JobFactory.build(resource, stepOf(resource, 0)).getMetadata().getLabels().get(JobFactory.LABEL_STEP));
    }

    @Test
    void aPlanJobHasOnePlanContainerAndNoBackup() {
        DatabaseMigration resource = phased();
        Job plan = JobFactory.buildPlan(resource, stepOf(resource, 1));
        PodSpec pod = pod(plan);

        assertEquals(JobNames.forPlan("crm", Resources.UID, 3, "contract"), plan.getMetadata().getName());
        assertNotEquals(JobFactory.build(resource, stepOf(resource, 1)).getMetadata().getName(), plan.getMetadata().getName());
        assertEquals(List.of(), pod.getInitContainers());
        assertEquals(List.of("plan"), pod.getContainers().stream().map(Container::getName).toList());
        assertEquals(List.of("plan", "--migrations", "/migrations", "--target", "head", "--lint"),
                pod.getContainers().get(0).getArgs());
        assertEquals(List.of("tmp"), pod.getVolumes().stream().map(Volume::getName).toList(), "no backup volume");
        assertTrue(pod.getContainers().get(0).getVolumeMounts().stream().noneMatch(m -> m.getName().equals("backups")));
        assertEquals("contract", plan.getMetadata().getLabels().get(JobFactory.LABEL_STEP));
        assertEquals(plan.getMetadata().getName(), plan.getSpec().getTemplate().getMetadata().getLabels().get(JobFactory.LABEL_JOB));
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals(Boolean.TRUE, plan.getMetadata().getOwnerReferences().get(0).getController());
    }

    @Test
    void aPlanJobMeetsPodSecurityRestricted() {
        DatabaseMigration resource = phased();
        PodSpec pod = pod(JobFactory.buildPlan(resource, stepOf(resource, 1)));

        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container plan = pod.getContainers().get(0);
        assertEquals(Boolean.FALSE, plan.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), plan.getSecurityContext().getCapabilities().getDrop());
        assertEquals(Boolean.TRUE, plan.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.TRUE, plan.getSecurityContext().getRunAsNonRoot());
        assertEquals("FallbackToLogsOnError", plan.getTerminationMessagePolicy());
        assertTrue(plan.getEnv().stream().filter(e -> e.getName().equals("PGPASSWORD"))
                .allMatch(e -> e.getValue() == null && e.getValueFrom().getSecretKeyRef() != null));
    }

    @Test
    void aPlanJobFailsAtOnceOnTheSameExitCodes() {
        DatabaseMigration resource = phased();
        Job plan = JobFactory.buildPlan(resource, stepOf(resource, 1));

        assertEquals(JobFactory.build(resource, stepOf(resource, 1)).getSpec().getPodFailurePolicy(),
                plan.getSpec().getPodFailurePolicy());
    }

    @Test
    void theRunnerAcceptsEveryArgumentOfAPhasedResourcesJobs(@TempDir Path dir) throws IOException {
        DatabaseMigration resource = planRecorded();
        List<Job> jobs = List.of(JobFactory.build(resource, stepOf(resource, 0)),
                JobFactory.build(resource, stepOf(resource, 1)), JobFactory.buildPlan(resource, stepOf(resource, 1)));
        int checked = 0;
        for (Job job : jobs) {
            PodSpec pod = pod(job);
            for (Container container : concat(pod.getInitContainers(), pod.getContainers())) {
                Path result = dir.resolve(job.getMetadata().getName() + "-" + container.getName() + ".json");
                int exit = RunnerMain.execute(container.getArgs().toArray(String[]::new),
                        Map.of("DBMIGRATE_RESULT_PATH", result.toString()), new PrintStream(new ByteArrayOutputStream(), true,
                                StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

                // It gets as far as the connection (no PGHOST here): the safety, verify, on-failure and label arguments,
                // and the plan command's, passed the runner's own checks.
                RunnerResult reported = RunnerJson.read(Files.readString(result));
                assertEquals(ExitCode.BAD_INPUT.code(), exit, container.getArgs().toString());
                assertEquals(container.getArgs().get(0), reported.command());
                assertTrue(reported.message().startsWith("PGHOST is required"), reported.message());
                checked++;
            }
        }
        assertEquals(5, checked, "backup and upgrade of two steps, and the plan");
        assertTrue(jobs.get(1).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().contains("--expect-from"),
                "the gated step's --expect-from was among them");
    }

    private static List<Container> concat(List<Container> a, List<Container> b) {
        List<Container> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
