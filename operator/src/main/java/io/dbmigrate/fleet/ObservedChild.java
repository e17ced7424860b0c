package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.status.Reasons;
import java.util.Map;

/**
 * One of the set's DatabaseMigrations as the rollout sees it: its target, the set generation it was written for,
 * whether it is a canary, and where its migration of that spec stands.
 *
 * @param finishedAt when it succeeded or failed (its Ready or Stalled condition's last transition); null while it runs
 * @param awaiting   the plan it waits to have approved, while it runs and waits for that; null otherwise
 */
public record ObservedChild(String name, String uid, String target, long setGeneration, boolean canary, State state,
                            String reason, String message, String finishedAt, AwaitedPlan awaiting) {

    public enum State { RUNNING, SUCCEEDED, FAILED }

    /**
     * A step's plan that waits for an approval.
     *
     * @param plan its digest; null while it is not yet published
     */
    public record AwaitedPlan(String step, String plan, String reason) {
    }

    /** The child as its status says, read against its own generation: a status of an older spec says it still runs. */
    public static ObservedChild of(DatabaseMigration child) {
        Map<String, String> annotations = child.getMetadata().getAnnotations() == null ? Map.of()
                : child.getMetadata().getAnnotations();
        long setGeneration = parse(annotations.get(DatabaseMigrationSet.SET_GENERATION_ANNOTATION));
        boolean canary = Boolean.parseBoolean(annotations.get(DatabaseMigrationSet.CANARY_ANNOTATION));
        String target = annotations.get(DatabaseMigrationSet.TARGET_ANNOTATION);
        DatabaseMigrationStatus status = child.getStatus();
        Long generation = child.getMetadata().getGeneration();
        State state = State.RUNNING;
        String reason = null;
        String since = null;
        if (status != null && status.phase() != null && status.observedGeneration() != null
                && status.observedGeneration().equals(generation == null ? 1L : generation)) {
            if (status.phase() == Phase.Succeeded) {
                state = State.SUCCEEDED;
                since = transition(status, StatusCondition.READY);
            } else if (status.phase() == Phase.Failed) {
                state = State.FAILED;
                since = transition(status, StatusCondition.STALLED);
            }
            reason = status.conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type()))
                    .map(StatusCondition::reason).findFirst().orElse(null);
        }
        AwaitedPlan awaiting = state == State.RUNNING && Reasons.awaitsPlanApproval(reason)
                ? new AwaitedPlan(status.currentStep(), digest(status), reason) : null;
        return new ObservedChild(child.getMetadata().getName(), child.getMetadata().getUid(), target, setGeneration,
                canary, state, reason, status == null ? null : status.message(), since, awaiting);
    }

    private static String digest(DatabaseMigrationStatus status) {
        return status.steps() == null ? null : status.steps().stream()
                .filter(s -> s.name() != null && s.name().equals(status.currentStep()) && s.plan() != null)
                .map(StepStatus::plan).map(p -> p.digest()).findFirst().orElse(null);
    }

    private static String transition(DatabaseMigrationStatus status, String type) {
        return status.conditionsOrEmpty().stream().filter(c -> type.equals(c.type()) && c.isTrue())
                .map(StatusCondition::lastTransitionTime).findFirst().orElse(null);
    }

    private static long parse(String value) {
        try {
            return value == null ? 0L : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0L;
        }
    }
}
