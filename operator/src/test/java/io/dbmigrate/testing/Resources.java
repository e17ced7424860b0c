package io.dbmigrate.testing;

import io.dbmigrate.api.v1alpha1.ApprovalGate;
import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupVolume;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.DeploymentRolloutGate;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.decide.StepLedger;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.RolloutObservation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.operator.JobFactory;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures built from plain objects: a valid DatabaseMigration (the one of examples/crm) that each test bends
 * field by field, what the runner reports, and Jobs as the planner sees them.
 */
public final class Resources {
    public static final String NAMESPACE = "crm";
    public static final String NAME = "crm";
    public static final String UID = "0b6f3c2e-8a1d-4c59-9f0e-3d2a7b1c5e44";
    public static final String SECRET = "crm-db";
    public static final String CLAIM = "crm-backups";
    public static final String IMAGE = "registry.example.com/crm-migrations:1.0.0";
    public static final Instant T0 = Instant.parse("2024-05-06T07:08:09Z");
    /** When an observation is made unless a test says otherwise: before any maintenance window is looked at. */
    public static final Instant OBSERVED_AT = Instant.parse("2026-01-01T00:00:00Z");
    public static final String SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private Resources() {
    }

    public static Migration migration() {
        return new Migration();
    }

    /** A DatabaseMigration under construction; every field starts valid. */
    public static final class Migration {
        private String name = NAME;
        private String namespace = NAMESPACE;
        private String uid = UID;
        private Long generation = 1L;
        private boolean hasDatabase = true;
        private String host = "crm-db.crm.svc";
        private Integer port = 5432;
        private String databaseName = "crm";
        private String schema;
        private SslMode sslMode = SslMode.PREFER;
        private boolean hasCredentials = true;
        private String secretName = SECRET;
        private String usernameKey;
        private String passwordKey;
        private boolean hasMigrations = true;
        private String image = IMAGE;
        private String path = "/migrations";
        private MigrationsSpec.PullPolicy pullPolicy;
        private String targetRevision = "head";
        private BackupSpec backup = new BackupSpec(BackupSpec.BackupMode.Required, null, volume(CLAIM), 5, null);
        private Integer backoffLimit;
        private Boolean suspend;
        private JobTemplateSpec jobTemplate;
        private List<StepSpec> steps;
        private SafetySpec safety;
        private List<VerifyQuerySpec> verify;
        private OnFailure onFailure;
        private Boolean allowDowngrade;
        private Map<String, String> annotations;
        private DatabaseMigrationStatus status;
        private boolean hasSpec = true;
        private RehearsalSpec rehearsal;
        private String baseline;
        private Integer historyLimit;

        public Migration rehearsal(RehearsalSpec value) {
            rehearsal = value;
            return this;
        }

        public Migration baseline(String value) {
            baseline = value;
            return this;
        }

        public Migration historyLimit(Integer value) {
            historyLimit = value;
            return this;
        }

        public Migration name(String value) {
            name = value;
            return this;
        }

        public Migration namespace(String value) {
            namespace = value;
            return this;
        }

        public Migration uid(String value) {
            uid = value;
            return this;
        }

        public Migration generation(Long value) {
            generation = value;
            return this;
        }

        public Migration withoutSpec() {
            hasSpec = false;
            return this;
        }

        public Migration withoutDatabase() {
            hasDatabase = false;
            return this;
        }

        public Migration host(String value) {
            host = value;
            return this;
        }

        public Migration port(Integer value) {
            port = value;
            return this;
        }

        public Migration databaseName(String value) {
            databaseName = value;
            return this;
        }

        public Migration schema(String value) {
            schema = value;
            return this;
        }

        public Migration sslMode(SslMode value) {
            sslMode = value;
            return this;
        }

        public Migration withoutCredentialsSecret() {
            hasCredentials = false;
            return this;
        }

        public Migration secret(String value) {
            secretName = value;
            return this;
        }

        public Migration secretKeys(String username, String password) {
            usernameKey = username;
            passwordKey = password;
            return this;
        }

        public Migration withoutMigrations() {
            hasMigrations = false;
            return this;
        }

        public Migration image(String value) {
            image = value;
            return this;
        }

        public Migration path(String value) {
            path = value;
            return this;
        }

        public Migration pullPolicy(MigrationsSpec.PullPolicy value) {
            pullPolicy = value;
            return this;
        }

        public Migration targetRevision(String value) {
            targetRevision = value;
            return this;
        }

        public Migration backup(BackupSpec value) {
            backup = value;
            return this;
        }

        public Migration backupDisabled(String reason) {
            backup = new BackupSpec(BackupSpec.BackupMode.Disabled, reason, null, null, null);
            return this;
        }

