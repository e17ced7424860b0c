package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Reconciliation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gated step's plan, seen for the first time, is shown: in its ConfigMap and in status. Every approval the gate
 * ever counts must come after that. So an approval already in the annotation is spent first, and status is written
 * with the resourceVersion this reconcile knows (after its own annotation patch): when the resource changed meanwhile
 * (an approval given while the plan was being shown), the write fails and the next reconcile spends that approval
 * before it shows the plan again. Whatever happens, a reconcile follows ({@link Reconciliation#ANNOTATION_RECHECK}),
 * not waiting for the event of this one's own write.
 */
final class PlanPublisher {
    // The reconciler's log lines, under its name as before they moved here.
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);

    private final KubernetesClient client;
    private final StatusWriter status;

    PlanPublisher(KubernetesClient client, StatusWriter status) {
        this.client = client;
        this.status = status;
    }

    void publish(Reconciliation outcome) {
        DatabaseMigration resource = outcome.resource();
        Decision.AwaitGate gate = (Decision.AwaitGate) outcome.decision();
        String resourceVersion = resource.getMetadata().getResourceVersion();
        if (!outcome.spentApprovals().isEmpty()) {
            DatabaseMigration patched = ApprovalAnnotation.consume(client, resource, outcome.spentApprovals(), true);
            if (patched == null) {
                return;
            }
            resourceVersion = patched.getMetadata().getResourceVersion();
        }
        publishPlan(resource, gate);
        if (!status.replaceIfUnchanged(resource, resourceVersion, outcome.status())) {
            LOG.info("msg=\"resource changed while its plan was published; publishing again\" resource={}/{} step={}",
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), gate.step().name());
        }
    }

    // Create or replace: each generation's plan of the step takes the step's one ConfigMap.
    private void publishPlan(DatabaseMigration resource, Decision.AwaitGate gate) {
        ConfigMap configMap = PlanConfigMaps.build(resource, gate.step(), gate.publish());
        try {
            client.configMaps().inNamespace(resource.getMetadata().getNamespace()).resource(configMap).createOr(
                    existing -> existing.update());
        } catch (KubernetesClientException e) {
            throw RefusedWrite.orRethrow("ConfigMap " + configMap.getMetadata().getName(), e);
        }
        LOG.info("msg=\"plan published\" resource={}/{} step={} configMap={}", resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(), gate.step().name(), configMap.getMetadata().getName());
    }
}
