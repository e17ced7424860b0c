package io.dbmigrate.testing;

import io.dbmigrate.testing.jobs.TestJobController;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes the end-to-end tests run against. With {@value #KUBECONFIG_VARIABLE} set, the API server that
 * kubeconfig names (the CRD is applied and awaited, namespaces are created and deleted for real); otherwise the fabric8
 * mock server in CRUD mode on loopback. Either way a {@link TestKubelet} runs the pods of the namespaces handed out by
 * {@link #newNamespace} and a {@link TestJobController} stands in for a Job controller where there is none.
 *
 * <p>The client uses the JDK HTTP client explicitly: JOSDK brings both the JDK and the Vert.x factories, and fabric8
 * otherwise picks one of equal priority at random, which would make runs differ for no reason.
 */
public final class TestCluster implements AutoCloseable {

    public static final String KUBECONFIG_VARIABLE = "DBMIGRATE_TEST_KUBECONFIG";
    public static final String CRD_NAME = "databasemigrations.dbmigrate.io";
    public static final String SET_CRD_NAME = "databasemigrationsets.dbmigrate.io";
    /** Every CRD the operator needs: it watches both kinds and does not start without them. */
    public static final List<String> CRD_NAMES = List.of(CRD_NAME, SET_CRD_NAME);
    static final int CONTROLLER_PROBE_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(TestCluster.class);
    private static final String NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    // Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
    private static final java.util.logging.Logger MOCK_SERVER_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    private final KubernetesClient client;
    private final KubernetesMockServer mockServer;
    private final Path root;
    private final TestKubelet kubelet;
    private final TestJobController jobController;
    private final List<String> namespaces = new CopyOnWriteArrayList<>();
    private Boolean deploymentController;

    private TestCluster(KubernetesClient client, KubernetesMockServer mockServer, Path root,
                        Map<String, Map<String, String>> images) {
        this.client = client;
        this.mockServer = mockServer;
        this.root = root;
        this.kubelet = new TestKubelet(client, List.of(), runnerJar(), root, images);
        this.jobController = TestJobController.forServer(client, mockServer != null);
    }

    /**
     * @param images the images pods may use: image name to its folders ({@code /migrations -> host folder})
     */
    public static TestCluster start(Map<String, Map<String, String>> images) {
        return start(images, null);
    }

    /**
     * @param rulesIn on the mock server, the rules a SelfSubjectRulesReview reports for a namespace (the mock cannot
     *                compute them); a real API server computes them for the kubeconfig's user
     */
    public static TestCluster start(Map<String, Map<String, String>> images,
                                    Function<String, List<ResourceRule>> rulesIn) {
        Path root = workFolder();
        String kubeconfig = System.getenv(KUBECONFIG_VARIABLE);
        KubernetesClient client = null;
        KubernetesMockServer server = null;
        try {
            if (kubeconfig != null && !kubeconfig.isBlank()) {
                Path file = Path.of(kubeconfig.trim());
                client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(file.toFile()))
                        .withHttpClientFactory(new JdkHttpClientFactory()).build();
                LOG.info(LogLine.of("cluster-real", "kubeconfig", file, "server", client.getMasterUrl()));
            } else {
                // The Context only serves recorded expectations; the CRUD dispatcher has its own (fabric8's) mapper.
                server = new KubernetesMockServer(new Context(), new MockWebServer(),
                        new HashMap<>(), rulesIn == null ? new KubernetesCrudDispatcher(List.of())
                        : new RulesReviewingCrudDispatcher(rulesIn), false);
                quietMockServerRequestLog();
                server.init(InetAddress.getLoopbackAddress(), 0);
                client = server.createClient(new JdkHttpClientFactory());
                LOG.info(LogLine.of("cluster-mock", "server", client.getMasterUrl()));
            }
            TestCluster cluster = new TestCluster(client, server, root, images);
            cluster.applyCrd();
            LOG.info(LogLine.of("cluster-started", "root", root, "jobController", cluster.jobController.mode()));
            return cluster;
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.destroy();
            }
            throw e;
        }
    }

    /**
     * The mock server logs every request at INFO through java.util.logging, which buries the pods' output. Set
     * -Ddbmigrate.test.mock.requests=true to see them again.
     */
    private static void quietMockServerRequestLog() {
        if (!Boolean.getBoolean("dbmigrate.test.mock.requests")) {
            MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * A client of its own for the operator, to the same API server, whose requests (and only those) the interceptor
     * sees: the fixtures' requests go through {@link #client()}. The caller closes it.
     */
    public KubernetesClient newClient(String interceptorName, Interceptor interceptor) {
        return new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientFactory(new JdkHttpClientFactory())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor(interceptorName, interceptor))
                .build();
    }

    /** The namespaces {@link #newNamespace} handed out so far. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    public TestKubelet kubelet() {
        return kubelet;
    }

    public TestJobController jobController() {
        return jobController;
    }

    public boolean isMock() {
        return mockServer != null;
    }

    /**
     * Whether a Deployment controller runs here (a real cluster's kube-controller-manager): never on the mock server;
     * on a real one, whether it observes a probe Deployment within {@value #CONTROLLER_PROBE_SECONDS} s. Asked once.
     */
    public synchronized boolean hasDeploymentController() {
        if (deploymentController == null) {
            deploymentController = !isMock() && probeDeploymentController();
            LOG.info(LogLine.of("deployment-controller", "present", deploymentController));
        }
        return deploymentController;
    }

    private boolean probeDeploymentController() {
        String namespace = newUnwatchedNamespace("probe-deployment-controller");
        var probe = client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName("probe").endMetadata()
                .withNewSpec().withReplicas(0)
                .withNewSelector().addToMatchLabels("app", "probe").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "probe").endMetadata()
                .withNewSpec().addNewContainer().withName("probe").withImage("registry.example.com/probe:1").endContainer()
                .endSpec().endTemplate().endSpec().build());
        probe.create();
        Instant end = Instant.now().plusSeconds(CONTROLLER_PROBE_SECONDS);
        while (Instant.now().isBefore(end)) {
            Deployment seen = probe.get();
            if (seen.getStatus() != null && seen.getStatus().getObservedGeneration() != null) {
                return true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing for a Deployment controller", e);
            }
        }
        return false;
    }

    /** Creates Secret {@code name} in {@code namespace} with the keys a credentialsSecret reads by default. */
    public void createCredentials(String namespace, String name, String username, String password) {
        client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withStringData(Map.of("username", username, "password", password)).build()).create();
    }

    /** Where logs, PVC folders and pod folders of this cluster's kubelet are kept (not deleted at close). */
    public Path root() {
        return root;
    }

    /**
     * Creates a namespace named {@code <prefix>-<6 random>} (DNS-1123, at most 63 characters) and has the kubelet and
     * the Job controller watch it.
     */
    public String newNamespace(String prefix) {
        String namespace = newUnwatchedNamespace(prefix);
        kubelet.watch(namespace);
        jobController.watch(namespace);
        LOG.info(LogLine.of("namespace-created", "namespace", namespace));
        return namespace;
    }

    /** A namespace as {@link #newNamespace} makes it, whose pods and Jobs neither the kubelet nor the Job controller see. */
    public String newUnwatchedNamespace(String prefix) {
        String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        if (base.isEmpty()) {
            base = "test";
        }
        if (base.length() > 55) {
            base = base.substring(0, 55).replaceAll("-+$", "");
        }
        StringBuilder name = new StringBuilder(base).append('-');
        for (int i = 0; i < 6; i++) {
            name.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
        }
        String namespace = name.toString();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels("app.kubernetes.io/part-of", "dbmigrate-tests").endMetadata().build()).create();
        namespaces.add(namespace);
        if (!isMock()) {
            ensureDefaultServiceAccount(namespace);
        }
        return namespace;
    }

    /**
     * Pod creation needs the namespace's default ServiceAccount. A full cluster creates it within moments; an API
     * server without controllers never does, so create it, and leave it to the cluster if it was quicker.
     */
    private void ensureDefaultServiceAccount(String namespace) {
        try {
            client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("default").endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        kubelet.close();
        jobController.close();
        if (!isMock()) {
            for (String namespace : namespaces) {
                try {
                    client.namespaces().withName(namespace).delete();
                } catch (KubernetesClientException e) {
                    LOG.warn(LogLine.of("namespace-delete-failed", "namespace", namespace, "error", e.getMessage()));
                }
            }
        }
        client.close();
        if (mockServer != null) {
            mockServer.destroy();
        }
        LOG.info(LogLine.of("cluster-closed", "root", root));
    }

    /**
     * The CRDs as committed. On the mock server this also teaches it the resources' plurals and their status subresources
     * (a PUT of a resource then keeps the status, as a real server does).
     */
    private void applyCrd() {
        CRD_NAMES.forEach(this::applyCrd);
    }

    private void applyCrd(String name) {
        Path file = repoRoot().resolve("crds").resolve(name + "-v1.yaml");
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(file)) {
            crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
        var crds = client.apiextensions().v1().customResourceDefinitions();
        CustomResourceDefinition existing = crds.withName(crd.getMetadata().getName()).get();
        if (existing == null) {
            crds.resource(crd).create();
        } else {
            crd.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            crds.resource(crd).update();
        }
        if (!isMock()) {
            // The mock server has no apiextensions controller: nothing would ever set Established there.
            crds.withName(crd.getMetadata().getName()).waitUntilCondition(c -> c != null && c.getStatus() != null
                    && Specs.list(c.getStatus().getConditions()).stream()
                    .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                    60, TimeUnit.SECONDS);
        }
        LOG.info(LogLine.of("crd-applied", "name", crd.getMetadata().getName(), "replaced", existing != null));
    }

    /** The repository root: system property dbmigrate.repo.root (set by Maven), else the nearest folder with crds/. */
    public static Path repoRoot() {
        String configured = System.getProperty("dbmigrate.repo.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root: set -Ddbmigrate.repo.root");
    }

    /** The runnable runner jar: system property dbmigrate.runner.jar (set by Maven's failsafe configuration). */
    public static Path runnerJar() {
        String configured = System.getProperty("dbmigrate.runner.jar");
        Path jar = configured != null && !configured.isBlank() ? Path.of(configured)
                : repoRoot().resolve("migrations-image").resolve("target").resolve("dbmigrate-runner.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the runner jar " + jar + " does not exist: run the tests with"
                    + " mvn -pl cli -am verify, which builds it first");
        }
        return jar.toAbsolutePath().normalize();
    }

    /**
     * target/test-cluster/<time> of the module whose tests run (Maven runs them in its folder): kept after the run, so
     * a failed CI run still has the pods' logs.
     */
    private static Path workFolder() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        Path target = Path.of("target").toAbsolutePath();
        Path base = Files.isDirectory(target) ? target.resolve("test-cluster") : Path.of(System.getProperty("java.io.tmpdir"), "dbmigrate-test-cluster");
        try {
            return Files.createDirectories(base.resolve(stamp + "-" + Long.toString(RANDOM.nextInt(1 << 20), 36)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
