package io.dbmigrate.operator.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through a coordination.k8s.io Lease, so that two replicas never reconcile at once.
 *
 * <p>JOSDK's own answer to a lost Lease is System.exit(1), also when the operator is being stopped, and a
 * System.exit inside the SIGTERM shutdown hook blocks forever. So JOSDK is told not to exit, and {@code onLost}
 * runs only when the Lease is lost while the operator is not stopping.
 *
 * @param onLost what to do when leadership is lost: the process must stop reconciling (the command exits)
 */
public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
                                                          Duration renewDeadline, Duration retryPeriod, Runnable onLost) {
    public static final String DEFAULT_LEASE_NAME = "dbmigrate-operator";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** Kubernetes' usual timings (those of kube-controller-manager): a failover within about 15 seconds. */
    public static LeaderElection withDefaultTimings(String leaseName, String leaseNamespace, String identity,
                                                                                                    Runnable onLost) {
        return new LeaderElection(leaseName, leaseNamespace, identity, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                onLost);
    }

    /** @param stopping true while the operator is being stopped, when losing the Lease is expected */
    public LeaderElectionConfiguration configuration(BooleanSupplier stopping) {
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
                .withLeaseNamespace(leaseNamespace)
                .withIdentity(identity)
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(renewDeadline)
                .withRetryPeriod(retryPeriod)
                .withExitOnStopLeading(false)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> LOG.info("msg=\"leading\" lease={}/{} identity={}", leaseNamespace, leaseName, identity),
                        () -> {
                            if (!stopping.getAsBoolean()) {
                                LOG.error("msg=\"lease lost\" lease={}/{} identity={}", leaseNamespace, leaseName, identity);
                                onLost.run();
                            }
                        },
                        leader -> LOG.info("msg=\"leader\" lease={}/{} identity={}", leaseNamespace, leaseName, leader)))
                .build();
    }
}
