package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.docker.TestEngine;
import io.dbmigrate.testing.docker.TestImages;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The whole path on a real cluster: the team image scripts/test.sh built (examples/crm FROM the migrations image), a
 * real kubelet and Job controller, a PostgreSQL pod, and the operator running in this JVM against the K3s API server.
 *
 * <p>Runs when the engine of {@link TestImages} has {@value #K3S_IMAGE} (and the K3s node can get postgres:15):
 * nothing is pulled, because CI reaches no registry; {@code docker load} the image into that engine to run it.
 * Testcontainers finds the engine through DOCKER_HOST, which scripts/test.sh exports with Ryuk (an image it would
 * pull) turned off. Skipped, saying which of the two is missing, otherwise.
 */
@Tag("k3s")
class DatabaseMigrationK3sIT {
    static final String K3S_IMAGE = "rancher/k3s:v1.31.4-k3s1";
    private static final String NAMESPACE = "crm";
    private static final String PASSWORD = "k3s-test-password";
    private static final Path ROOT = Path.of(System.getProperty("dbmigrate.repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void upgradesPostgresInTheClusterBackupFirst() throws Exception {
        Optional<TestImages> images = TestImages.fromEnvironment();
        assumeTrue(images.isPresent(), TestImages.SKIP_REASON);
        assumeTrue(new TestEngine(images.get()).hasImage(K3S_IMAGE), K3S_IMAGE + " is not in the Docker engine at "
                + images.get().dockerHost() + " (no registry is reachable to pull it): docker load it there to run this test");
        String crmImage = images.get().team();
        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE))) {
            k3s.start();
            loadImageIntoK3s(k3s, crmImage);
            migrate(k3s, crmImage);
        }
    }

    private static void migrate(K3sContainer k3s, String crmImage) throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
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
            """.formatted(crmImage), DatabaseMigration.class);
                client.resource(migration).create();

                DatabaseMigration done = awaitFinalPhase(client, Duration.ofMinutes(6));
                assertEquals(Phase.Succeeded, done.getStatus().phase(), () -> "status: " + done.getStatus());
                assertEquals("vwx234yz567", done.getStatus().currentRevision());
                assertTrue(done.getStatus().lastBackup().verified());
                ExecResult version = k3s.execInContainer("kubectl", "exec", "-n", NAMESPACE, "deploy/crm-db", "--",
                        "psql", "-U", "postgres", "-d", "crm", "-tAc", "SELECT version_num FROM alembic_version");
                assertEquals("vwx234yz567", version.getStdout().strip(), version.getStderr());
            }
        }
    }

    // K3sContainer has no image-loading API: save from the engine, import with containerd's ctr.
    private static void loadImageIntoK3s(K3sContainer k3s, String crmImage) throws Exception {
        Path tar = Files.createTempFile("dbmigrate-images", ".tar");
        try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(crmImage).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/images.tar");
        ExecResult imported = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/images.tar");
        assertEquals(0, imported.getExitCode(), imported.getStderr());
        Files.deleteIfExists(tar);
    }

    // Both CRDs: the operator watches DatabaseMigrations and DatabaseMigrationSets, and starts only when both exist.
    private static void applyCrd(KubernetesClient client) throws Exception {
        for (String name : TestCluster.CRD_NAMES) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(
                    Files.readString(ROOT.resolve("crds/" + name + "-v1.yaml")), CustomResourceDefinition.class);
            client.resource(crd).serverSideApply();
            client.resource(crd).waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                    .anyMatch(condition -> "Established".equals(condition.getType()) && "True".equals(condition.getStatus())),
                    1, TimeUnit.MINUTES);
        }
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
