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

/**
 * The fabric8 mock API server in CRUD mode on loopback, with the committed CRD, for unit tests that drive the operator's
 * classes directly: no kubelet, no Job controller (the test plays them). {@link TestCluster} is the end-to-end one.
 */
public final class MockApiServer implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private MockApiServer(KubernetesMockServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

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
        return new MockApiServer(server, client);
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
