package io.dbmigrate.operator;

import io.dbmigrate.operator.runtime.LeaderElection;
import io.dbmigrate.operator.runtime.OperatorHealth;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The running operator: JOSDK with server-side apply off for the primary and dependents, because what runs in
 * production must be what is tested, and the test API server has no server-side apply. It owns the metrics registry
 * (JOSDK's reconcile metrics and {@link MigrationMetrics}) and answers the health questions the HTTP probes ask. It
 * reconciles DatabaseMigrations and the DatabaseMigrationSets that make them.
 */
public final class OperatorRuntime implements OperatorHealth, AutoCloseable {
    private final Operator operator;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean stopping;

    private OperatorRuntime(Operator operator, PrometheusMeterRegistry registry, AtomicBoolean stopping) {
        this.operator = operator;
        this.registry = registry;
        this.stopping = stopping;
    }

    /** Starts reconciling DatabaseMigrations and sets in the given namespaces, or in all of them when the set is empty. */
    public static OperatorRuntime start(KubernetesClient client, Set<String> namespaces, Clock clock) {
        OperatorRuntime runtime = create(client, namespaces, clock, Optional.empty());
        runtime.start();
        return runtime;
    }

    /**
     * Builds the operator without starting it, so the probes can answer (not ready yet) while the informers sync.
     * With leader election every replica syncs its informers, and only the Lease holder reconciles.
     */
    public static OperatorRuntime create(KubernetesClient client, Set<String> namespaces, Clock clock,
                                                                              Optional<LeaderElection> leaderElection) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MigrationMetrics migrationMetrics = new MigrationMetrics(registry);
        SetMetrics setMetrics = new SetMetrics(registry);
        // JOSDK times reconciles through the first of the list only, so its own metrics go first.
        AggregatedMetrics metrics = new AggregatedMetrics(List.of(
                MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource().build(),
                migrationMetrics, setMetrics));
        AtomicBoolean stopping = new AtomicBoolean();
        Operator operator = new Operator(overrider -> {
            overrider
                    .withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10))
                    .withMetrics(metrics);
            leaderElection.ifPresent(election -> overrider.withLeaderElectionConfiguration(
                    election.configuration(stopping::get)));
        });
        operator.register(new DatabaseMigrationReconciler(client, clock, migrationMetrics), watching(namespaces));
        operator.register(new DatabaseMigrationSetReconciler(client, clock, setMetrics), watching(namespaces));
        return new OperatorRuntime(operator, registry, stopping);
    }

    private static <R extends HasMetadata> Consumer<ControllerConfigurationOverrider<R>> watching(Set<String> namespaces) {
        return configuration -> {
            if (!namespaces.isEmpty()) {
                configuration.settingNamespaces(namespaces);
            }
            // A safety net for a missed watch event; informers do the real waking.
            configuration.withReconciliationMaxInterval(Duration.ofMinutes(5));
        };
    }

    /** Starts the informers (and, without leader election or once leading, reconciling); returns when they synced. */
    public void start() {
        operator.start();
    }

    /** Informers synced and healthy: a standby replica is ready too, its caches are warm for a failover. */
    @Override
    public boolean ready() {
        RuntimeInfo info = operator.getRuntimeInfo();
        return info.isStarted() && info.allEventSourcesAreHealthy();
    }

    @Override
    public boolean live() {
        return !stopping.get();
    }

    @Override
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        stopping.set(true);
        operator.stop();
        registry.close();
    }
}
