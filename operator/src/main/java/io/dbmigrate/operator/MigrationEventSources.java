package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What wakes the reconciler: informers on the resource's Jobs, their pods, and the application Deployments its
 * rollout gates name, each mapped back to the DatabaseMigrations it concerns. Their caches are what
 * {@link ClusterObserver} reads.
 */
final class MigrationEventSources {
    private static final String DEPLOYMENTS = "deployments";
    private static final String ALL_NAMESPACES = "";
    private static final String SELECTOR = JobFactory.LABEL_MANAGED_BY + "=" + JobFactory.MANAGED_BY;

    private MigrationEventSources() {
    }

    static List<EventSource<?, DatabaseMigration>> of(EventSourceContext<DatabaseMigration> context) {
        InformerEventSourceConfiguration<Job> jobs = InformerEventSourceConfiguration.from(Job.class, DatabaseMigration.class)
                .withName("jobs")
                .withLabelSelector(SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DatabaseMigration.class))
                .build();
        // Pods are owned by their Job, not by us: the migration label leads back to the resource.
        InformerEventSourceConfiguration<Pod> pods = InformerEventSourceConfiguration.from(Pod.class, DatabaseMigration.class)
                .withName("pods")
                .withLabelSelector(SELECTOR)
                .withSecondaryToPrimaryMapper((Pod pod) -> migrationOf(pod))
                .build();
        List<EventSource<?, DatabaseMigration>> sources = new ArrayList<>(List.of(new InformerEventSource<>(jobs, context),
                new InformerEventSource<>(pods, context)));
        // Deployments are the application's, not ours: a rollout wakes the migrations whose gates name it. JOSDK gives
        // each watched namespace an informer of its own but hands them all the one ItemStore configured, and each
        // informer's re-list drops from that store what its namespace does not have: so one source, and one store, per
        // namespace (or one for all namespaces).
        Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
        for (String namespace : InformerConfiguration.allNamespacesWatched(namespaces) ? Set.of(ALL_NAMESPACES)
                : namespaces) {
            InformerEventSourceConfiguration.Builder<Deployment> deployments = InformerEventSourceConfiguration
                    .from(Deployment.class, DatabaseMigration.class)
                    .withName(deploymentSource(namespaces, namespace))
                    .withItemStore(new RolloutFieldsStore())
                    .withSecondaryToPrimaryMapper((Deployment deployment) -> gatedOn(deployment, context));
            if (!ALL_NAMESPACES.equals(namespace)) {
                deployments.withNamespaces(Set.of(namespace));
            }
            sources.add(new InformerEventSource<>(deployments.build(), context));
        }
        return sources;
    }

    /** The name of the Deployment source that sees this namespace. */
    static String deploymentSource(Set<String> watched, String namespace) {
        return InformerConfiguration.allNamespacesWatched(watched) ? DEPLOYMENTS : DEPLOYMENTS + "-" + namespace;
    }

    private static Set<ResourceID> gatedOn(Deployment deployment, EventSourceContext<DatabaseMigration> context) {
        String namespace = deployment.getMetadata().getNamespace();
        String name = deployment.getMetadata().getName();
        return context.getPrimaryCache().list(namespace)
                .filter(migration -> rolloutGates(migration).contains(name))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    /** The Deployments the resource's rollout gates name. */
    static Set<String> rolloutGates(DatabaseMigration migration) {
        if (migration.getSpec() == null || migration.getSpec().steps() == null) {
            return Set.of();
        }
        return migration.getSpec().steps().stream()
                .filter(step -> step.gate() != null && step.gate().deploymentRollout() != null)
                .map(step -> step.gate().deploymentRollout().name())
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
    }

    private static Set<ResourceID> migrationOf(HasMetadata owned) {
        String name = owned.getMetadata().getLabels() == null ? null
                : owned.getMetadata().getLabels().get(JobFactory.LABEL_MIGRATION);
        return name == null ? Set.of() : Set.of(new ResourceID(name, owned.getMetadata().getNamespace()));
    }
}
