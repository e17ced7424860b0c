package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.fleet.SetObservation;
import io.dbmigrate.fleet.SetReconciliation;
import io.dbmigrate.validate.SetValidator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A DatabaseMigrationSet's reconcile: observe ({@link SetObserver}), decide ({@link SetReconciliation}, pure), write
 * the children and spend the annotations ({@link SetEffects}), write the status ({@link SetStatusWriter}), each with
 * its Events. Each child
 * is then an ordinary DatabaseMigration, reconciled by {@link DatabaseMigrationReconciler} with all its guarantees;
 * its status changes wake the set through the children's informer. Not generation-aware: the approve and retry
 * annotations leave the generation alone.
 */
@ControllerConfiguration(name = DatabaseMigrationSetReconciler.NAME, generationAwareEventProcessing = false)
public class DatabaseMigrationSetReconciler implements Reconciler<DatabaseMigrationSet> {
    public static final String NAME = "databasemigrationset";

    private final SetObserver observer;
    private final SetEffects effects;
    private final SetStatusWriter status;

    public DatabaseMigrationSetReconciler(KubernetesClient client, Clock clock, SetMetrics metrics) {
        EventRecorder events = new EventRecorder(client, clock);
        this.observer = new SetObserver(clock, new CatalogReader(client, clock));
        this.effects = new SetEffects(client, events);
        this.status = new SetStatusWriter(client, events, metrics);
    }

    @Override
    public List<EventSource<?, DatabaseMigrationSet>> prepareEventSources(EventSourceContext<DatabaseMigrationSet> context) {
        // The children, mapped back to their set by the controller reference. No label selector: the test API server
        // has only equality selectors, and a child's set is in its owner reference anyway.
        InformerEventSourceConfiguration<DatabaseMigration> children = InformerEventSourceConfiguration
                .from(DatabaseMigration.class, DatabaseMigrationSet.class)
                .withName("children")
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DatabaseMigrationSet.class))
                .build();
        // Every Secret of the watched namespaces (a set's selector is the user's, so the informer cannot filter), kept
        // slim: a new tenant's Secret wakes the sets whose selector it matches, with no polling.
        InformerEventSourceConfiguration<Secret> secrets = InformerEventSourceConfiguration
                .from(Secret.class, DatabaseMigrationSet.class)
                .withName(SetObserver.SECRETS)
                .withItemStore(new DatabaseSecretStore())
                .withSecondaryToPrimaryMapper((Secret secret) -> context.getPrimaryCache()
                        .list(secret.getMetadata().getNamespace())
                        .filter(set -> SetObserver.selects(set, secret))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(children, context), new InformerEventSource<>(secrets, context));
    }

    @Override
    public UpdateControl<DatabaseMigrationSet> reconcile(DatabaseMigrationSet set, Context<DatabaseMigrationSet> context) {
        List<String> problems = SetValidator.problems(set);
        SetObservation observation = observer.observe(set, context, problems.isEmpty());
        SetReconciliation outcome = SetReconciliation.of(observation, problems);
        effects.carryOut(outcome);
        status.update(set, outcome.status());
        UpdateControl<DatabaseMigrationSet> control = UpdateControl.noUpdate();
        outcome.requeue().ifPresent(control::rescheduleAfter);
        return control;
    }
}
