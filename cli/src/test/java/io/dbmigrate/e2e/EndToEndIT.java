package io.dbmigrate.e2e;

import static io.dbmigrate.e2e.Scenario.CLAIM;
import static io.dbmigrate.e2e.Scenario.TIMEOUT;
import static io.dbmigrate.e2e.Scenario.assertStaysTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.operator.runtime.OperatorHttpServer;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.MetricsScrape;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.SpecEdits;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.dbmigrate.testing.rbac.AuditedCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * The operator end to end: the fabric8 CRUD mock (or the API server of DBMIGRATE_TEST_KUBECONFIG), the test kubelet
 * running the Jobs' pods (in Docker when scripts/test.sh built the images, else as local processes), a real
 * PostgreSQL, real pg_dump/pg_restore and real Alembic. Each scenario asserts on the database itself and on the
 * resource's status.
 */
class EndToEndIT {
    private static final String CRM_IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    private static final String BROKEN_IMAGE = PodImages.project("registry.example.com/crm-migrations:1.1.0-broken");
    // The end of the seed's chain in examples/crm. Named, not `head`: the example goes on in two branches
    // (expand, contract), and Alembic refuses `head` once there are two heads.
    private static final String HEAD = "vwx234yz567";
    private static final String BROKEN_REVISION = "zzz000broken";

    // The operator has a client of its own, so that only its requests are checked against the chart's RBAC.
    @RegisterExtension
    static final AuditedCluster CLUSTER = AuditedCluster.of(() -> {
        Path crm = TestCluster.repoRoot().resolve("examples/crm");
        return Map.of(CRM_IMAGE, PodImages.folders(CRM_IMAGE, crm),
                BROKEN_IMAGE, PodImages.folders(BROKEN_IMAGE, brokenProject(crm)));
    });
    private OperatorRuntime operator;
    private OperatorHttpServer endpoints;

