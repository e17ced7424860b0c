package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.ComputeResources;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerArguments;
import io.dbmigrate.contract.RunnerEnvironment;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.plan.StepCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the Jobs of one step from the resource alone (pure). In a step's Job the init container `backup` must
 * succeed before the kubelet starts the next one, so backup-before-upgrade is guaranteed by Kubernetes itself, not by
 * our bookkeeping; so is rehearsal-before-upgrade: with a rehearsal, the init container `rehearse` restores that
 * backup into a scratch database and upgrades the copy, and `migrate` starts only if it succeeded. A gated step's plan
 * Job has one container, `plan`, and touches nothing. A stamp Job has `backup`, then `stamp`.
 */
public final class JobFactory {
    public static final String BACKUP_CONTAINER = "backup";
    public static final String MIGRATE_CONTAINER = "migrate";
    public static final String PLAN_CONTAINER = "plan";
    public static final String REHEARSE_CONTAINER = "rehearse";
    public static final String STAMP_CONTAINER = "stamp";
    public static final String BACKUP_MOUNT = "/var/lib/dbmigrate/backups";
    public static final int RUN_AS_USER = 10001;

    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "dbmigrate";
    public static final String LABEL_MIGRATION = "dbmigrate.io/migration";
    public static final String LABEL_GENERATION = "dbmigrate.io/generation";
    public static final String LABEL_JOB = "dbmigrate.io/job";
    public static final String LABEL_STEP = "dbmigrate.io/step";
    /**
     * What opened the step's gate, on the step's Job: the Job is the record of it, because a reconcile that starts from
     * a status the informer has not caught up with yet would otherwise lose it.
     */
    public static final String ANNOTATION_OPENED_BY = "dbmigrate.io/opened-by";

    private JobFactory() {
    }

    /** The step's Job: backup (unless disabled), then upgrade. */
    public static Job build(DatabaseMigration resource, StepEntry step) {
        return build(resource, step, null);
    }

    /** The Job a {@link Decision.CreateJob} creates, carrying what opened its gate (if it has one). */
    public static Job build(DatabaseMigration resource, Decision.CreateJob create) {
        Job job = build(resource, create.step(), create.window());
        Map<String, String> annotations = new LinkedHashMap<>(job.getMetadata().getAnnotations());
        // Status believes this annotation: only the operator writes it, never spec.jobTemplate.annotations.
        annotations.remove(ANNOTATION_OPENED_BY);
        if (create.openedBy() != null) {
            annotations.put(ANNOTATION_OPENED_BY, create.openedBy());
        }
        job.getMetadata().setAnnotations(annotations);
        return job;
    }

    /**
     * The step's Job: backup (unless disabled), the rehearsal on a copy of that backup (when the step rehearses), then
     * the upgrade; within {@code window} (null: none) the upgrade starts only with the expected duration left.
     */
    public static Job build(DatabaseMigration resource, StepEntry step, Decision.WindowSlot window) {
        DatabaseMigrationSpec spec = resource.getSpec();
        long generation = MigrationPlanner.generation(resource);
        List<Volume> volumes = new ArrayList<>();
        List<Container> initContainers = new ArrayList<>();
        String label = "g" + generation + (spec.phased() ? "-" + step.name() : "");
        StepCommand command = StepCommand.of(spec, step, window);
        String migrations = spec.migrations().pathOrDefault();
        // The backup first refuses a target the scripts do not have, before any dump.
        backup(resource, label, request -> RunnerArguments.backup(request, migrations, command.target()), volumes,
                initContainers);
        RehearsalSpec rehearsal = spec.rehearsalOf(step.spec());
        if (rehearsal.required()) {
            // The same server as production unless spec.rehearsal.database names another; PGDATABASE is then only where
            // the runner connects to create and drop the scratch database.
            // The copy is migrated in spec.database's schema, wherever it is restored.
            initContainers.add(container(REHEARSE_CONTAINER, spec, rehearsal.database() == null ? spec.database()
                    : rehearsal.database().withSchema(spec.database().schema()), command.rehearseArguments(migrations, BACKUP_MOUNT,
                    resource.getMetadata().getName(), label, rehearsal), true));
        }
        Container migrate = container(MIGRATE_CONTAINER, spec, command.upgradeArguments(migrations), false);
        return job(resource, step.name(), step.jobName(), volumes, initContainers, migrate);
    }

