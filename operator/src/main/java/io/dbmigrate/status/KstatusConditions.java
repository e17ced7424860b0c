package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.StatusCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ready, Reconciling and Stalled as kstatus reads them, for a DatabaseMigration and a DatabaseMigrationSet alike: each
 * carries the generation it was set for, and its lastTransitionTime moves only when its status does.
 */
public final class KstatusConditions {
    private KstatusConditions() {
    }

    /**
     * @param previous    the conditions the resource carries
     * @param ready       whether it reached what its spec asks
     * @param reconciling whether the operator is still working on it
     * @param stalled     whether it waits for a person (an edit, a retry)
     */
    public static List<StatusCondition> of(List<StatusCondition> previous, long generation, Instant now, boolean ready,
                                           boolean reconciling, boolean stalled, String reason, String message) {
        List<StatusCondition> next = new ArrayList<>();
        next.add(condition(previous, generation, now, StatusCondition.READY, ready, reason, message));
        String idle = ready ? reason : Reasons.NOT_RECONCILING;
        next.add(condition(previous, generation, now, StatusCondition.RECONCILING, reconciling,
                reconciling ? reason : idle, reconciling ? message : null));
        next.add(condition(previous, generation, now, StatusCondition.STALLED, stalled,
                stalled ? reason : Reasons.NOT_STALLED, stalled ? message : null));
        return next;
    }

    private static StatusCondition condition(List<StatusCondition> previous, long generation, Instant now, String type,
                                             boolean value, String reason, String message) {
        String status = value ? "True" : "False";
        String since = previous.stream()
                .filter(c -> type.equals(c.type()) && status.equals(c.status()))
                .map(StatusCondition::lastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(StatusAggregator.timestamp(now));
        return new StatusCondition(type, status, generation, since, reason, message);
    }
}
