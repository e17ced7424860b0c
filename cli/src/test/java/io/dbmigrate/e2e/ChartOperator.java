package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.operator.runtime.LeaderElection;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.MetricsScrape;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.rbac.RenderedChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operator as the chart's Deployment runs it (charts/dbmigrate-operator rendered with a namespace to watch and a
 * free HTTP port): its args and environment, and what a started one must do (answer the probes and metrics, take the
 * Lease). OperatorJarIT runs the jar with them, OperatorImageIT the image.
 */
public record ChartOperator(String home, int port, List<String> args, Map<String, String> env) {

    /** The pod name the tests give it (the kubelet's POD_NAME fieldRef): the Lease's holder identity. */
    public static final String POD_NAME = "dbmigrate-operator-0";

    /** The chart rendered into {@code home}, watching {@code watched}, on a free loopback port. */
    public static ChartOperator render(String home, String watched) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Container container = RenderedChart.render("watchNamespaces: [" + watched + "]\nhttpPort: " + port + "\n", home)
                .one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        // What the kubelet would set from the chart's env: fieldRefs resolved, values as they are.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POD_NAMESPACE", home);
        env.put("POD_NAME", POD_NAME);
        container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return new ChartOperator(home, port, List.copyOf(container.getArgs()), Map.copyOf(env));
    }

    /** The line the JVM prints when it picks up the chart's JAVA_TOOL_OPTIONS. */
    public String pickedUpJavaToolOptions() {
        return "Picked up JAVA_TOOL_OPTIONS: " + env.get("JAVA_TOOL_OPTIONS");
    }

    /** Waits for /readyz, then checks /healthz, the Lease and a metric; {@code log} tells what it printed. */
    public void assertServing(TestCluster cluster, Supplier<String> log) {
        HttpClient http = HttpClient.newHttpClient();
        Await.until(Duration.ofSeconds(90), () -> status(http, "/readyz") == 200,
                () -> "/readyz to answer 200; operator log:\n" + log.get());
        assertEquals(200, status(http, "/healthz"));
        Await.until(Duration.ofSeconds(30), () -> POD_NAME.equals(holder(cluster)),
                () -> "the Lease to be taken; operator log:\n" + log.get());
        assertTrue(MetricsScrape.of(port).value("dbmigrate_resources", Map.of("phase", "Succeeded")).isPresent(),
                () -> MetricsScrape.of(port).text());
    }

    private int status(HttpClient http, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String holder(TestCluster cluster) {
        Lease lease = cluster.client().leases().inNamespace(home).withName(LeaderElection.DEFAULT_LEASE_NAME).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The kubeconfig of the API server under test: DBMIGRATE_TEST_KUBECONFIG itself, or {@code file} for the mock. */
    public static Path kubeconfig(Path file, KubernetesClient client) throws IOException {
        String given = System.getenv(TestCluster.KUBECONFIG_VARIABLE);
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        return kubeconfig(file, client.getConfiguration().getMasterUrl());
    }

    /** A kubeconfig naming {@code server}, with a token and without TLS verification. */
    public static Path kubeconfig(Path file, String server) throws IOException {
        return Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: test, user: {token: test}}]
        contexts: [{name: test, context: {cluster: test, user: test}}]
        current-context: test
        """.formatted(server));
    }

    /** A log file's text, or a note that it could not be read (for assertion messages). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
