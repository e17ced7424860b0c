package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Effects;
import io.dbmigrate.decide.Reconciliation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.validate.SpecValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;

/**
 * Observes, computes the reconcile's outcome ({@link Reconciliation}), carries out its effects and writes its status.
 * No sleeps and no polling: Job, Pod and Deployment informers wake it, and the outcome says when only time can.
 * Not generation-aware: an approval is an annotation, which leaves the generation alone, and must still wake it.
 */
@ControllerConfiguration(name = DatabaseMigrationReconciler.NAME, generationAwareEventProcessing = false)
public class DatabaseMigrationReconciler implements Reconciler<DatabaseMigration> {
    public static final String NAME = "databasemigration";

    private final Clock clock;
    private final ClusterObserver observer;
    private final Effects effects;
    private final PlanPublisher publisher;
    private final StatusWriter status;

    /** The operator's: every collaborator talks to the API server through {@code client}. */
    public DatabaseMigrationReconciler(KubernetesClient client, Clock clock, MigrationMetrics metrics) {
        this(client, clock, new StatusWriter(client, clock, metrics));
    }

    private DatabaseMigrationReconciler(KubernetesClient client, Clock clock, StatusWriter status) {
        this(clock, new ClusterObserver(client, clock), new ClusterEffects(client), new PlanPublisher(client, status),
                status);
    }

    DatabaseMigrationReconciler(Clock clock, ClusterObserver observer, Effects effects, PlanPublisher publisher,
                                                            StatusWriter status) {
        this.clock = clock;
        this.observer = observer;
        this.effects = effects;
        this.publisher = publisher;
        this.status = status;
    }

    @Override
    public List<EventSource<?, DatabaseMigration>> prepareEventSources(EventSourceContext<DatabaseMigration> context) {
        return MigrationEventSources.of(context);
    }

    @Override
    public UpdateControl<DatabaseMigration> reconcile(DatabaseMigration resource, Context<DatabaseMigration> context) {
        List<String> problems = SpecValidator.problems(resource);
        Observation observation = observer.observe(resource, context, problems.isEmpty());
        Reconciliation outcome = Reconciliation.of(observation, problems);
        if (outcome.decision() instanceof Decision.JobLost lost) {
            // The informer may not have seen a Job created moments ago: only the API server can say it is gone.
            outcome = observer.withLiveJob(observation, lost.step().jobName(), context)
                    .map(live -> Reconciliation.of(live, problems)).orElse(outcome);
        }
        if (outcome.publishesPlan()) {
            publisher.publish(outcome);
        } else {
            effects.carryOut(outcome);
            status.update(resource, outcome.status());
        }
        UpdateControl<DatabaseMigration> control = UpdateControl.noUpdate();
        outcome.requeue().ifPresent(control::rescheduleAfter);
        return control;
    }

    /**
     * A Job or ConfigMap built from this spec was refused as invalid ({@link RefusedWrite}): the API server will never
     * accept it, e.g. a jobTemplate label it rejects. Retrying cannot help, so the status says so (Stalled, reason
     * RejectedByApiServer, the server's message) and the next edit of the resource tries again. Every other error,
     * including a 422 on the operator's own status patch, keeps JOSDK's retries.
     */
    @Override
    public ErrorStatusUpdateControl<DatabaseMigration> updateErrorStatus(DatabaseMigration resource,
                                                                                                                                            Context<DatabaseMigration> context, Exception e) {
        RefusedWrite refused = RefusedWrite.in(e);
        if (refused == null) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        status.replace(resource, StatusAggregator.refused(resource, Reasons.REJECTED_BY_API_SERVER, refused.getMessage(),
                clock.instant()));
        return ErrorStatusUpdateControl.<DatabaseMigration>noStatusUpdate().withNoRetry();
    }
}