    /**
     * A stamp's Job: backup (unless disabled), then {@code stamp}; {@code --adopt} for spec.baseline. Labelled with the
     * first step, whose Jobs it never runs beside.
     */
    public static Job buildStamp(DatabaseMigration resource, Decision.StampRun run) {
        DatabaseMigrationSpec spec = resource.getSpec();
        List<Volume> volumes = new ArrayList<>();
        List<Container> initContainers = new ArrayList<>();
        boolean baseline = run.kind() == Decision.StampRun.Kind.Baseline;
        backup(resource, baseline ? "baseline" : "stamp", RunnerArguments::backup, volumes, initContainers);
        Container stamp = container(STAMP_CONTAINER, spec, RunnerArguments.stamp(spec.migrations().pathOrDefault(),
                new StampRequest(null, run.revision(), baseline)), false);
        return job(resource, spec.stepsOrSingle().get(0).name(), run.jobName(), volumes, initContainers, stamp);
    }

    // The backup init container and its volume, unless backups are disabled; every Job volume list starts with /tmp.
    private static void backup(DatabaseMigration resource, String label,
                                                          Function<BackupRequest, List<String>> arguments, List<Volume> volumes,
                                                          List<Container> initContainers) {
        DatabaseMigrationSpec spec = resource.getSpec();
        BackupSpec backup = spec.backupOrDefault();
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        if (backup.modeOrDefault() == BackupSpec.BackupMode.Required) {
            volumes.add(new VolumeBuilder().withName("backups").withNewPersistentVolumeClaim()
                    .withClaimName(backup.volume().persistentVolumeClaim().claimName()).endPersistentVolumeClaim().build());
            initContainers.add(container(BACKUP_CONTAINER, spec, arguments.apply(new BackupRequest(Path.of(BACKUP_MOUNT),
                    resource.getMetadata().getName(), label, backup.retainOrDefault(), backup.runnerCompression())),
                    true));
        }
    }

