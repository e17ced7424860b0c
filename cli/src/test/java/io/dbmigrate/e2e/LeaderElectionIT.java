package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.operator.runtime.LeaderElection;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.rbac.ApiRequestLog;
import io.dbmigrate.testing.rbac.RbacAudit;
import io.dbmigrate.testing.rbac.RbacGrants;
import io.dbmigrate.testing.rbac.RenderedChart;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two operator instances with leader election on one Lease: only the holder reconciles, the other takes over when
 * the holder stops, and a stop is not mistaken for a lost Lease. The resource used is valid (a real API server checks
 * it against the CRD schema) but its credentials Secret does not exist, so its reconcile needs no database: a status
 * write is enough to tell which instance reconciles.
 */
class LeaderElectionIT {
    private static final String LEASE = LeaderElection.DEFAULT_LEASE_NAME;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final List<String> lost = new CopyOnWriteArrayList<>();

    @Test
    void onlyTheLeaseHolderReconcilesAndTheOtherTakesOver() {
        ApiRequestLog requests = new ApiRequestLog();
        // On the mock, JOSDK's Lease permission check is answered from the chart installed in the Lease's namespace.
        try (TestCluster cluster = TestCluster.start(Map.of(),
                namespace -> RbacGrants.of(RenderedChart.render("", namespace)).rulesIn(namespace))) {
            String home = cluster.newNamespace("dbmigrate-system");
            String watched = cluster.newNamespace("leader-election");
            try (KubernetesClient clientA = cluster.newClient(ApiRequestLog.NAME, requests);
                      KubernetesClient clientB = cluster.newClient(ApiRequestLog.NAME, requests)) {
                OperatorRuntime a = OperatorRuntime.create(clientA, Set.of(watched), Clock.systemUTC(), election(home, "a"));
                OperatorRuntime b = OperatorRuntime.create(clientB, Set.of(watched), Clock.systemUTC(), election(home, "b"));
                try {
                    a.start();
                    Await.until(TIMEOUT, () -> "a".equals(holder(cluster, home)), () -> "a to hold the Lease: " + holder(cluster, home));
                    b.start();
                    assertTrue(a.ready() && b.ready(), "the standby is ready too: its informers are synced");

                    cluster.client().resource(migrationWithoutSecret(watched)).create();
                    Await.until(TIMEOUT, () -> waitingForSecret(cluster, watched), () -> "the leader to reconcile the resource");
                    assertEquals(1.0, resourcesCounted(a), a.scrape());
                    assertEquals(0.0, resourcesCounted(b), "the standby reconciled nothing:\n" + b.scrape());
                    assertEquals("a", holder(cluster, home));

                    a.close();
                    Await.until(TIMEOUT, () -> "b".equals(holder(cluster, home)), () -> "b to take the Lease: " + holder(cluster, home));
                    // Taking over, b reconciles every resource it holds in its cache.
                    Await.until(TIMEOUT, () -> resourcesCounted(b) == 1.0, () -> "b to reconcile:\n" + b.scrape());
                    assertEquals(List.of(), lost, "stopping the leader is not a lost Lease");
                } finally {
                    a.close();
                    b.close();
                }
            }
            RbacAudit.assertChartAllows(requests.requests(), List.of(watched), home, List.of(
                    "create authorization.k8s.io/selfsubjectrulesreviews", "get coordination.k8s.io/leases " + LEASE,
                    "create coordination.k8s.io/leases", "patch coordination.k8s.io/leases " + LEASE,
                    "patch dbmigrate.io/databasemigrations/status"));
        }
    }

    // Short timings so the test waits seconds for a failover, not the 15 s of the defaults.
    private Optional<LeaderElection> election(String namespace, String identity) {
        return Optional.of(new LeaderElection(LEASE, namespace, identity, Duration.ofSeconds(2),
                Duration.ofMillis(1500), Duration.ofMillis(250), () -> lost.add(identity)));
    }

    private static String holder(TestCluster cluster, String namespace) {
        Lease lease = cluster.client().leases().inNamespace(namespace).withName(LEASE).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static boolean waitingForSecret(TestCluster cluster, String namespace) {
        DatabaseMigration resource = cluster.client().resources(DatabaseMigration.class).inNamespace(namespace)
                .withName("crm").get();
        return resource != null && resource.getStatus() != null && resource.getStatus().phase() == Phase.Pending
                && resource.getStatus().conditionsOrEmpty().stream()
                .anyMatch(c -> StatusCondition.READY.equals(c.type()) && Reasons.SECRET_NOT_FOUND.equals(c.reason()));
    }

    // The sum of dbmigrate_resources over all phases: how many resources this instance has reconciled.
    private static double resourcesCounted(OperatorRuntime runtime) {
        return runtime.scrape().lines().filter(line -> line.startsWith("dbmigrate_resources{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static DatabaseMigration migrationWithoutSecret(String namespace) {
        return new KubernetesSerialization().unmarshal("""
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: crm, namespace: %s}
        spec:
          database: {host: db.example, name: crm, credentialsSecret: {name: crm-db}}
          migrations: {image: "registry.example.com/crm-migrations:1.0.0"}
          targetRevision: head
          backup: {volume: {persistentVolumeClaim: {claimName: backups}}}
        """.formatted(namespace), DatabaseMigration.class);
    }
}