        public Migration backoffLimit(Integer value) {
            backoffLimit = value;
            return this;
        }

        public Migration suspend(Boolean value) {
            suspend = value;
            return this;
        }

        public Migration jobTemplate(JobTemplateSpec value) {
            jobTemplate = value;
            return this;
        }

        /** Phased: these steps instead of targetRevision. */
        public Migration steps(StepSpec... value) {
            steps = List.of(value);
            targetRevision = null;
            return this;
        }

        public Migration safety(SafetySpec value) {
            safety = value;
            return this;
        }

        public Migration verify(VerifyQuerySpec... value) {
            verify = List.of(value);
            return this;
        }

        public Migration onFailure(OnFailure value) {
            onFailure = value;
            return this;
        }

        public Migration allowDowngrade(Boolean value) {
            allowDowngrade = value;
            return this;
        }

        public Migration annotation(String key, String value) {
            annotations = annotations == null ? new java.util.HashMap<>() : annotations;
            annotations.put(key, value);
            return this;
        }

        public Migration status(DatabaseMigrationStatus value) {
            status = value;
            return this;
        }

        public DatabaseSpec database() {
            CredentialsSecretRef credentials = hasCredentials ? new CredentialsSecretRef(secretName, usernameKey, passwordKey) : null;
            return hasDatabase ? new DatabaseSpec(host, port, databaseName, sslMode, credentials, schema)
                    : null;
        }

        public DatabaseMigrationSpec spec() {
            if (!hasSpec) {
                return null;
            }
            MigrationsSpec migrations = hasMigrations ? new MigrationsSpec(image, path, pullPolicy) : null;
            return new DatabaseMigrationSpec(database(), migrations, targetRevision, steps, backup, backoffLimit, suspend,
                    safety, verify, onFailure, allowDowngrade, jobTemplate, rehearsal, baseline, historyLimit);
        }

        public DatabaseMigration build() {
            DatabaseMigration resource = new DatabaseMigration();
            ObjectMeta metadata = new ObjectMeta();
            metadata.setName(name);
            metadata.setNamespace(namespace);
            metadata.setUid(uid);
            metadata.setGeneration(generation);
            metadata.setAnnotations(annotations);
            resource.setMetadata(metadata);
            resource.setSpec(spec());
            resource.setStatus(status);
            return resource;
        }
    }

    public static BackupVolume volume(String claimName) {
        return new BackupVolume(new BackupVolume.ClaimRef(claimName));
    }

    // What the runner reports, as its JSON termination message would carry it.

    public static String backupFile(String label) {
        return "/var/lib/dbmigrate/backups/crm_" + label + "_20240506T070809Z.dump";
    }

    public static RunnerResult backupSucceeded(String file, String revision) {
        BackupResult backup = new BackupResult(file, file + ".json", 48_213L, SHA256, revision, true, T0,
                T0.plusMillis(4_700), List.of());
        return RunnerResult.of("backup", ExitCode.OK, "backup of database 'crm' at revision " + revision + " written to "
                + file + " (48213 bytes, verified)").withBackup(backup);
    }

    public static RunnerResult upgradeSucceeded(String from, String to, String... applied) {
        UpgradeResult upgrade = upgradeResult("head", from, to, List.of(applied), null, T0.plusSeconds(5),
                T0.plusSeconds(9));
        return RunnerResult.of("upgrade", ExitCode.OK, "database 'crm' upgraded from " + from + " to " + to)
                .withUpgrade(upgrade);
    }

    /** Alembic raised in {@code failedRevision}; the database stayed at {@code at}. */
    public static RunnerResult upgradeFailed(String from, String at, String failedRevision, String error) {
        UpgradeResult upgrade = upgradeResult("head", from, at, List.of(), failedRevision, T0.plusSeconds(5),
                T0.plusSeconds(6));
        return RunnerResult.of("upgrade", ExitCode.MIGRATION_FAILED, error).withUpgrade(upgrade);
    }

    public static RunnerResult failed(String command, ExitCode code, String message) {
        return RunnerResult.of(command, code, message);
    }

    public static ContainerOutcome ok(RunnerResult result) {
        return ContainerOutcome.of(result);
    }

    public static Attempt attempt(ContainerOutcome backup, ContainerOutcome migrate) {
        return new Attempt(backup, migrate);
    }

    /** An attempt whose backup is verified and whose migrate container is still running. */
    public static Attempt backedUp(String label, String revision) {
        return attempt(ok(backupSucceeded(backupFile(label), revision)), ContainerOutcome.running());
    }

    // Jobs as the planner sees them.

    public static JobObservation activeJob(String name, Attempt... attempts) {
        return new JobObservation(name, JobObservation.State.Active, List.of(attempts), null, null, null);
    }

