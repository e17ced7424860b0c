package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.validate.SetValidator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one reconcile of a set amounts to, from one observation: the children to write, the annotations it spends, the
 * status, and when to look again. Pure; the operator carries it out with API writes.
 *
 * @param writes         the children to create, update or recreate, in rollout order
 * @param spentRetries   the targets to take out of the retry annotation
 * @param spendsApproval whether the canary approval is used up (the rest starts now)
 * @param requeue        when to reconcile again though nothing changed; empty: when something does
 */
public record SetReconciliation(SetObservation observation, List<ChildWrite> writes, Set<String> spentRetries,
                                boolean spendsApproval, DatabaseMigrationSetStatus status, Optional<Duration> requeue) {

    public static SetReconciliation of(SetObservation observation) {
        return of(observation, SetValidator.problems(observation.set()));
    }

    /** @param problems what {@link SetValidator} found in the observed set (the operator asks before it observes) */
    public static SetReconciliation of(SetObservation observation, List<String> problems) {
        return RolloutPlanner.plan(observation, problems);
    }

    public DatabaseMigrationSet set() {
        return observation.set();
    }
}
