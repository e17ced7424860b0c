package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a set's status is written: the whole status as a JSON patch, skipped when nothing changed; then an
 * Event when the phase or its reason moved (a Warning when the rollout failed).
 */
record SetStatusWriter(KubernetesClient client, EventRecorder events, SetMetrics metrics) {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationSetReconciler.class);

    void update(DatabaseMigrationSet set, DatabaseMigrationSetStatus after) {
        metrics.record(set, after);
        if (Objects.equals(set.getStatus(), after)) {
            return;
        }
        client.resources(DatabaseMigrationSet.class).inNamespace(set.getMetadata().getNamespace())
                .withName(set.getMetadata().getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON), StatusPatch.replace(after));
        DatabaseMigrationSetStatus before = set.getStatus();
        String reason = readyReason(after);
        if (before == null || before.phase() != after.phase() || !Objects.equals(readyReason(before), reason)) {
            LOG.info("msg=transition set={}/{} generation={} phase={} reason={} message=\"{}\"",
                    set.getMetadata().getNamespace(), set.getMetadata().getName(), after.observedGeneration(), after.phase(),
                    reason, after.message());
            events.record(set, new TransitionEvent(after.phase() == SetPhase.Failed ? TransitionEvent.Type.Warning
                    : TransitionEvent.Type.Normal, reason, after.message()));
        }
    }

    static String readyReason(DatabaseMigrationSetStatus status) {
        return status.conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type()))
                .map(StatusCondition::reason).findFirst().orElse(null);
    }
}
