package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.operator.runtime.LeaderElection;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.MetricsScrape;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.dbmigrate.testing.rbac.RbacGrants;
import io.dbmigrate.testing.rbac.RenderedChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
            command.environment().put("KUBECONFIG", kubeconfig(client).toString());
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
            String watched = cluster.newNamespace("jar-chart");
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            Container container = RenderedChart.render("watchNamespaces: [" + watched + "]\nhttpPort: " + port + "\n", home)
                    .one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
            List<String> command = new ArrayList<>(List.of("java", "-jar", System.getProperty("dbmigrate.operator.jar")));
            command.addAll(container.getArgs());
            Path log = temp.resolve("operator-chart.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("KUBECONFIG", kubeconfig(cluster.client()).toString());
            // What the kubelet would set from the chart's env: fieldRefs resolved, values as they are.
            builder.environment().put("POD_NAMESPACE", home);
            builder.environment().put("POD_NAME", "dbmigrate-operator-0");
            container.getEnv().stream().filter(e -> e.getValue() != null)
                    .forEach(e -> builder.environment().put(e.getName(), e.getValue()));
            Process operator = builder.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                Await.until(Duration.ofSeconds(90), () -> status(http, port, "/readyz") == 200,
                        () -> "/readyz to answer 200; operator log:\n" + read(log));
                assertEquals(200, status(http, port, "/healthz"));
                Await.until(Duration.ofSeconds(30), () -> "dbmigrate-operator-0".equals(holder(cluster, home)),
                        () -> "the Lease to be taken; operator log:\n" + read(log));
                assertTrue(MetricsScrape.of(port).value("dbmigrate_resources", Map.of("phase", "Succeeded")).isPresent(),
                        () -> MetricsScrape.of(port).text());
            } finally {
                operator.destroy();
            }
            boolean stopped = operator.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                operator.destroyForcibly();
            }
            assertTrue(stopped, "the leading operator stops on SIGTERM:\n" + read(log));
            String output = read(log);
            assertTrue(output.contains("Picked up JAVA_TOOL_OPTIONS: " + container.getEnv().stream()
                    .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue()), output);
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
        Path kubeconfig = kubeconfig("closed-port-kubeconfig", "https://127.0.0.1:" + closed);
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

    private static int status(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String holder(TestCluster cluster, String namespace) {
        Lease lease = cluster.client().leases().inNamespace(namespace).withName(LeaderElection.DEFAULT_LEASE_NAME).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    // The kubeconfig of the API server under test: DBMIGRATE_TEST_KUBECONFIG itself, or one for the mock.
    private Path kubeconfig(KubernetesClient client) throws Exception {
        String given = System.getenv(TestCluster.KUBECONFIG_VARIABLE);
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        return kubeconfig("kubeconfig", client.getConfiguration().getMasterUrl());
    }

    private Path kubeconfig(String file, String server) throws Exception {
        return Files.writeString(temp.resolve(file), """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: test, user: {token: test}}]
        contexts: [{name: test, context: {cluster: test, user: test}}]
        current-context: test
        """.formatted(server));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