    /** The plan Job of a gated step: reads the database's revision and Alembic's offline SQL, changes nothing. */
    public static Job buildPlan(DatabaseMigration resource, StepEntry step) {
        DatabaseMigrationSpec spec = resource.getSpec();
        List<Volume> volumes = List.of(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
        Container plan = container(PLAN_CONTAINER, spec,
                StepCommand.of(spec, step.spec()).planArguments(spec.migrations().pathOrDefault()), false);
        return job(resource, step.name(), step.planJobName(), volumes, List.of(), plan);
    }

    private static Job job(DatabaseMigration resource, String step, String name, List<Volume> volumes,
                                                  List<Container> initContainers, Container main) {
        DatabaseMigrationSpec spec = resource.getSpec();
        JobTemplateSpec template = spec.jobTemplateOrDefault();
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.labels() != null) {
            labels.putAll(template.labels());
        }
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        labels.put(LABEL_MIGRATION, resource.getMetadata().getName());
        labels.put(LABEL_GENERATION, Long.toString(MigrationPlanner.generation(resource)));
        labels.put(LABEL_STEP, step);
        labels.put(LABEL_JOB, name);
        Map<String, String> annotations = template.annotations() == null ? Map.of() : template.annotations();

        return new JobBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(controllerReference(resource))
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(spec.backoffLimitOrDefault())
                    .withActiveDeadlineSeconds(template.activeDeadlineSeconds())
                    .withNewPodFailurePolicy()
                        // A retry cannot fix bad input or a failing revision: fail the Job at once instead of re-running them.
                        .withRules(new PodFailurePolicyRuleBuilder()
                                .withAction("FailJob")
                                .withNewOnExitCodes().withOperator("In").withValues(nonRetryableExitCodes()).endOnExitCodes()
                                .build())
                    .endPodFailurePolicy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(template.serviceAccountName())
                            // The runner has no Kubernetes client: a token in the pod could only be misused.
                            .withAutomountServiceAccountToken(false)
                            .withNodeSelector(template.nodeSelector())
                            .withTolerations(tolerations(template))
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser((long) RUN_AS_USER)
                                .withRunAsGroup((long) RUN_AS_USER)
                                .withFsGroup((long) RUN_AS_USER)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withVolumes(volumes)
                            .withInitContainers(initContainers)
                            .withContainers(main)
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** What makes the resource the controller of what it creates: the Job informer maps owned objects back by it. */
    static OwnerReference controllerReference(DatabaseMigration resource) {
        return new OwnerReferenceBuilder()
                .withApiVersion(resource.getApiVersion())
                .withKind(resource.getKind())
                .withName(resource.getMetadata().getName())
                .withUid(resource.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static Container container(String name, DatabaseMigrationSpec spec, List<String> args, boolean mountsBackups) {
        return container(name, spec, spec.database(), args, mountsBackups);
    }

    private static Container container(String name, DatabaseMigrationSpec spec, DatabaseSpec database, List<String> args,
                                                                          boolean mountsBackups) {
        MigrationsSpec migrations = spec.migrations();
        List<VolumeMount> mounts = new ArrayList<>();
        // The root filesystem is read-only; Python and pg_dump still want a writable /tmp.
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        if (mountsBackups) {
            mounts.add(new VolumeMountBuilder().withName("backups").withMountPath(BACKUP_MOUNT).build());
        }
        return new ContainerBuilder()
                .withName(name)
                .withImage(migrations.image())
                .withImagePullPolicy(migrations.imagePullPolicy() == null ? "IfNotPresent" : migrations.imagePullPolicy().name())
                .withArgs(args.stream().map(JobFactory::literal).toList())
                .withEnv(environment(database))
                .withVolumeMounts(mounts)
                .withResources(resources(spec.jobTemplateOrDefault().resources()))
                // The runner's JSON result is the termination message; logs stand in when it died before writing one.
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
    }

    // libpq's own variables: pg_dump, psql and psycopg2 read them as they are; the password only ever by secretKeyRef.
    // A schema target adds DBMIGRATE_SCHEMA, which the runner and env.py read.
    static List<EnvVar> environment(DatabaseSpec database) {
        CredentialsSecretRef credentials = database.credentialsSecret();
        List<EnvVar> libpq = List.of(
                variable(RunnerEnvironment.HOST, literal(database.host())),
                variable(RunnerEnvironment.PORT, Integer.toString(database.portOrDefault())),
                variable(RunnerEnvironment.DATABASE, literal(database.name())),
                variable(RunnerEnvironment.SSL_MODE, database.sslModeOrDefault().libpqName()),
                fromSecret(RunnerEnvironment.USER, credentials.name(), credentials.usernameKeyOrDefault()),
                fromSecret(RunnerEnvironment.PASSWORD, credentials.name(), credentials.passwordKeyOrDefault()),
                variable(RunnerEnvironment.PYTHON_DONT_WRITE_BYTECODE, "1"));
        if (database.schema() == null) {
            return libpq;
        }
        List<EnvVar> withSchema = new ArrayList<>(libpq);
        withSchema.add(variable(RunnerEnvironment.SCHEMA, database.schema()));
        return List.copyOf(withSchema);
    }

    private static EnvVar variable(RunnerEnvironment variable, String value) {
        return new EnvVarBuilder().withName(variable.variable()).withValue(value).build();
    }

    private static EnvVar fromSecret(RunnerEnvironment variable, String secret, String key) {
        return new EnvVarBuilder().withName(variable.variable()).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(key).endSecretKeyRef().endValueFrom().build();
    }

    /**
     * The kubelet expands {@code $(VAR)} in args and env values: {@code select '$(PGPASSWORD)'} in a verify query
     * would read the password. Each {@code $} written {@code $$} reaches the runner as the one {@code $} the spec says.
     */
    static String literal(String value) {
        return value.replace("$", "$$");
    }

    private static ResourceRequirements resources(ComputeResources resources) {
        if (resources == null) {
            return null;
        }
        ResourceRequirements requirements = new ResourceRequirements();
        requirements.setRequests(quantities(resources.requests()));
        requirements.setLimits(quantities(resources.limits()));
        return requirements;
    }

    private static Map<String, Quantity> quantities(Map<String, io.fabric8.kubernetes.api.model.IntOrString> values) {
        if (values == null) {
            return null;
        }
        return values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new Quantity(e.getValue().getStrVal() != null ? e.getValue().getStrVal() : e.getValue().getIntVal().toString()),
                (a, b) -> b, LinkedHashMap::new));
    }

    private static List<Toleration> tolerations(JobTemplateSpec template) {
        if (template.tolerations() == null) {
            return null;
        }
        return template.tolerations().stream()
                .map(t -> new Toleration(t.effect(), t.key(), t.operator(), t.tolerationSeconds(), t.value()))
                .toList();
    }

    static List<Integer> nonRetryableExitCodes() {
        return Arrays.stream(ExitCode.values()).filter(code -> code != ExitCode.OK && !code.retryable())
                .map(ExitCode::code).toList();
    }
}