    @AfterEach
    void stopOperator() {
        if (endpoints != null) {
            endpoints.close();
            endpoints = null;
        }
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    @Test
    void freshDatabaseIsBackedUpThenUpgradedToHead() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_fresh")) {
            String ns = namespaceWithOperator("e2e-fresh", db);

            create(migration(ns, db, CRM_IMAGE, HEAD));
            DatabaseMigration done = awaitPhase(ns, Phase.Succeeded, 1);

            assertEquals(List.of(HEAD), db.alembicVersion());
            DatabaseMigrationStatus status = done.getStatus();
            assertEquals(done.getMetadata().getGeneration(), status.observedGeneration());
            assertEquals(HEAD, status.currentRevision());
            assertCondition(status, StatusCondition.READY, "True", "Succeeded");
            assertCondition(status, StatusCondition.STALLED, "False", null);
            assertEquals(8, status.lastMigration().appliedRevisions().size());
            assertEquals("base", status.lastMigration().fromRevision());

            // The dump is on the volume, is what status says it is, and restores in full.
            assertEquals("base", status.lastBackup().revision());
            assertTrue(status.lastBackup().verified());
            Path dump = onVolume(ns, status.lastBackup().file());
            assertEquals(status.lastBackup().sha256(), sha256(dump));
            assertEquals(status.lastBackup().sizeBytes(), Files.size(dump));
            Process restore = new ProcessBuilder("pg_restore", "-f", "/dev/null", dump.toString()).inheritIO().start();
            assertEquals(0, restore.waitFor());

            assertEquals(1, jobs(ns).size());
            awaitEvents(ns, "JobCreated", "BackupVerified", "Succeeded");
            assertFalse(events(ns).stream().anyMatch(e -> e.getMessage().contains(db.password())), "a password in an Event");
            assertMetricsOfOneSuccessfulRun(status);

            // A finished generation whose Job is deleted is not run again.
            cluster().client().batch().v1().jobs().inNamespace(ns).withName(status.job()).delete();
            Await.until(TIMEOUT, () -> jobs(ns).isEmpty(), () -> "the Job to be deleted");
            assertStaysTrue(Duration.ofSeconds(3), () -> jobs(ns).isEmpty(), "no Job is created again for generation 1");
            assertEquals(1, dumps(ns).size());
        }
    }

    @Test
    void editingTheTargetRunsANewGenerationWithItsOwnBackup() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_edit")) {
            String ns = namespaceWithOperator("e2e-edit", db);

            create(migration(ns, db, CRM_IMAGE, "mno345pqr678"));
            DatabaseMigration first = awaitPhase(ns, Phase.Succeeded, 1);
            assertEquals(List.of("mno345pqr678"), db.alembicVersion());
            assertEquals("mno345pqr678", first.getStatus().currentRevision());

            editSpec(ns, CRM_IMAGE, HEAD);

            DatabaseMigration second = awaitPhase(ns, Phase.Succeeded, 2);
            assertEquals(List.of(HEAD), db.alembicVersion());
            DatabaseMigrationStatus status = second.getStatus();
            assertEquals(2L, status.observedGeneration());
            assertEquals(HEAD, status.currentRevision());
            assertEquals("mno345pqr678", status.lastBackup().revision(), "generation 2 took its own backup first");
            assertEquals("mno345pqr678", status.lastMigration().fromRevision());
            assertEquals(List.of("stu901vwx234", HEAD), status.lastMigration().appliedRevisions());
            assertNotEquals(first.getStatus().job(), status.job());
            assertEquals(2, jobs(ns).size());
            assertEquals(2, dumps(ns).size());
        }
    }

    @Test
    void specEditedWhileAJobRunsStartsNoSecondJobUntilTheFirstHasEnded() throws Exception {
        TestKubelet kubelet = cluster().kubelet();
        try (TestDatabase db = TestDatabase.create("e2e_one_job")) {
            String ns = namespaceWithSecret("e2e-one-job", db);
            String first;
            kubelet.hold();
            try {
                first = startOperatorOnCrm(ns, db, "mno345pqr678");

                // Edited while generation 1's Job has not ended: generation 2 waits for it.
                editSpec(ns, CRM_IMAGE, HEAD);
                Await.until(TIMEOUT, () -> hasCondition(statusOf(ns), StatusCondition.RECONCILING, "True",
                        "WaitingForPreviousJob"), () -> "WaitingForPreviousJob, status " + statusOf(ns));
                assertEquals(2L, statusOf(ns).observedGeneration());
                assertTrue(statusOf(ns).message().contains(first), statusOf(ns).message());
                assertStaysTrue(Duration.ofSeconds(3), () -> jobs(ns).size() == 1, "no second Job beside the first");
            } finally {
                kubelet.release();
            }

            DatabaseMigration done = awaitPhase(ns, Phase.Succeeded, 2);
            assertEquals(List.of(HEAD), db.alembicVersion());
            DatabaseMigrationStatus status = done.getStatus();
            assertEquals("mno345pqr678", status.lastBackup().revision(), "generation 2 backed up after generation 1 ended");
            assertEquals("mno345pqr678", status.lastMigration().fromRevision());
            assertEquals(2, jobs(ns).size());
            assertEquals(2, dumps(ns).size());
            assertTrue(kubelet.podsRun().stream().filter(pod -> pod.startsWith(ns + "/")).findFirst().orElseThrow()
                    .startsWith(ns + "/" + first), "generation 1's pod ran first: " + kubelet.podsRun());
        }
    }

    @Test
    void failedBackupStopsAnUpgradeThatWouldHaveWorked() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_backup_fails")) {
            // A user who may create tables (so Alembic would succeed) but cannot read one table (so pg_dump fails).
            String role = "e2e_limited_" + ProcessHandle.current().pid();
            String password = "limited-" + System.nanoTime();
            db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
            try {
                db.execute("GRANT ALL ON DATABASE " + db.name() + " TO " + role);
                db.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + role);
                db.execute("CREATE TABLE private_notes (id int)");
                String ns = cluster().newNamespace("e2e-backup");
                createSecret(ns, role, password);
                startOperator(ns);

                create(migration(ns, db, CRM_IMAGE, HEAD));
                DatabaseMigration failed = awaitPhase(ns, Phase.Failed, 1);

                assertEquals(List.of(), db.alembicVersion(), "no upgrade ran");
                assertEquals(0L, db.queryLong("select count(*) from pg_tables where tablename = 'customers'"));
                DatabaseMigrationStatus status = failed.getStatus();
                assertCondition(status, StatusCondition.STALLED, "True", "BackupFailed");
                assertCondition(status, StatusCondition.READY, "False", "BackupFailed");
                assertTrue(status.message().contains("permission denied"), status.message());
                assertNull(status.lastMigration(), "the migrate container never ran");
                assertNull(status.lastBackup());
                assertEquals(List.of(), dumps(ns), "no partial dump left behind");
                assertEquals(1, cluster().kubelet().podsRun().stream().filter(pod -> pod.startsWith(ns + "/")).count(),
                        "a failed backup is not retried");
            } finally {
                db.execute("DROP OWNED BY " + role);
                db.execute("DROP ROLE " + role);
            }
        }
    }

    @Test
    void wrongPasswordFailsTheBackupWithoutRetries() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_wrong_password")) {
            String ns = cluster().newNamespace("e2e-password");
            createSecret(ns, db.user(), "not-the-password");
            startOperator(ns);

            create(migration(ns, db, CRM_IMAGE, HEAD));
            DatabaseMigration failed = awaitPhase(ns, Phase.Failed, 1);

            assertEquals(List.of(), db.alembicVersion(), "no upgrade ran");
            DatabaseMigrationStatus status = failed.getStatus();
            assertCondition(status, StatusCondition.STALLED, "True", "AuthenticationFailed");
            assertCondition(status, StatusCondition.READY, "False", "AuthenticationFailed");
            assertTrue(status.message().toLowerCase().contains("authentication"), status.message());
            assertNull(status.lastMigration(), "the migrate container never ran");
            assertNull(status.lastBackup());
            assertEquals(List.of(), dumps(ns));
            assertEquals(1, cluster().kubelet().podsRun().stream().filter(pod -> pod.startsWith(ns + "/")).count(),
                    "a wrong password is not retried");
            assertFalse(status.message().contains("not-the-password"));
        }
    }

    @Test
    void raisingRevisionIsRolledBackAndNamedInStatus() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_raises")) {
            String ns = namespaceWithOperator("e2e-raises", db);
            create(migration(ns, db, CRM_IMAGE, HEAD));
            awaitPhase(ns, Phase.Succeeded, 1);

            // A new release of the migrations image brings a revision that raises half-way.
            editSpec(ns, BROKEN_IMAGE, BROKEN_REVISION);

            DatabaseMigration failed = awaitPhase(ns, Phase.Failed, 2);
            DatabaseMigrationStatus status = failed.getStatus();
            assertEquals(List.of(HEAD), db.alembicVersion(), "alembic_version unchanged");
            assertEquals(0L, db.queryLong("select count(*) from pg_tables where tablename = 'half_done'"),
                    "the failing revision's table was rolled back");
            assertEquals(HEAD, status.currentRevision());
            assertEquals(BROKEN_REVISION, status.lastMigration().failedRevision());
            assertCondition(status, StatusCondition.STALLED, "True", "MigrationFailed");
            assertTrue(status.message().contains(BROKEN_REVISION), status.message());
            assertTrue(status.message().contains("boom"), status.message());
            assertEquals(HEAD, status.lastBackup().revision(), "generation 2 was backed up before it failed");
            assertEquals(1, status.failedAttempts());
            Job job = cluster().client().batch().v1().jobs().inNamespace(ns).withName(status.job()).get();
            assertEquals(1, job.getStatus().getFailed(), "a raising revision is not retried");
        }
    }

    @Test
    void verifySqlReachesTheRunnerAsWrittenWithNoVariableExpanded() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_dollar")) {
            String ns = namespaceWithOperator("e2e-dollar", db);
            DatabaseMigration migration = migration(ns, db, CRM_IMAGE, HEAD);
            DatabaseMigrationSpec spec = migration.getSpec();
            // Kubernetes expands $(PGPASSWORD) in container args: a transformed password would pass any redaction.
            migration.setSpec(new DatabaseMigrationSpec(spec.database(), spec.migrations(), HEAD, null, spec.backup(),
                    spec.backoffLimit(), null, null, List.of(new VerifyQuerySpec("dollar-quoted", "select $$x$$ = 'x'"),
                    new VerifyQuerySpec("reversed", "select reverse('$(PGPASSWORD)')")), null, null, spec.jobTemplate(),
                    null, null, null));
            create(migration);

            DatabaseMigration failed = awaitPhase(ns, Phase.Failed, 1);

            DatabaseMigrationStatus status = failed.getStatus();
            assertCondition(status, StatusCondition.STALLED, "True", "VerificationFailed");
            assertEquals(List.of("dollar-quoted"), status.lastMigration().verifiedQueries(), "the dollar quotes held");
            assertEquals("reversed", status.lastMigration().failedVerification());
            assertTrue(status.message().contains("')DROWSSAPGP($'"), "the SQL ran as written: " + status.message());
            String reversed = new StringBuilder(db.password()).reverse().toString();
            awaitEvents(ns, "VerificationFailed");
            List<String> seen = new java.util.ArrayList<>(List.of(new KubernetesSerialization().asJson(resource(ns))));
            events(ns).forEach(e -> seen.add(e.getMessage()));
            Path logs = cluster().kubelet().logFile(ns, "pod", "container").getParent().getParent();
            try (Stream<Path> files = Files.walk(logs)) {
                for (Path log : files.filter(Files::isRegularFile).toList()) {
                    seen.add(Files.readString(log));
                }
            }
            assertTrue(seen.size() > 3, "status, Events and the pod's logs: " + seen.size());
            for (String text : seen) {
                assertFalse(text.contains(reversed) || text.contains(db.password()), "the password, reversed: " + text);
            }
        }
    }

    @Test
    void operatorRestartedWhileItsJobRunsFindsItAndFinishes() throws Throwable {
        try (TestDatabase db = TestDatabase.create("e2e_restart")) {
            String ns = namespaceWithSecret("e2e-restart", db);
            whileCrmsJobIsHeld(ns, db, jobName -> {
                operator.close();

                // A new operator instance, while the Job has not finished: it must adopt it, not add a second one.
                startOperator(ns);
                assertStaysTrue(Duration.ofSeconds(3), () -> jobs(ns).size() == 1, "exactly one Job");
            });
            DatabaseMigration done = awaitPhase(ns, Phase.Succeeded, 1);
            assertEquals(List.of(HEAD), db.alembicVersion());
            assertEquals(1, jobs(ns).size());
            assertEquals(1, cluster().kubelet().podsRun().stream().filter(pod -> pod.startsWith(ns + "/")).count());
            assertEquals(1, dumps(ns).size(), "one backup");
            assertEquals(HEAD, done.getStatus().currentRevision());
        }
    }

    @Test
    void jobDeletedBeforeItsEndWasSeenFailsTheStepAsLostAndIsNotCreatedAgain() throws Throwable {
        try (TestDatabase db = TestDatabase.create("e2e_lost")) {
            String ns = namespaceWithSecret("e2e-lost", db);
            String jobName = whileCrmsJobIsHeld(ns, db, job -> {
                // kubectl delete job: the Job and (by the garbage collector, which the mock has not) its pod.
                cluster().client().batch().v1().jobs().inNamespace(ns).withName(job).delete();
                cluster().client().pods().inNamespace(ns).withLabel(io.dbmigrate.operator.JobFactory.LABEL_JOB, job).delete();
                Await.until(TIMEOUT, () -> jobs(ns).isEmpty(), () -> "the Job to be deleted");
            });

            DatabaseMigration lost = awaitPhase(ns, Phase.Failed, 1);
            DatabaseMigrationStatus status = lost.getStatus();
            assertCondition(status, StatusCondition.STALLED, "True", "JobLost");
            assertTrue(status.message().contains(jobName) && status.message().contains("unknown"), status.message());
            assertEquals(Phase.Failed, status.steps().get(0).phase());
            assertEquals("JobLost", status.history().get(status.history().size() - 1).reason());
            awaitEvents(ns, "JobLost");
            assertStaysTrue(Duration.ofSeconds(3), () -> jobs(ns).isEmpty(), "no second Job under the same name");
            assertEquals(0, cluster().kubelet().podsRun().stream().filter(pod -> pod.startsWith(ns + "/")).count());
            assertEquals(List.of(), db.alembicVersion(), "nothing ran");
        }
    }

    @Test
    void missingSecretWaitsThenRecoversWithoutAnEdit() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_secret")) {
            String ns = cluster().newNamespace("e2e-secret");
            startOperator(ns);
            create(migration(ns, db, CRM_IMAGE, HEAD));

            Await.until(TIMEOUT, () -> hasCondition(statusOf(ns), StatusCondition.READY, "False", "SecretNotFound"),
                    () -> "Ready=False SecretNotFound, status " + statusOf(ns));
            DatabaseMigrationStatus waiting = statusOf(ns);
            assertEquals(Phase.Pending, waiting.phase());
            assertCondition(waiting, StatusCondition.RECONCILING, "True", "SecretNotFound");
            assertCondition(waiting, StatusCondition.STALLED, "False", null);
            assertTrue(jobs(ns).isEmpty(), "no Job without the Secret");
            awaitEvents(ns, "SecretNotFound");

            createSecret(ns, db.user(), db.password());
            DatabaseMigration done = awaitPhase(ns, Phase.Succeeded, 1);
            assertEquals(1L, done.getMetadata().getGeneration(), "recovered without an edit");
            assertEquals(List.of(HEAD), db.alembicVersion());
        }
    }

    @Test
    void invalidSpecIsRefusedAndCreatesNoJob() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_invalid")) {
            String ns = namespaceWithOperator("e2e-invalid", db);
            DatabaseMigration invalid = migration(ns, db, CRM_IMAGE, "head; rm -rf /");

            if (!cluster().isMock()) {
                // A real API server validates against the CRD schema before the operator ever sees it.
                KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> create(invalid));
                assertEquals(422, refused.getCode());
                assertTrue(refused.getMessage().contains("spec.targetRevision"), refused.getMessage());
                return;
            }
            create(invalid);
            Await.until(TIMEOUT, () -> hasCondition(statusOf(ns), StatusCondition.STALLED, "True", "InvalidSpec"),
                    () -> "Stalled=True InvalidSpec, status " + statusOf(ns));
            DatabaseMigrationStatus status = statusOf(ns);
            assertTrue(status.message().contains("spec.targetRevision"), status.message());
            assertCondition(status, StatusCondition.READY, "False", "InvalidSpec");
            assertStaysTrue(Duration.ofSeconds(2), () -> jobs(ns).isEmpty(), "no Job for an invalid spec");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static TestCluster cluster() {
        return CLUSTER.cluster();
    }

    /** A namespace of its own holding the database's Secret, and the operator watching it. */
    private String namespaceWithOperator(String prefix, TestDatabase db) {
        String ns = namespaceWithSecret(prefix, db);
        startOperator(ns);
        return ns;
    }

    /** A namespace of its own holding the database's Secret. */
    private static String namespaceWithSecret(String prefix, TestDatabase db) {
        String ns = cluster().newNamespace(prefix);
        createSecret(ns, db.user(), db.password());
        return ns;
    }

    private void startOperator(String namespace) {
        operator = OperatorRuntime.start(CLUSTER.operatorClient(), Set.of(namespace), Clock.systemUTC());
        endpoints = OperatorHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), operator);
    }

    // What Prometheus would scrape from this operator after one successful run.
    private void assertMetricsOfOneSuccessfulRun(DatabaseMigrationStatus status) {
        MetricsScrape scrape = MetricsScrape.of(endpoints.port());
        double migrations = scrape.value("dbmigrate_migration_duration_seconds_count", Map.of("outcome", "Succeeded"))
                .orElseThrow(() -> new AssertionError("no migration duration in\n" + scrape.text()));
        assertTrue(migrations >= 1, scrape.text());
        assertEquals((double) status.lastBackup().sizeBytes(),
                scrape.value("dbmigrate_backup_size_bytes_sum", Map.of()).orElseThrow(), scrape.text());
        assertEquals(1.0, scrape.value("dbmigrate_backup_duration_seconds_count", Map.of()).orElseThrow(), scrape.text());
        assertEquals(1.0, scrape.value("dbmigrate_resources", Map.of("phase", "Succeeded")).orElseThrow(), scrape.text());
        assertEquals(1.0, scrape.value("dbmigrate_runs_total", Map.of("outcome", "Succeeded", "reason", "Succeeded"))
                .orElseThrow(), scrape.text());
        assertEquals(1.0, scrape.value("dbmigrate_steps_total",
                Map.of("step", "migrate", "outcome", "Succeeded", "reason", "Succeeded")).orElseThrow(), scrape.text());
        assertTrue(scrape.text().contains("operator_sdk_"), "JOSDK's own metrics are there too");
    }

    /** Starts the operator, creates crm with this target and returns the name of its Job once there is one. */
    private String startOperatorOnCrm(String ns, TestDatabase db, String target) {
        startOperator(ns);
        create(migration(ns, db, CRM_IMAGE, target));
        return Await.value(TIMEOUT, () -> jobs(ns).stream().map(j -> j.getMetadata().getName()).findFirst().orElse(null),
                () -> "the Job to be created");
    }

    /**
     * Starts the operator on crm (target head) while the test kubelet holds pods, waits for status to name crm's Job,
     * runs {@code meanwhile} with that name, then lets the kubelet run pods again. Returns the Job's name.
     */
    private String whileCrmsJobIsHeld(String ns, TestDatabase db, ThrowingConsumer<String> meanwhile) throws Throwable {
        TestKubelet kubelet = cluster().kubelet();
        kubelet.hold();
        try {
            String jobName = startOperatorOnCrm(ns, db, HEAD);
            Await.until(TIMEOUT, () -> jobName.equals(statusOf(ns).job()), () -> "status to name the Job");
            meanwhile.accept(jobName);
            return jobName;
        } finally {
            kubelet.release();
        }
    }

    private static DatabaseMigration migration(String ns, TestDatabase db, String image, String target) {
        return Scenario.crm(ns, db, """
        migrations: {image: "%s"}
        targetRevision: "%s"
        backup:
          volume: {persistentVolumeClaim: {claimName: %s}}
          retain: 5
        backoffLimit: 1
        """.formatted(image, target, CLAIM));
    }

    // What `kubectl edit` does to the spec: a new generation with another image and target.
    private static void editSpec(String ns, String image, String target) {
        SpecEdits.edit(cluster().client(), ns + "/crm", () -> resource(ns), current -> {
            DatabaseMigrationSpec spec = current.getSpec();
            MigrationsSpec migrations = new MigrationsSpec(image, spec.migrations().path(),
                    spec.migrations().imagePullPolicy());
            current.setSpec(new DatabaseMigrationSpec(spec.database(), migrations, target, spec.steps(), spec.backup(),
                    spec.backoffLimit(), spec.suspend(), spec.safety(), spec.verify(), spec.onFailure(),
                    spec.allowDowngrade(), spec.jobTemplate(), null, null, null));
            return current;
        });
    }

    private static void create(DatabaseMigration migration) {
        cluster().client().resource(migration).create();
    }

    private static void createSecret(String ns, String user, String password) {
        cluster().createCredentials(ns, "crm-db", user, password);
    }

    private static DatabaseMigration resource(String ns) {
        return cluster().client().resources(DatabaseMigration.class).inNamespace(ns).withName("crm").get();
    }

    private static DatabaseMigrationStatus statusOf(String ns) {
        DatabaseMigration resource = resource(ns);
        return resource == null || resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    }

    private static DatabaseMigration awaitPhase(String ns, Phase phase, long generation) {
        return Await.value(TIMEOUT, () -> {
            DatabaseMigration resource = resource(ns);
            DatabaseMigrationStatus status = resource == null ? null : resource.getStatus();
            boolean reached = status != null && status.phase() == phase && status.observedGeneration() != null
                    && status.observedGeneration() == generation;
            return reached ? resource : null;
        }, () -> "phase " + phase + " for generation " + generation + "; status now " + statusOf(ns));
    }

    private static List<Job> jobs(String ns) {
        return cluster().client().batch().v1().jobs().inNamespace(ns).list().getItems();
    }

    private static void awaitEvents(String ns, String... reasons) {
        Scenario.awaitEvents(cluster(), ns, reasons);
    }

    private static List<Event> events(String ns) {
        return Scenario.events(cluster(), ns);
    }

    private static List<Path> dumps(String ns) throws IOException {
        Path volume = cluster().kubelet().persistentVolumeClaimPath(ns, CLAIM);
        if (!Files.isDirectory(volume)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(volume)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".dump")).toList();
        }
    }

    // Status names the file as the pod saw it; the test kubelet keeps the claim's files in a folder of its own.
    private static Path onVolume(String ns, String containerPath) {
        return cluster().kubelet().persistentVolumeClaimPath(ns, CLAIM).resolve(Path.of(containerPath).getFileName());
    }

    private static boolean hasCondition(DatabaseMigrationStatus status, String type, String value, String reason) {
        return status.conditionsOrEmpty().stream().anyMatch(c -> type.equals(c.type()) && value.equals(c.status())
                && (reason == null || reason.equals(c.reason())));
    }

    private static void assertCondition(DatabaseMigrationStatus status, String type, String value, String reason) {
        assertTrue(hasCondition(status, type, value, reason),
                () -> type + "=" + value + (reason == null ? "" : " reason " + reason) + " in " + status.conditions());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    // examples/crm plus one revision that creates a table and then raises: the whole run must roll back.
    private static Path brokenProject(Path crm) throws IOException {
        Path target = AlembicProjects.copy(crm,
                Path.of(System.getProperty("java.io.tmpdir")).resolve("dbmigrate-e2e-broken-" + ProcessHandle.current().pid()));
        Files.writeString(target.resolve("versions/zzz000broken_raises.py"), """
        \"\"\"A revision that raises half-way, to prove the run is rolled back.

        Revision ID: zzz000broken
        Revises: vwx234yz567
        \"\"\"
        from alembic import op
        import sqlalchemy as sa

        revision = 'zzz000broken'
        down_revision = 'vwx234yz567'
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))
            raise RuntimeError('boom: this revision fails on purpose')


        def downgrade():
            op.drop_table('half_done')
        """);
        return target;
    }
}
