package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fabric8 mock API server in CRUD mode on loopback, with the committed CRD, for unit tests that drive the operator's
 * classes directly: no kubelet, no Job controller (the test plays them). {@link TestCluster} is the end-to-end one.
 * A test class registers one per test ({@link #perTest}, on a {@code @RegisterExtension} field): it is up before the
 * class's own {@code @BeforeEach} methods run, and closed after each test.
 */
public final class MockApiServer implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private KubernetesMockServer server;
    private KubernetesClient client;

    private MockApiServer() {
    }

    /** A new server for each test of the class. */
    public static MockApiServer perTest() {
        return new MockApiServer();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        MockApiServer started = start();
        server = started.server;
        client = started.client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** A server started now, for a caller that closes it. */
    public static MockApiServer start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        // The JDK client, as TestCluster uses: fabric8 would otherwise pick one of two factories at random.
        KubernetesClient client = server.createClient(new JdkHttpClientFactory());
        // The CRDs teach the mock the resources' status subresources.
        for (String crd : TestCluster.CRD_NAMES) {
            Path file = TestCluster.repoRoot().resolve("crds").resolve(crd + "-v1.yaml");
            try (InputStream in = Files.newInputStream(file)) {
                client.apiextensions().v1().customResourceDefinitions()
                        .resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
        }
        MockApiServer started = new MockApiServer();
        started.server = server;
        started.client = client;
        return started;
    }

    public KubernetesClient client() {
        if (client == null) {
            throw new IllegalStateException("the mock API server starts before each test, not before the class");
        }
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
