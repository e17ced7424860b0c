package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.dbmigrate.testing.rbac.RbacGrants;
import io.dbmigrate.testing.rbac.RenderedChart;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `java -jar dbmigrate.jar operator`, the packaged entry point, against the test cluster through a kubeconfig. */
class OperatorJarIT {
    private static final String IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");

    @TempDir
    Path temp;

    @Test
    void packagedOperatorMigratesAndStopsOnSigterm() throws Exception {
        Path crm = TestCluster.repoRoot().resolve("examples/crm");
        try (TestCluster cluster = TestCluster.start(Map.of(IMAGE, PodImages.folders(IMAGE, crm)));
                  TestDatabase db = TestDatabase.create("jar_operator")) {
            KubernetesClient client = cluster.client();
            String ns = cluster.newNamespace("jar-operator");
            cluster.createCredentials(ns, "crm-db", db.user(), db.password());

            Path log = temp.resolve("operator.log");
            ProcessBuilder command = new ProcessBuilder("java", "-jar", System.getProperty("dbmigrate.operator.jar"),
                    "operator", "--namespace", ns)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            command.environment().put("KUBECONFIG", ChartOperator.kubeconfig(temp.resolve("kubeconfig"), client).toString());
            Process operator = command.start();
            try {
                client.resource(new KubernetesSerialization().unmarshal("""
            apiVersion: dbmigrate.io/v1alpha1
            kind: DatabaseMigration
            metadata: {name: crm, namespace: %s}
            spec:
              database: {host: %s, port: %d, name: %s, sslMode: disable, credentialsSecret: {name: crm-db}}
              migrations: {image: "%s"}
              targetRevision: vwx234yz567
              backup: {volume: {persistentVolumeClaim: {claimName: backups}}}
              jobTemplate: {nodeSelector: {%s: "true"}}
            """.formatted(ns, db.host(), db.port(), db.name(), IMAGE, TestKubelet.NODE_SELECTOR_KEY),
                        DatabaseMigration.class)).create();

                Await.until(Duration.ofSeconds(90), () -> {
                    DatabaseMigration resource = client.resources(DatabaseMigration.class).inNamespace(ns).withName("crm").get();
                    return resource.getStatus() != null && resource.getStatus().phase() == Phase.Succeeded;
                }, () -> "Succeeded; operator log:\n" + read(log));
                assertEquals(List.of("vwx234yz567"), db.alembicVersion());
            } finally {
                operator.destroy();
            }
            assertTrue(operator.waitFor(30, TimeUnit.SECONDS), "the operator stops on SIGTERM");
            String output = read(log);
            assertTrue(output.contains("reason=Succeeded"), output);
            assertFalse(output.contains(db.password()), "the operator logged the password");
        }
    }

    /**
     * The command and environment the chart's Deployment gives the image's `java -jar dbmigrate.jar` (cli/Dockerfile's
     * entry point), leader election included: the probes answer, the Lease is taken, SIGTERM stops it.
     */
    @Test
    void chartsCommandLineServesProbesTakesTheLeaseAndStopsOnSigterm() throws Exception {
        try (TestCluster cluster = TestCluster.start(Map.of(),
                namespace -> RbacGrants.of(RenderedChart.render("", namespace)).rulesIn(namespace))) {
            String home = cluster.newNamespace("dbmigrate-system");
            ChartOperator chart = ChartOperator.render(home, cluster.newNamespace("jar-chart"));
            List<String> command = new ArrayList<>(List.of("java", "-jar", System.getProperty("dbmigrate.operator.jar")));
            command.addAll(chart.args());
            Path log = temp.resolve("operator-chart.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("KUBECONFIG", ChartOperator.kubeconfig(temp.resolve("kubeconfig"), cluster.client()).toString());
            builder.environment().putAll(chart.env());
            Process operator = builder.start();
            try {
                chart.assertServing(cluster, () -> read(log));
            } finally {
                operator.destroy();
            }
            boolean stopped = operator.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                operator.destroyForcibly();
            }
            assertTrue(stopped, "the leading operator stops on SIGTERM:\n" + read(log));
            String output = read(log);
            assertTrue(output.contains(chart.pickedUpJavaToolOptions()), output);
            assertFalse(output.contains("lease lost"), output);
        }
    }

    /** What docs/install.md promises of a failed start: it exits, naming the kubeconfig, the server and the fault. */
    @Test
    void aFailedStartNamesTheKubeconfigAndTheServer() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        Path kubeconfig = ChartOperator.kubeconfig(temp.resolve("closed-port-kubeconfig"), "https://127.0.0.1:" + closed);
        Path log = temp.resolve("operator-failed.log");
        ProcessBuilder command = new ProcessBuilder("java", "-jar", System.getProperty("dbmigrate.operator.jar"), "operator")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        command.environment().put("KUBECONFIG", kubeconfig.toString());
        Process operator = command.start();
        boolean exited = operator.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            operator.destroyForcibly();
        }
        assertTrue(exited, "the operator exits when it cannot start:\n" + read(log));
        assertEquals(1, operator.exitValue());
        assertEquals("dbmigrate: cannot start the operator: kubeconfig " + kubeconfig.toAbsolutePath() + " names https://127.0.0.1:"
                + closed + "/, and nothing accepts connections there", read(log).strip());
    }

    private static String read(Path file) {
        return ChartOperator.read(file);
    }
}
