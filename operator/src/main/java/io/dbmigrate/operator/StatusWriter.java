package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place status is written: the whole status, as a JSON patch of the status subresource ({@link StatusPatch}),
 * followed by the transition's Events, log lines and metrics.
 */
final class StatusWriter {
    // The reconciler's log lines, under its name as before they moved here.
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);

    private final KubernetesClient client;
    private final MigrationMetrics metrics;
    private final EventRecorder events;

    StatusWriter(KubernetesClient client, Clock clock, MigrationMetrics metrics) {
        this.events = new EventRecorder(client, clock);
        this.client = client;
        this.metrics = metrics;
    }

    /** Writes the status when it changed: a patch that changes nothing is skipped, the metrics see it either way. */
    void update(DatabaseMigration resource, DatabaseMigrationStatus after) {
        if (Objects.equals(resource.getStatus(), after)) {
            metrics.record(resource, resource.getStatus(), after);
        } else {
            replace(resource, after);
        }
    }

    /** Writes the status, changed or not. */
    void replace(DatabaseMigration resource, DatabaseMigrationStatus after) {
        patch(resource, StatusPatch.replace(after));
        recordTransition(resource, after);
    }

    /**
     * Writes the status only if the resource is still at {@code resourceVersion}.
     *
     * @return false when it changed meanwhile, and nothing was written
     */
    boolean replaceIfUnchanged(DatabaseMigration resource, String resourceVersion, DatabaseMigrationStatus after) {
        try {
            patch(resource, StatusPatch.ifUnchanged(resourceVersion, after));
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != 422) {
                throw e;
            }
            return false;
        }
        recordTransition(resource, after);
        return true;
    }

    private void patch(DatabaseMigration resource, String patch) {
        client.resources(DatabaseMigration.class).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), patch);
    }

    private void recordTransition(DatabaseMigration resource, DatabaseMigrationStatus after) {
        DatabaseMigrationStatus before = resource.getStatus();
        metrics.record(resource, before, after);
        for (TransitionEvent event : TransitionEvent.between(before, after)) {
            LOG.info("msg=transition resource={}/{} generation={} reason={} message=\"{}\"",
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), after.observedGeneration(),
                    event.reason(), event.message());
            events.record(resource, event);
        }
    }
}
