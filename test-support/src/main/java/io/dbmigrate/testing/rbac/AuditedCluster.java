package io.dbmigrate.testing.rbac;

import io.dbmigrate.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test cluster of one end-to-end suite ({@code @RegisterExtension static final}), whose operator gets a client of
 * its own: after the suite, every request that client made is checked against the chart's RBAC ({@link RbacAudit}),
 * then the client and the cluster are closed.
 */
public final class AuditedCluster implements BeforeAllCallback, AfterAllCallback {

    /** The images pods may use (see {@link TestCluster#start}), made when the suite starts. */
    @FunctionalInterface
    public interface Images {
        Map<String, Map<String, String>> make() throws Exception;
    }

    private final Images images;
    private final List<String> mustInclude;
    private final ApiRequestLog requests = new ApiRequestLog();
    private TestCluster cluster;
    private KubernetesClient operatorClient;

    private AuditedCluster(Images images, List<String> mustInclude) {
        this.images = images;
        this.mustInclude = mustInclude;
    }

    /** Audited for the requests every suite that runs a migration makes. */
    public static AuditedCluster of(Images images) {
        return new AuditedCluster(images, null);
    }

    /**
     * @param mustInclude prefixes of requests the suite must have made (what only it exercises): an empty or partial
     *                    log would pass the audit without looking at it
     */
    public static AuditedCluster of(Images images, List<String> mustInclude) {
        return new AuditedCluster(images, mustInclude);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = TestCluster.start(images.make());
        operatorClient = cluster.newClient(ApiRequestLog.NAME, requests);
    }

    public TestCluster cluster() {
        return cluster;
    }

    /** The client to give the operator: only its requests are audited. */
    public KubernetesClient operatorClient() {
        return operatorClient;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster == null) {
            return;
        }
        try {
            if (mustInclude == null) {
                RbacAudit.assertChartAllows(requests.requests(), cluster.namespaces());
            } else {
                RbacAudit.assertChartAllows(requests.requests(), cluster.namespaces(), RenderedChart.RELEASE_NAMESPACE,
                        mustInclude);
            }
        } finally {
            operatorClient.close();
            cluster.close();
        }
    }
}
