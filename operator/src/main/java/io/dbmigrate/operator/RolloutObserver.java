package io.dbmigrate.operator;

import io.dbmigrate.observe.RolloutObservation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;

/**
 * Judges a Deployment's rollout as `kubectl rollout status` does: the controller has seen the current generation, every
 * replica runs the new template and is available, and no old replica is left. Pure.
 */
public final class RolloutObserver {

    private RolloutObserver() {
    }

    public static RolloutObservation observe(String name, Deployment deployment) {
        if (deployment == null) {
            return RolloutObservation.missing(name);
        }
        var status = deployment.getStatus();
        long generation = deployment.getMetadata().getGeneration() == null ? 0 : deployment.getMetadata().getGeneration();
        if (status == null || status.getObservedGeneration() == null || status.getObservedGeneration() < generation) {
            return waiting(name, "the Deployment controller has not observed generation " + generation + " yet");
        }
        if (status.getConditions() != null) {
            for (DeploymentCondition condition : status.getConditions()) {
                if ("Progressing".equals(condition.getType()) && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                    return waiting(name, "rollout exceeded its progress deadline");
                }
            }
        }
        int wanted = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1
                : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int total = orZero(status.getReplicas());
        int available = orZero(status.getAvailableReplicas());
        if (updated < wanted) {
            return waiting(name, updated + " of " + wanted + " replicas updated");
        }
        if (total > updated) {
            return waiting(name, (total - updated) + " old replicas pending termination");
        }
        if (available < updated) {
            return waiting(name, available + " of " + updated + " updated replicas available");
        }
        return new RolloutObservation(name, true, true, "rollout complete: " + updated + " replicas updated and available");
    }

    private static RolloutObservation waiting(String name, String detail) {
        return new RolloutObservation(name, true, false, detail);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
