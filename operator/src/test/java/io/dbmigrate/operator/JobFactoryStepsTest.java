package io.dbmigrate.operator;

import static io.dbmigrate.plan.Resources.approvalStep;
import static io.dbmigrate.plan.Resources.entry;
import static io.dbmigrate.plan.Resources.migration;
import static io.dbmigrate.plan.Resources.observe;
import static io.dbmigrate.plan.Resources.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.plan.JobNames;
import io.dbmigrate.plan.Observation;
import io.dbmigrate.plan.Resources;
import io.dbmigrate.plan.StepEntry;
import io.dbmigrate.runner.ExitCode;
import io.dbmigrate.runner.RunnerJson;
import io.dbmigrate.runner.RunnerMain;
import io.dbmigrate.runner.RunnerResult;
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

  private static DatabaseMigration phased() {
    return migration().generation(3L).steps(step("expand", "expand@head"), approvalStep("contract", "head", null))
        .safety(new SafetySpec("250ms", 4, "30s")).verify(new VerifyQuerySpec("no-nulls", "select true")).build();
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
    DatabaseMigration resource = phased();
    PodSpec pod = pod(JobFactory.build(resource, stepOf(resource, 1)));

    List<String> backup = pod.getInitContainers().get(0).getArgs();
    assertEquals("g3-contract", backup.get(backup.indexOf("--label") + 1), "each step's backup is told apart");
    List<String> upgrade = pod.getContainers().get(0).getArgs();
    assertEquals("migrate", pod.getContainers().get(0).getName());
    assertEquals(List.of("upgrade", "--migrations", "/migrations", "--target", "head", "--lock-timeout", "250ms",
        "--lock-retries", "4", "--statement-timeout", "30s", "--on-failure", "halt", "--verify", "no-nulls=select true"),
        upgrade);
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
    assertEquals(List.of("plan", "--migrations", "/migrations", "--target", "head"), pod.getContainers().get(0).getArgs());
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
    DatabaseMigration resource = phased();
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
  }

  private static List<Container> concat(List<Container> a, List<Container> b) {
    List<Container> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
