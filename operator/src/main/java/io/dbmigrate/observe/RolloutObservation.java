package io.dbmigrate.observe;

/**
 * A Deployment named by a deploymentRollout gate, as observed.
 *
 * @param complete whether its rollout is complete, as `kubectl rollout status` judges it
 * @param detail   what it waits for, for people (e.g. "2 of 3 replicas updated")
 */
public record RolloutObservation(String name, boolean exists, boolean complete, String detail) {

    public static RolloutObservation missing(String name) {
        return new RolloutObservation(name, false, false, "Deployment " + name + " not found");
    }
}
