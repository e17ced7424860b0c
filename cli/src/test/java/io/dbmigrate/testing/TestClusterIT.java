package io.dbmigrate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.testing.jobs.JobSync;
import io.dbmigrate.testing.jobs.TestJobController;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test cluster itself, driven by hand-made Jobs shaped like the operator's: the kubelet runs the runner against
 * a real database with the Secret's credentials and the image's Alembic project, and the Job controller (or the real
 * one, with DBMIGRATE_TEST_KUBECONFIG) reports success, podFailurePolicy, backoffLimit and activeDeadlineSeconds.
 */
class TestClusterIT {

    private static final String IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    /** The operator's runAsUser, runAsGroup and fsGroup: the migrations image's user. */
    private static final long POD_USER = 10001;
    // The end of the seed's chain in examples/crm, named: the example has two heads (expand, contract) beyond it.
    private static final String HEAD = "vwx234yz567";
    private static final String CLAIM = "crm-backups";
    private static final String BACKUP_DIR = "/var/lib/dbmigrate/backups";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        Path crm = TestCluster.repoRoot().resolve("examples").resolve("crm");
        cluster = TestCluster.start(Map.of(IMAGE, PodImages.folders(IMAGE, crm)));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KubernetesClient client() {
        return cluster.client();
    }

    @Test
    void backupThenUpgradeCompletesTheJob() throws IOException {
        try (TestDatabase db = TestDatabase.create("cluster_upgrade")) {
            String ns = namespaceWithSecret("it-upgrade", db);
            String name = "crm-g1-upgrade";
            create(new MigrationJob(ns, name, db, "crm-db").with(j -> j.backup = true).build());

            Job job = awaitFinished(ns, name);
            assertCompleted(job);
            assertEquals(1, job.getStatus().getSucceeded());

            List<Pod> pods = podsOf(ns, name);
            assertEquals(1, pods.size(), "one pod");
            Pod pod = pods.get(0);
            assertEquals("Succeeded", pod.getStatus().getPhase());

            ContainerStateTerminated backup = terminated(pod.getStatus().getInitContainerStatuses(), "backup");
            assertEquals(0, backup.getExitCode());
            assertEquals("Completed", backup.getReason());
            RunnerResult backupResult = RunnerJson.read(backup.getMessage());
            assertEquals("backup", backupResult.command());
            assertEquals(ExitCode.OK.code(), backupResult.exitCode());
            assertTrue(backupResult.backup().file().startsWith(BACKUP_DIR + "/"),
                    "the message names the container's path: " + backupResult.backup().file());

            ContainerStateTerminated migrate = terminated(pod.getStatus().getContainerStatuses(), "migrate");
            assertEquals(0, migrate.getExitCode());
            RunnerResult upgrade = RunnerJson.read(migrate.getMessage());
            assertEquals("upgrade", upgrade.command());
            assertEquals(ExitCode.OK.code(), upgrade.exitCode());
            assertEquals(HEAD, upgrade.upgrade().toRevision());
            assertNotNull(migrate.getStartedAt());
            assertNotNull(migrate.getFinishedAt());

            Path pvc = cluster.kubelet().persistentVolumeClaimPath(ns, CLAIM);
            try (Stream<Path> files = Files.list(pvc)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".dump")), "a .dump in " + pvc);
            }
            assertEquals(List.of(HEAD), db.alembicVersion());
            Path log = cluster.kubelet().logFile(ns, pod.getMetadata().getName(), "migrate");
            assertTrue(Files.readString(log).contains("Running upgrade"), "Alembic's output in " + log);
            assertFalse(Files.readString(log).contains(db.password()), "the password was printed");
        }
    }

    /**
     * What the pod spec asks of a container's security, in Docker: the pod's user and groups, a read-only root, the
     * volumes writable (the PVC through fsGroup) and the termination message file read back. As host processes the
     * kubelet can honour none of that and refuses the shell command; the runner's files are then the test's user's.
     */
    @Test
    void containerRunsAsThePodsUserOnAReadOnlyRootWithWritableVolumes() throws IOException {
        String ns = cluster.newNamespace("it-security");
        Path pvc = cluster.kubelet().persistentVolumeClaimPath(ns, CLAIM);
        String script = """
                {
                  echo "uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' '\\n' | sort -u | tr '\\n' ' ')"
                  if touch /probe 2>/dev/null; then echo "root=writable"; else echo "root=read-only"; fi
                  touch /tmp/probe && echo "tmp=writable"
                  echo "$(GREETING)" > %s/probe && echo "backups=writable"
                } > /dev/termination-log
                """.formatted(BACKUP_DIR);
        Container probe = new ContainerBuilder().withName("probe").withImage(IMAGE)
                .withCommand("sh", "-c", script)
                .withEnv(new EnvVar("GREETING", "written by the pod", null))
                .withVolumeMounts(new VolumeMountBuilder().withName("backups").withMountPath(BACKUP_DIR).build(),
                        new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build())
                .withSecurityContext(MigrationJob.containerSecurity())
                .build();
        Pod pod = new PodBuilder().withNewMetadata().withName("security-probe").withNamespace(ns).endMetadata()
                .withSpec(MigrationJob.podSpec(List.of(), probe)).build();
        client().pods().inNamespace(ns).resource(pod).create();

        if (!cluster.kubelet().runsContainers()) {
            ContainerStateWaiting waiting = Await.value(TIMEOUT, () -> Optional.ofNullable(
                            client().pods().inNamespace(ns).withName("security-probe").get())
                    .map(p -> waitingState(p, "probe")).filter(w -> "CreateContainerError".equals(w.getReason()))
                    .orElse(null), () -> "the probe to wait with CreateContainerError");
            assertTrue(waiting.getMessage().contains("runs the image's entrypoint"), waiting.getMessage());
        } else {
            Pod done = Await.value(TIMEOUT, () -> Optional.ofNullable(
                            client().pods().inNamespace(ns).withName("security-probe").get())
                    .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase())).orElse(null),
                    () -> "the probe pod to succeed: " + client().pods().inNamespace(ns).withName("security-probe").get());
            ContainerStateTerminated terminated = terminated(done.getStatus().getContainerStatuses(), "probe");
            assertEquals("""
                    uid=%1$d gid=%1$d groups=%1$d\s
                    root=read-only
                    tmp=writable
                    backups=writable
                    """.formatted(POD_USER), terminated.getMessage());
            Path written = pvc.resolve("probe");
            assertEquals("written by the pod\n", Files.readString(written));
            assertEquals((int) POD_USER, Files.getAttribute(written, "unix:uid"));
            assertEquals((int) POD_USER, Files.getAttribute(written, "unix:gid"), "the fsGroup, by the setgid folder");
        }

        // The runner's backup in the same volume: its file belongs to the pod's user, or to the test's as a process.
        try (TestDatabase db = TestDatabase.create("cluster_security")) {
            createSecret(ns, "crm-db", db);
            create(new MigrationJob(ns, "crm-g1-security", db, "crm-db").with(j -> j.backup = true).build());
            assertCompleted(awaitFinished(ns, "crm-g1-security"));
        }
        Path dump;
        try (Stream<Path> files = Files.list(pvc)) {
            dump = files.filter(f -> f.getFileName().toString().endsWith(".dump")).findFirst()
                    .orElseThrow(() -> new AssertionError("no .dump in " + pvc));
        }
        Path mine = Files.createTempFile("owner", ".probe");
        try {
            Object expectedOwner = cluster.kubelet().runsContainers() ? (int) POD_USER : Files.getAttribute(mine, "unix:uid");
            assertEquals(expectedOwner, Files.getAttribute(dump, "unix:uid"), "owner of " + dump);
        } finally {
            Files.delete(mine);
        }
    }

    @Test
    void missingSecretWaitsWithCreateContainerConfigErrorThenRuns() {
        try (TestDatabase db = TestDatabase.create("cluster_secret")) {
            String ns = cluster.newNamespace("it-secret");
            String name = "crm-g1-late-secret";
            create(new MigrationJob(ns, name, db, "crm-db-late").build());

            ContainerStateWaiting waiting = Await.value(TIMEOUT, () -> podsOf(ns, name).stream()
                            .map(p -> waitingState(p, "migrate"))
                            .filter(w -> w != null && "CreateContainerConfigError".equals(w.getReason()))
                            .findFirst().orElse(null),
                    () -> "a pod of " + name + " waiting with CreateContainerConfigError: " + podsOf(ns, name));
            assertEquals("secret \"crm-db-late\" not found", waiting.getMessage());
            assertEquals("Pending", podsOf(ns, name).get(0).getStatus().getPhase());

            createSecret(ns, "crm-db-late", db);
            Job job = awaitFinished(ns, name);
            assertCompleted(job);
            assertEquals(1, podsOf(ns, name).size(), "the waiting pod ran; no second pod");
            assertEquals(List.of(HEAD), db.alembicVersion());
        }
    }

    @Test
    void failJobRuleFailsTheJobAfterOnePod() {
        try (TestDatabase db = TestDatabase.create("cluster_failjob")) {
            String ns = namespaceWithSecret("it-failjob", db);
            String name = "crm-g1-bad-target";
            create(new MigrationJob(ns, name, db, "crm-db").with(j -> j.target = "bad target")
                    .with(j -> j.backoffLimit = 3).build());

            Job job = awaitFinished(ns, name);
            JobCondition failed = assertFailed(job, "PodFailurePolicy");
            List<Pod> pods = podsOf(ns, name);
            assertEquals(1, pods.size(), "no retry after a FailJob match");
            String podKey = ns + "/" + pods.get(0).getMetadata().getName();
            assertEquals("Container migrate for pod " + podKey + " failed with exit code 2 matching FailJob rule at index 0",
                    failed.getMessage());
            ContainerStateTerminated migrate = terminated(pods.get(0).getStatus().getContainerStatuses(), "migrate");
            assertEquals(ExitCode.BAD_INPUT.code(), migrate.getExitCode());
            assertEquals("Error", migrate.getReason());
            assertEquals("InvalidInput", RunnerJson.read(migrate.getMessage()).reason());
            assertEquals(List.of(), db.alembicVersion());
        }
    }

    @Test
    void retryableFailureIsRetriedUntilTheBackoffLimit() throws IOException {
        try (TestDatabase db = TestDatabase.create("cluster_backoff")) {
            String ns = namespaceWithSecret("it-backoff", db);
            String name = "crm-g1-unreachable";
            int closed = closedPort();
            create(new MigrationJob(ns, name, db, "crm-db").with(j -> j.port = closed).with(j -> j.backoffLimit = 1).build());

            Job job = awaitFinished(ns, name);
            JobCondition failed = assertFailed(job, "BackoffLimitExceeded");
            assertEquals("Job has reached the specified backoff limit", failed.getMessage());
            List<Pod> pods = podsOf(ns, name);
            assertEquals(2, pods.size(), "the first pod and one retry");
            for (Pod pod : pods) {
                assertEquals("Failed", pod.getStatus().getPhase());
                ContainerStateTerminated migrate = terminated(pod.getStatus().getContainerStatuses(), "migrate");
                assertEquals(ExitCode.CONNECTION_FAILED.code(), migrate.getExitCode());
                assertEquals("ConnectionFailed", RunnerJson.read(migrate.getMessage()).reason());
            }
            assertEquals(2, job.getStatus().getFailed());
        }
    }

    @Test
    void failedInitContainerFailsThePodBeforeTheMigrationRuns() {
        try (TestDatabase db = TestDatabase.create("cluster_init")) {
            String ns = namespaceWithSecret("it-init", db);
            String name = "crm-g1-bad-backup";
            create(new MigrationJob(ns, name, db, "crm-db").with(j -> j.backup = true)
                    .with(j -> j.backupLabel = "bad label").build());

            Job job = awaitFinished(ns, name);
            // The FailJob rule names the migrate container, so the backup's exit 2 counts against backoffLimit 0.
            assertFailed(job, "BackoffLimitExceeded");
            List<Pod> pods = podsOf(ns, name);
            assertEquals(1, pods.size());
            Pod pod = pods.get(0);
            assertEquals("Failed", pod.getStatus().getPhase());
            ContainerStateTerminated backup = terminated(pod.getStatus().getInitContainerStatuses(), "backup");
            assertEquals(ExitCode.BAD_INPUT.code(), backup.getExitCode());
            assertEquals("PodInitializing", waitingState(pod, "migrate").getReason(), "migrate never started");
            assertFalse(Files.exists(cluster.kubelet().logFile(ns, pod.getMetadata().getName(), "migrate")));
            assertEquals(List.of(), db.alembicVersion());
        }
    }

    @Test
    void unknownImageWaitsWithErrImagePull() {
        String ns = cluster.newNamespace("it-image");
        String name = "crm-g1-unknown-image";
        create(new MigrationJob(ns, name, "127.0.0.1", 5432, "never_created", "crm-db")
                .with(j -> j.image = "registry.example.com/not-mapped:9.9.9").build());
        ContainerStateWaiting waiting = Await.value(TIMEOUT, () -> podsOf(ns, name).stream()
                        .map(p -> waitingState(p, "migrate"))
                        .filter(w -> w != null && "ErrImagePull".equals(w.getReason()))
                        .findFirst().orElse(null),
                () -> "a pod of " + name + " waiting with ErrImagePull: " + podsOf(ns, name));
        assertTrue(waiting.getMessage().contains("registry.example.com/not-mapped:9.9.9"), waiting.getMessage());
        client().batch().v1().jobs().inNamespace(ns).withName(name).delete();
    }

    @Test
    void deletingARunningPodKillsItsProcess() {
        try (TestDatabase db = TestDatabase.create("cluster_delete")) {
            String ns = namespaceWithSecret("it-delete", db);
            String name = "crm-g1-deleted";
            try (TestDatabase.HeldLock lock = db.holdMigrationLock()) {
                create(new MigrationJob(ns, name, db, "crm-db").with(j -> j.backoffLimit = 1).build());
                // The runner waits for the lock this test holds: a container that runs until something stops it.
                long backend = Await.value(TIMEOUT, () -> runnerBackend(db),
                        () -> "the runner of " + name + " to wait for the migration lock");
                Pod waiting = podsOf(ns, name).get(0);
                client().pods().inNamespace(ns).withName(waiting.getMetadata().getName()).delete();
                Await.until(TIMEOUT, () -> db.queryLong("select count(*) from pg_stat_activity where pid = " + backend) == 0,
                        () -> "the session of the deleted pod's runner (backend " + backend + ") to end");
            }
            // The Job goes on with a new pod, which gets the lock now that the test released it.
            Job job = awaitFinished(ns, name);
            assertCompleted(job);
            assertEquals(List.of(HEAD), db.alembicVersion());
        }
    }

    @Test
    void autoModeLeavesAJobToTheServerAlsoWhileItHasNoPod() {
        // Nothing but this test acts here: an unwatched namespace, and a managedBy no Job controller claims.
        String ns = cluster.newUnwatchedNamespace("it-auto");
        Job job = client().batch().v1().jobs().inNamespace(ns).resource(new MigrationJob(ns, "crm-g1-auto", "127.0.0.1",
                5432, "never_created", "crm-db").build().edit().editSpec().withManagedBy("dbmigrate.io/nobody").endSpec()
                .build()).create();
        Pod serverPod = client().pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata()
                .withName("crm-g1-auto-server").addToLabels("job-name", job.getMetadata().getName())
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build()).create();
        JobSync auto = new JobSync(client(), TestJobController.Mode.AUTO);
        assertNull(auto.sync(ns, job.getMetadata().getName()), "a Job with the server's pod is the server's");

        // As after a failed pod, while the server's Job controller backs off before the next one.
        client().pods().inNamespace(ns).resource(serverPod).withGracePeriod(0).delete();
        Await.until(TIMEOUT, () -> podsOf(ns, job.getMetadata().getName()).isEmpty(), () -> "the server's pod to go");
        assertNull(auto.sync(ns, job.getMetadata().getName()), "no wait to take the Job over");
        assertEquals(List.of(), podsOf(ns, job.getMetadata().getName()));
    }

    @Test
    void activeDeadlineFailsTheJobAndRemovesItsHeldPod() {
        TestKubelet kubelet = cluster.kubelet();
        String ns = cluster.newNamespace("it-deadline");
        String name = "crm-g1-deadline";
        kubelet.hold();
        try {
            create(new MigrationJob(ns, name, "127.0.0.1", 5432, "never_created", "crm-db").with(j -> j.deadline = 2L).build());
            Job job = awaitFinished(ns, name);
            JobCondition failed = assertFailed(job, "DeadlineExceeded");
            assertEquals("Job was active longer than specified deadline", failed.getMessage());
            Await.until(TIMEOUT, () -> podsOf(ns, name).stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() != null),
                    () -> "the pods of " + name + " to be deleted: " + podsOf(ns, name));
            assertTrue(kubelet.podsRun().stream().noneMatch(p -> p.startsWith(ns + "/")), "a held pod never ran");
        } finally {
            kubelet.release();
        }
    }

    // ----- helpers -----

    private static void create(Job job) {
        client().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(job).create();
    }

    /** A namespace of its own holding the database's Secret crm-db. */
    private static String namespaceWithSecret(String prefix, TestDatabase db) {
        String ns = cluster.newNamespace(prefix);
        createSecret(ns, "crm-db", db);
        return ns;
    }

    private static void createSecret(String namespace, String name, TestDatabase db) {
        client().secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withType("Opaque").addToStringData("username", db.user()).addToStringData("password", db.password())
                .build()).create();
    }

    private static Job awaitFinished(String namespace, String name) {
        return Await.value(TIMEOUT, () -> {
            Job job = client().batch().v1().jobs().inNamespace(namespace).withName(name).get();
            return job != null && JobSync.isFinished(job) ? job : null;
        }, () -> "Job " + namespace + "/" + name + " to finish; now: "
                + Optional.ofNullable(client().batch().v1().jobs().inNamespace(namespace).withName(name).get())
                .map(Job::getStatus).orElse(null) + "; pods: " + podsOf(namespace, name));
    }

    // The conditions as the Kubernetes 1.31+ Job controller writes them, and as its Job status validation demands.
    private static void assertCompleted(Job job) {
        assertCondition(job, "SuccessCriteriaMet", "CompletionsReached");
        assertCondition(job, "Complete", "CompletionsReached");
    }

    private static JobCondition assertFailed(Job job, String reason) {
        assertCondition(job, "FailureTarget", reason);
        return assertCondition(job, "Failed", reason);
    }

    private static JobCondition assertCondition(Job job, String type, String reason) {
        JobCondition condition = Specs.list(job.getStatus().getConditions()).stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + "=True condition: " + job.getStatus()));
        if (reason != null) {
            assertEquals(reason, condition.getReason(), condition.toString());
        }
        return condition;
    }

    private static List<Pod> podsOf(String namespace, String job) {
        return client().pods().inNamespace(namespace).withLabel("job-name", job).list().getItems();
    }

    private static ContainerStateTerminated terminated(List<ContainerStatus> statuses, String container) {
        ContainerStatus status = Specs.list(statuses).stream().filter(s -> container.equals(s.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no status of container " + container + ": " + statuses));
        assertNotNull(status.getState().getTerminated(), container + " terminated: " + status);
        return status.getState().getTerminated();
    }

    private static ContainerStateWaiting waitingState(Pod pod, String container) {
        if (pod.getStatus() == null) {
            return null;
        }
        return Specs.list(pod.getStatus().getContainerStatuses()).stream()
                .filter(s -> container.equals(s.getName()) && s.getState() != null)
                .map(s -> s.getState().getWaiting()).filter(w -> w != null).findFirst().orElse(null);
    }

    /** The backend pid of the one runner session connected to the database, or null while there is not exactly one. */
    private static Long runnerBackend(TestDatabase db) {
        String runners = " from pg_stat_activity where datname = current_database() and application_name = 'dbmigrate-runner'";
        return db.queryLong("select count(*)" + runners) == 1 ? db.queryLong("select pid" + runners) : null;
    }

    /** A loopback port nothing listens on: connecting is refused at once, a retryable failure for the runner. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A Job as the operator shapes it: init container {@code backup} (optional) and container {@code migrate}, the
     * migrations image with args only, PG* variables with the credentials from a Secret, the backup PVC and an
     * emptyDir /tmp, FallbackToLogsOnError, a FailJob rule for the non-retryable exit codes, no ServiceAccount token,
     * and the nodeSelector that sends the pod to the test kubelet.
     */
    private static final class MigrationJob {
        private final String namespace;
        private final String name;
        private final String host;
        private final String database;
        private final String secret;
        // What a test may change, through with(...).
        private int port;
        private boolean backup;
        private String backupLabel = "g1";
        private String image = IMAGE;
        private String target = HEAD;
        private int backoffLimit = 0;
        private Long deadline;

        MigrationJob(String namespace, String name, TestDatabase db, String secret) {
            this(namespace, name, db.host(), db.port(), db.name(), secret);
        }

        MigrationJob(String namespace, String name, String host, int port, String database, String secret) {
            this.namespace = namespace;
            this.name = name;
            this.host = host;
            this.port = port;
            this.database = database;
            this.secret = secret;
        }

        /** This Job with what {@code change} sets of its changeable fields (port, backup, image, target, ...). */
        MigrationJob with(Consumer<MigrationJob> change) {
            change.accept(this);
            return this;
        }

        Job build() {
            List<Container> inits = new ArrayList<>();
            if (backup) {
                inits.add(container("backup", List.of("backup", "--dir", BACKUP_DIR, "--name", "crm", "--label", backupLabel,
                        "--retain", "5")));
            }
            Container migrate = container("migrate", List.of("upgrade", "--migrations", "/migrations", "--target", target,
                    "--lock-timeout", "1s"));
            return new JobBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/managed-by", "dbmigrate").endMetadata()
                    .withNewSpec()
                    .withBackoffLimit(backoffLimit)
                    .withActiveDeadlineSeconds(deadline)
                    .withNewPodFailurePolicy()
                    .addNewRule().withAction("FailJob")
                    .withNewOnExitCodes().withContainerName("migrate").withOperator("In")
                    .withValues(2, 4, 10, 11, 21).endOnExitCodes()
                    .endRule()
                    .endPodFailurePolicy()
                    .withNewTemplate()
                    .withNewMetadata()
                    .addToLabels("app.kubernetes.io/managed-by", "dbmigrate")
                    .addToLabels("dbmigrate.io/migration", "crm")
                    .endMetadata()
                    .withSpec(podSpec(inits, migrate))
                    .endTemplate()
                    .endSpec()
                    .build();
        }

        /** The operator's pod: its user and fsGroup, the backup PVC and an emptyDir /tmp, sent to the test kubelet. */
        static PodSpec podSpec(List<Container> inits, Container main) {
            return new PodSpecBuilder()
                    .withRestartPolicy("Never")
                    .withAutomountServiceAccountToken(false)
                    .withNodeSelector(Map.of(TestKubelet.NODE_SELECTOR_KEY, "true"))
                    .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(POD_USER).withRunAsGroup(POD_USER)
                    .withFsGroup(POD_USER).endSecurityContext()
                    .withInitContainers(inits)
                    .withContainers(main)
                    .withVolumes(
                            new VolumeBuilder().withName("backups").withNewPersistentVolumeClaim().withClaimName(CLAIM)
                                    .endPersistentVolumeClaim().build(),
                            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build())
                    .build();
        }

        /** The operator's container security: a read-only root, no privilege escalation, no capabilities. */
        static SecurityContext containerSecurity() {
            return new SecurityContextBuilder().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                    .withRunAsNonRoot(true).withNewCapabilities().withDrop("ALL").endCapabilities().build();
        }

        private Container container(String containerName, List<String> args) {
            List<VolumeMount> mounts = List.of(
                    new VolumeMountBuilder().withName("backups").withMountPath(BACKUP_DIR).build(),
                    new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
            List<EnvVar> env = List.of(
                    new EnvVar("PGHOST", host, null),
                    new EnvVar("PGPORT", Integer.toString(port), null),
                    new EnvVar("PGDATABASE", database, null),
                    new EnvVar("PGSSLMODE", "prefer", null),
                    new EnvVarBuilder().withName("PGUSER").withNewValueFrom().withNewSecretKeyRef()
                            .withName(secret).withKey("username").endSecretKeyRef().endValueFrom().build(),
                    new EnvVarBuilder().withName("PGPASSWORD").withNewValueFrom().withNewSecretKeyRef()
                            .withName(secret).withKey("password").endSecretKeyRef().endValueFrom().build());
            return new ContainerBuilder()
                    .withName(containerName)
                    .withImage(image)
                    .withImagePullPolicy("IfNotPresent")
                    .withArgs(args)
                    .withEnv(env)
                    .withVolumeMounts(mounts)
                    .withTerminationMessagePolicy("FallbackToLogsOnError")
                    .withSecurityContext(containerSecurity())
                    .build();
        }
    }
}