    public static JobObservation succeededJob(String name, Attempt... attempts) {
        return new JobObservation(name, JobObservation.State.Succeeded, List.of(attempts), null, null, null);
    }

    public static JobObservation failedJob(String name, String reason, String message, Attempt... attempts) {
        return new JobObservation(name, JobObservation.State.Failed, List.of(attempts), reason, message, null);
    }

    // Steps, gates and plans.

    public static StepSpec step(String name, String targetRevision) {
        return new StepSpec(name, targetRevision, null, null, null);
    }

    /** A step behind an approval; {@code approvedInSpec} is gate.approval.approved. */
    public static StepSpec approvalStep(String name, String targetRevision, Boolean approvedInSpec) {
        return new StepSpec(name, targetRevision, new GateSpec(new ApprovalGate(approvedInSpec, null), null, null), null,
                null);
    }

    /** A step behind the rollout of a Deployment. */
    public static StepSpec rolloutStep(String name, String targetRevision, String deployment) {
        return new StepSpec(name, targetRevision, new GateSpec(null, new DeploymentRolloutGate(deployment), null), null,
                null);
    }

    /** What status records of a step; the other fields stay null. */
    public static StepStatus stepStatus(String name, String targetRevision, Phase phase, Long generation, String job,
                                                                            String fingerprint, PlanStatus plan) {
        return new StepStatus(name, targetRevision, phase, job, generation, fingerprint, null, plan, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    /** A status of {@code observedGeneration} with these steps. */
    public static DatabaseMigrationStatus statusWithSteps(long observedGeneration, Phase phase, StepStatus... steps) {
        return new DatabaseMigrationStatus(observedGeneration, phase, "c3d4", null, null, List.of(steps), null, "done", null,
                null, 0, List.of(), null, null, null);
    }

    /** A plan the runner's `plan` command reports: upgrade from {@code from} through {@code pending}, with this SQL. */
    public static PlanResult plan(String target, String from, List<String> pending, String sql) {
        return new PlanResult(target, from, "upgrade", pending, CompressedSql.encode(sql),
                (long) sql.getBytes(StandardCharsets.UTF_8).length, true, null);
    }

    public static RunnerResult planned(PlanResult plan) {
        return RunnerResult.of("plan", ExitCode.OK, "plan made").withPlan(plan);
    }

    /** A plan Job that succeeded with this plan. */
    public static JobObservation planJob(String name, PlanResult plan) {
        return succeededJob(name, attempt(null, ok(planned(plan))));
    }

    /** An upgrade that ran Alembic once, with no verification and no automatic downgrade. */
    public static UpgradeResult upgradeResult(String target, String from, String to, List<String> applied,
                                                                                        String failedRevision, Instant startedAt, Instant finishedAt) {
        return new UpgradeResult(target, from, to, applied, failedRevision, startedAt, finishedAt, UpgradeResult.UPGRADE,
                1, List.of(), null, null, null);
    }

    /** Observe several Jobs and the Deployments the gates name. */
    public static Observation observe(DatabaseMigration resource, List<JobObservation> jobs,
                                                                        RolloutObservation... rollouts) {
        Map<String, JobObservation> byName = new java.util.HashMap<>();
        jobs.forEach(job -> byName.put(job.name(), job));
        Map<String, RolloutObservation> byDeployment = new java.util.HashMap<>();
        for (RolloutObservation rollout : rollouts) {
            byDeployment.put(rollout.name(), rollout);
        }
        return new Observation(resource, SecretObservation.PRESENT, byName, byDeployment, OBSERVED_AT);
    }

    /** The steps the planner would read from this observation. */
    public static StepEntry entry(Observation observation, int index) {
        return StepLedger.read(observation).get(index);
    }

    public static Observation observe(DatabaseMigration resource) {
        return observe(resource, SecretObservation.PRESENT);
    }

    /** A resource whose one Job is observed (or null when there is none). */
    public static Observation observe(DatabaseMigration resource, JobObservation job) {
        return new Observation(resource, SecretObservation.PRESENT, job == null ? Map.of() : Map.of(job.name(), job),
                Map.of(), OBSERVED_AT);
    }

    public static Observation observe(DatabaseMigration resource, SecretObservation secret) {
        return new Observation(resource, secret, Map.of(), Map.of(), OBSERVED_AT);
    }

    /** The Job of a resource without steps, as the planner would have it built. */
    public static Job job(DatabaseMigration resource) {
        return JobFactory.build(resource, entry(observe(resource), 0));
    }

    public static StatusCondition condition(DatabaseMigrationStatus status, String type) {
        return status.conditionsOrEmpty().stream().filter(c -> type.equals(c.type())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + status));
    }
}
