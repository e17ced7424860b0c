package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.operator.OperatorRuntime;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The whole path on a real cluster: the real migrations image (built from migrations-image/Dockerfile, with
 * examples/crm copied in), a real kubelet and Job controller, a PostgreSQL pod, and the operator running in this JVM
 * against the K3s API server. Needs Docker (and network for base images); skipped cleanly without it.
 */
@Tag("k3s")
@Testcontainers(disabledWithoutDocker = true)
class DatabaseMigrationK3sIT {
    private static final String BASE_IMAGE = "dbmigrate/migrations:k3s-test";
    private static final String CRM_IMAGE = "dbmigrate/crm-migrations:k3s-test";
    private static final String NAMESPACE = "crm";
    private static final String PASSWORD = "k3s-test-password";
    private static final Path ROOT = Path.of(System.getProperty("dbmigrate.repo.root", "..")).toAbsolutePath().normalize();

    @Container
    private static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

    @Test
    void upgradesPostgresInTheClusterBackupFirst() throws Exception {
        loadImagesIntoK3s();
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml())).build()) {
            applyCrd(client);
            deployDatabase(client);
            try (OperatorRuntime operator = OperatorRuntime.start(client, Set.of(NAMESPACE), Clock.systemUTC())) {
                DatabaseMigration migration = new KubernetesSerialization().unmarshal("""
            apiVersion: dbmigrate.io/v1alpha1
            kind: DatabaseMigration
            metadata: {name: crm, namespace: crm}
            spec:
              database: {host: crm-db.crm.svc.cluster.local, name: crm, sslMode: disable, credentialsSecret: {name: crm-db}}
              migrations: {image: %s, imagePullPolicy: Never}
              targetRevision: vwx234yz567
              backup: {volume: {persistentVolumeClaim: {claimName: crm-backups}}, retain: 3}
              backoffLimit: 3
            """.formatted(CRM_IMAGE), DatabaseMigration.class);
                client.resource(migration).create();

                DatabaseMigration done = awaitFinalPhase(client, Duration.ofMinutes(6));
                assertEquals(Phase.Succeeded, done.getStatus().phase(), () -> "status: " + done.getStatus());
                assertEquals("vwx234yz567", done.getStatus().currentRevision());
                assertTrue(done.getStatus().lastBackup().verified());
                ExecResult version = K3S.execInContainer("kubectl", "exec", "-n", NAMESPACE, "deploy/crm-db", "--",
                        "psql", "-U", "postgres", "-d", "crm", "-tAc", "SELECT version_num FROM alembic_version");
                assertEquals("vwx234yz567", version.getStdout().strip(), version.getStderr());
            }
        }
    }

    // K3sContainer has no image-loading API: save from the host's Docker, import with containerd's ctr.
    private static void loadImagesIntoK3s() throws Exception {
        new ImageFromDockerfile(BASE_IMAGE, false)
                .withFileFromPath(".", ROOT)
                .withDockerfile(ROOT.resolve("migrations-image/Dockerfile"))
                .get(30, TimeUnit.MINUTES);
        new ImageFromDockerfile(CRM_IMAGE, false)
                .withFileFromPath(".", ROOT.resolve("examples/crm"))
                .withFileFromString("Dockerfile", """
            FROM %s
            COPY alembic.ini env.py script.py.mako /migrations/
            COPY versions/ /migrations/versions/
            """.formatted(BASE_IMAGE))
                .get(10, TimeUnit.MINUTES);
        Path tar = Files.createTempFile("dbmigrate-images", ".tar");
        try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(CRM_IMAGE).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        K3S.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/images.tar");
        ExecResult imported = K3S.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/images.tar");
        assertEquals(0, imported.getExitCode(), imported.getStderr());
        Files.deleteIfExists(tar);
    }

    private static void applyCrd(KubernetesClient client) throws Exception {
        CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(
                Files.readString(ROOT.resolve("crds/databasemigrations.dbmigrate.io-v1.yaml")), CustomResourceDefinition.class);
        client.resource(crd).serverSideApply();
        client.resource(crd).waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                .anyMatch(condition -> "Established".equals(condition.getType()) && "True".equals(condition.getStatus())),
                1, TimeUnit.MINUTES);
    }

    private static void deployDatabase(KubernetesClient client) {
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withName("crm-db").withNamespace(NAMESPACE).endMetadata()
                .withStringData(Map.of("username", "postgres", "password", PASSWORD)).build()).create();
        client.resource(new PersistentVolumeClaimBuilder().withNewMetadata().withName("crm-backups").withNamespace(NAMESPACE)
                .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec().build()).create();
        Map<String, String> labels = Map.of("app", "crm-db");
        client.resource(new DeploymentBuilder().withNewMetadata().withName("crm-db").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .addNewContainer().withName("postgres").withImage("postgres:15")
                .addNewEnv().withName("POSTGRES_PASSWORD").withValue(PASSWORD).endEnv()
                .addNewEnv().withName("POSTGRES_DB").withValue("crm").endEnv()
                .addNewPort().withContainerPort(5432).endPort()
                .withNewReadinessProbe().withNewExec().withCommand("pg_isready", "-U", "postgres").endExec().endReadinessProbe()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
        client.resource(new ServiceBuilder().withNewMetadata().withName("crm-db").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withSelector(labels).addNewPort().withPort(5432).endPort().endSpec().build()).create();
        client.apps().deployments().inNamespace(NAMESPACE).withName("crm-db").waitUntilReady(5, TimeUnit.MINUTES);
    }

    private static DatabaseMigration awaitFinalPhase(KubernetesClient client, Duration timeout) {
        return client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).withName("crm")
                .waitUntilCondition(m -> m != null && m.getStatus() != null && m.getStatus().phase() != null
                        && m.getStatus().phase().isFinal(), timeout.toSeconds(), TimeUnit.SECONDS);
    }
}
