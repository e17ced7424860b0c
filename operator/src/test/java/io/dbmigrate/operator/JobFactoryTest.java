package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupCompressionSpec;
import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.ComputeResources;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.api.v1alpha1.PodToleration;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.runner.RunnerMain;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFactoryTest {

    private static Job build(Resources.Migration migration) {
        return Resources.job(migration.build());
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    private static Stream<Container> allContainers(Job job) {
        return Stream.concat(pod(job).getInitContainers().stream(), pod(job).getContainers().stream());
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }

    private static JobTemplateSpec template(ComputeResources resources) {
        return new JobTemplateSpec("crm-migrator", resources, Map.of("pool", "batch"),
                List.of(new PodToleration("dedicated", "Equal", "migrations", "NoSchedule", null),
                        new PodToleration("node.kubernetes.io/unreachable", "Exists", null, "NoExecute", 300L)),
                1800L, Map.of("team", "crm", "app.kubernetes.io/managed-by", "helm"),
                Map.of("sidecar.istio.io/inject", "false"));
    }

    @Test
    void jobIsNamedForTheGenerationAndLivesBesideTheResource() {
        DatabaseMigration resource = migration().generation(3L).build();

        Job job = Resources.job(resource);

        assertEquals(MigrationPlanner.jobName(resource), job.getMetadata().getName());
        assertEquals("crm", job.getMetadata().getNamespace());
    }

    @Test
    void resourceOwnsAndControlsItsJob() {
        assertControlledByTheResource(build(migration()).getMetadata());
    }

    /** Owned by the crm resource alone, as its controller (JobFactory.controllerReference), for Jobs and ConfigMaps. */
    static void assertControlledByTheResource(ObjectMeta metadata) {
        assertEquals(1, metadata.getOwnerReferences().size());
        OwnerReference owner = metadata.getOwnerReferences().get(0);
        assertEquals("dbmigrate.io/v1alpha1", owner.getApiVersion());
        assertEquals("DatabaseMigration", owner.getKind());
        assertEquals("crm", owner.getName());
        assertEquals(Resources.UID, owner.getUid());
        assertEquals(Boolean.TRUE, owner.getController());
        assertEquals(Boolean.TRUE, owner.getBlockOwnerDeletion());
    }

    @Test
    void backupIsAnInitContainerSoItEndsBeforeMigrateStarts() {
        PodSpec pod = pod(build(migration().generation(3L)));

        assertEquals(List.of("backup"), pod.getInitContainers().stream().map(Container::getName).toList());
        assertEquals(List.of("migrate"), pod.getContainers().stream().map(Container::getName).toList());
        // The backup checks the target against the image's scripts first: an unknown one fails before any dump.
        assertEquals(List.of("backup", "--dir", "/var/lib/dbmigrate/backups", "--name", "crm", "--label", "g3", "--retain", "5",
                "--migrations", "/migrations", "--target", "head"), pod.getInitContainers().get(0).getArgs());
        assertEquals(List.of("upgrade", "--migrations", "/migrations", "--target", "head", "--lock-timeout", "1s",
                "--lock-retries", "10", "--statement-timeout", "0s", "--on-failure", "halt", "--expect-backup"),
                pod.getContainers().get(0).getArgs());
        List<String> command = pod.getContainers().get(0).getCommand();
        assertTrue(command == null || command.isEmpty(), "the image's entrypoint is the runner: " + command);
    }

    @Test
    void argsFollowTheSpec() {
        PodSpec pod = pod(build(migration().generation(12L).path("/app/alembic").targetRevision("expand@head")
                .backup(new BackupSpec(null, null, Resources.volume("crm-backups"), 9, null))));

        List<String> backupArgs = pod.getInitContainers().get(0).getArgs();
        List<String> migrateArgs = pod.getContainers().get(0).getArgs();
        assertEquals("g12", backupArgs.get(backupArgs.indexOf("--label") + 1));
        assertEquals("9", backupArgs.get(backupArgs.indexOf("--retain") + 1));
        assertEquals("/app/alembic", backupArgs.get(backupArgs.indexOf("--migrations") + 1));
        assertEquals("expand@head", backupArgs.get(backupArgs.indexOf("--target") + 1));
        assertFalse(backupArgs.contains("--compression"), "pg_dump's default, as before: " + backupArgs);

        List<String> zstd = pod(build(migration().backup(new BackupSpec(null, null, Resources.volume("crm-backups"), 9,
                new BackupCompressionSpec(BackupCompression.Method.ZSTD, 3))))).getInitContainers().get(0).getArgs();
        assertEquals("zstd:3", zstd.get(zstd.indexOf("--compression") + 1));
        assertEquals("/app/alembic", migrateArgs.get(migrateArgs.indexOf("--migrations") + 1));
        assertEquals("expand@head", migrateArgs.get(migrateArgs.indexOf("--target") + 1));
    }

    @Test
    void everyDollarOfTheSpecIsEscapedSoTheKubeletExpandsNoVariable() {
        // The kubelet reads $(PGPASSWORD) in an argument as the password; $$ is its escape for one $.
        Job job = build(migration().verify(new VerifyQuerySpec("leak", "select reverse('$(PGPASSWORD)') = ''"),
                new VerifyQuerySpec("dollar-quoted", "select $$x$$ = 'x'")));

        List<String> args = pod(job).getContainers().get(0).getArgs();
        assertTrue(args.contains("leak=select reverse('$$(PGPASSWORD)') = ''"), args.toString());
        assertTrue(args.contains("dollar-quoted=select $$$$x$$$$ = 'x'"), args.toString());
    }

    @Test
    void theRunnerAcceptsTheArgsTheJobGivesIt(@TempDir Path dir) throws IOException {
        // Run the runner's CLI on the Job's args with no PGHOST: it gets as far as reading the connection, so the
        // command line itself parsed and validated.
        for (Container container : allContainers(build(migration().generation(3L))).toList()) {
            Path result = dir.resolve(container.getName() + ".json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = RunnerMain.execute(container.getArgs().toArray(String[]::new),
                    Map.of("DBMIGRATE_RESULT_PATH", result.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            RunnerResult reported = RunnerJson.read(Files.readString(result));
            assertEquals(ExitCode.BAD_INPUT.code(), exit, out.toString(StandardCharsets.UTF_8));
            assertEquals(container.getName().equals("backup") ? "backup" : "upgrade", reported.command());
            assertTrue(reported.message().startsWith("PGHOST is required"), reported.message());
        }
    }

    @Test
    void disabledBackupHasNoBackupContainerAndNoBackupVolume() {
        PodSpec pod = pod(build(migration().backupDisabled("scratch database, recreated nightly")));

        assertEquals(List.of(), pod.getInitContainers());
        assertEquals(List.of("migrate"), pod.getContainers().stream().map(Container::getName).toList());
        assertEquals(List.of("tmp"), pod.getVolumes().stream().map(Volume::getName).toList());
    }

    @Test
    void backupsGoToTheClaimMountedOnlyInTheBackupContainer() {
        PodSpec pod = pod(build(migration()));

        Volume backups = pod.getVolumes().stream().filter(v -> v.getName().equals("backups")).findFirst().orElseThrow();
        assertEquals("crm-backups", backups.getPersistentVolumeClaim().getClaimName());
        assertTrue(pod.getInitContainers().get(0).getVolumeMounts().stream()
                .anyMatch(m -> m.getName().equals("backups") && m.getMountPath().equals("/var/lib/dbmigrate/backups")));
        assertTrue(pod.getContainers().get(0).getVolumeMounts().stream().noneMatch(m -> m.getName().equals("backups")));
    }

    @Test
    void credentialsComeOnlyFromTheSecretWithTheConfiguredKeys() {
        Job job = build(migration().secret("crm-db-owner").secretKeys("user", "pass"));

        allContainers(job).forEach(container -> {
            Map<String, EnvVar> env = env(container);
            for (String name : List.of("PGUSER", "PGPASSWORD")) {
                EnvVar var = env.get(name);
                assertNotNull(var, name + " in " + container.getName());
                assertNull(var.getValue(), name + " has a literal value in " + container.getName());
                assertEquals("crm-db-owner", var.getValueFrom().getSecretKeyRef().getName());
            }
            assertEquals("user", env.get("PGUSER").getValueFrom().getSecretKeyRef().getKey());
            assertEquals("pass", env.get("PGPASSWORD").getValueFrom().getSecretKeyRef().getKey());
            assertTrue(container.getArgs().stream().noneMatch(arg -> arg.toLowerCase().contains("pass")), container.getArgs()
                    .toString());
        });
    }

    @Test
    void defaultKeysAreUsernameAndPassword() {
        Map<String, EnvVar> env = env(pod(build(migration())).getContainers().get(0));

        assertEquals("username", env.get("PGUSER").getValueFrom().getSecretKeyRef().getKey());
        assertEquals("password", env.get("PGPASSWORD").getValueFrom().getSecretKeyRef().getKey());
    }

    @Test
    void serializedJobHoldsNoPasswordValue() {
        String yaml = new KubernetesSerialization().asYaml(build(migration().secretKeys("user", "pass")));

        // PGPASSWORD appears only as the name of an env var read from the Secret, once per container.
        assertEquals(2, yaml.split("PGPASSWORD", -1).length - 1, yaml);
        assertFalse(yaml.matches("(?s).*name: \"?PGPASSWORD\"?\\s*\\n\\s*value:.*"), yaml);
        assertFalse(yaml.toLowerCase().contains("postgresql://"), yaml);
        assertFalse(yaml.contains("password="), yaml);
    }

    @Test
    void connectionSettingsAreLibpqVariables() {
        Map<String, EnvVar> env = env(pod(build(migration().host("10.1.2.3").port(6432).databaseName("crm_prod")
                .sslMode(SslMode.VERIFY_FULL))).getContainers().get(0));

        assertEquals("10.1.2.3", env.get("PGHOST").getValue());
        assertEquals("6432", env.get("PGPORT").getValue());
        assertEquals("crm_prod", env.get("PGDATABASE").getValue());
        assertEquals("verify-full", env.get("PGSSLMODE").getValue());
    }

    @Test
    void aSchemaTargetTellsEveryContainerItsSchema() {
        Job job = build(migration().schema("tenant_a").rehearsal(new RehearsalSpec(RehearsalSpec.RehearsalMode.Required,
                false, new DatabaseSpec("scratch-db.svc", 5432, "postgres", null,
                        new CredentialsSecretRef("scratch", null, null)))));

        assertEquals(List.of("backup", "rehearse", "migrate"), allContainers(job).map(Container::getName).toList());
        allContainers(job).forEach(container -> assertEquals("tenant_a", env(container).get("DBMIGRATE_SCHEMA")
                .getValue(), container.getName()));
        // The rehearsal server is another, its copy is migrated in the target's schema all the same.
        assertEquals("scratch-db.svc", env(pod(job).getInitContainers().get(1)).get("PGHOST").getValue());
        allContainers(build(migration())).forEach(container ->
                assertFalse(env(container).containsKey("DBMIGRATE_SCHEMA"), container.getName()));
    }

    @Test
    void podTemplateCarriesTheLabelsTheOperatorSelectsBy() {
        DatabaseMigration resource = migration().generation(3L).build();
        Job job = Resources.job(resource);

        for (Map<String, String> labels : List.of(job.getMetadata().getLabels(), job.getSpec().getTemplate().getMetadata()
                .getLabels())) {
            assertEquals("dbmigrate", labels.get("app.kubernetes.io/managed-by"));
            assertEquals("crm", labels.get("dbmigrate.io/migration"));
            assertEquals(job.getMetadata().getName(), labels.get("dbmigrate.io/job"));
            assertEquals("3", labels.get("dbmigrate.io/generation"));
        }
    }

    @Test
    void podIsNeverRestartedInPlace() {
        assertEquals("Never", pod(build(migration())).getRestartPolicy());
    }

    @Test
    void backoffLimitComesFromTheSpecWithDefault2() {
        assertEquals(2, build(migration()).getSpec().getBackoffLimit());
        assertEquals(5, build(migration().backoffLimit(5)).getSpec().getBackoffLimit());
        assertEquals(0, build(migration().backoffLimit(0)).getSpec().getBackoffLimit());
    }

    @Test
    void nonRetryableExitCodesFailTheJobAtOnce() {
        List<PodFailurePolicyRule> rules = build(migration()).getSpec().getPodFailurePolicy().getRules();

        assertEquals(1, rules.size());
        PodFailurePolicyRule rule = rules.get(0);
        assertEquals("FailJob", rule.getAction());
        assertEquals("In", rule.getOnExitCodes().getOperator());
        Set<Integer> expected = Arrays.stream(ExitCode.values())
                .filter(code -> code != ExitCode.OK && !code.retryable()).map(ExitCode::code).collect(Collectors.toSet());
        assertEquals(Set.of(2, 4, 5, 10, 11, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30), expected,
                "the runner's contract: bad input, auth, database not found, backup, migration, lock timeout (the runner retried already), "
                        + "verification, downgrade not allowed, plan outdated, rehearsal failed, outside the window (held for "
                        + "the next one, not retried now), baseline refused, backup outdated, database mismatch");
        assertEquals(expected, Set.copyOf(rule.getOnExitCodes().getValues()));
        assertEquals(expected.size(), rule.getOnExitCodes().getValues().size(), "no duplicates");
        // Kubernetes refuses 0 in an In rule; retryable codes must stay retryable.
        assertFalse(rule.getOnExitCodes().getValues().contains(0));
        for (ExitCode code : List.of(ExitCode.UNEXPECTED, ExitCode.CONNECTION_FAILED, ExitCode.LOCK_NOT_ACQUIRED)) {
            assertFalse(rule.getOnExitCodes().getValues().contains(code.code()), code.name());
        }
    }

    @Test
    void podMeetsPodSecurityRestricted() {
        PodSpec pod = pod(build(migration()));

        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        allContainers(build(migration())).forEach(container -> {
            SecurityContext context = container.getSecurityContext();
            assertEquals(Boolean.FALSE, context.getAllowPrivilegeEscalation(), container.getName());
            assertEquals(List.of("ALL"), context.getCapabilities().getDrop(), container.getName());
            assertTrue(context.getCapabilities().getAdd() == null || context.getCapabilities().getAdd().isEmpty());
            assertEquals(Boolean.TRUE, context.getRunAsNonRoot(), container.getName());
            assertTrue(context.getPrivileged() == null || !context.getPrivileged(), container.getName());
        });
    }

    @Test
    void podsMountNoServiceAccountTokenWhateverTheServiceAccountSays() {
        for (Job job : List.of(build(migration()), build(migration().jobTemplate(new JobTemplateSpec("dbmigrate-job", null, null, null, null, null, null))))) {
            assertEquals(Boolean.FALSE, pod(job).getAutomountServiceAccountToken(), "the runner never calls the API");
        }
    }

    @Test
    void rootFilesystemIsReadOnlyWithAWritableTmp() {
        PodSpec pod = pod(build(migration()));

        Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
        assertNotNull(tmp.getEmptyDir());
        allContainers(build(migration())).forEach(container -> {
            assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem(), container.getName());
            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                    .findFirst().orElseThrow(() -> new AssertionError("no /tmp in " + container.getName()));
            assertEquals("tmp", mount.getName());
            assertTrue(mount.getReadOnly() == null || !mount.getReadOnly());
        });
    }

    @Test
    void runnerResultIsTheTerminationMessageWithLogsAsFallback() {
        allContainers(build(migration())).forEach(container -> {
            assertEquals("FallbackToLogsOnError", container.getTerminationMessagePolicy(), container.getName());
            assertNull(container.getTerminationMessagePath(), "the default path, /dev/termination-log, is the runner's");
        });
    }

    @Test
    void imageAndPullPolicyComeFromTheSpec() {
        allContainers(build(migration())).forEach(container -> {
            assertEquals(Resources.IMAGE, container.getImage());
            assertEquals("IfNotPresent", container.getImagePullPolicy());
        });
        allContainers(build(migration().pullPolicy(MigrationsSpec.PullPolicy.Always)))
                .forEach(container -> assertEquals("Always", container.getImagePullPolicy()));
    }

    @Test
    void jobTemplateIsCopiedIntoThePod() {
        Map<String, IntOrString> requests = new LinkedHashMap<>();
        requests.put("cpu", new IntOrString(1));
        requests.put("memory", new IntOrString("256Mi"));
        Job job = build(migration().jobTemplate(template(new ComputeResources(requests, Map.of("memory",
                new IntOrString("1Gi"))))));
        PodSpec pod = pod(job);

        assertEquals("crm-migrator", pod.getServiceAccountName());
        assertEquals(Map.of("pool", "batch"), pod.getNodeSelector());
        assertEquals(1800L, job.getSpec().getActiveDeadlineSeconds());
        Toleration first = pod.getTolerations().get(0);
        assertEquals("dedicated", first.getKey());
        assertEquals("Equal", first.getOperator());
        assertEquals("migrations", first.getValue());
        assertEquals("NoSchedule", first.getEffect());
        assertNull(first.getTolerationSeconds());
        Toleration second = pod.getTolerations().get(1);
        assertEquals("node.kubernetes.io/unreachable", second.getKey());
        assertEquals("Exists", second.getOperator());
        assertNull(second.getValue());
        assertEquals("NoExecute", second.getEffect());
        assertEquals(300L, second.getTolerationSeconds());
        allContainers(job).forEach(container -> {
            Map<String, Quantity> containerRequests = container.getResources().getRequests();
            assertEquals("1", containerRequests.get("cpu").toString(), container.getName());
            assertEquals("256Mi", containerRequests.get("memory").toString(), container.getName());
            assertEquals("1Gi", container.getResources().getLimits().get("memory").toString(), container.getName());
        });
    }

    @Test
    void templateLabelsAndAnnotationsGoOnJobAndPodButCannotTakeOverOurLabels() {
        Job job = build(migration().jobTemplate(template(null)));

        for (var metadata : List.of(job.getMetadata(), job.getSpec().getTemplate().getMetadata())) {
            assertEquals("crm", metadata.getLabels().get("team"));
            assertEquals("dbmigrate", metadata.getLabels().get("app.kubernetes.io/managed-by"),
                    "the operator's informers select by this label");
            assertEquals("false", metadata.getAnnotations().get("sidecar.istio.io/inject"));
        }
    }

    @Test
    void noTemplateLeavesKubernetesDefaults() {
        Job job = build(migration());
        PodSpec pod = pod(job);

        assertNull(pod.getServiceAccountName());
        assertNull(job.getSpec().getActiveDeadlineSeconds());
        assertTrue(pod.getTolerations() == null || pod.getTolerations().isEmpty());
        assertTrue(pod.getNodeSelector() == null || pod.getNodeSelector().isEmpty());
        allContainers(job).forEach(container -> assertTrue(container.getResources() == null
                || (container.getResources().getRequests() == null || container.getResources().getRequests().isEmpty())));
    }

    @Test
    void sameResourceSameJob() {
        assertEquals(build(migration().generation(2L)), build(migration().generation(2L)));
    }
}
