package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * A DatabaseMigrationSet's metrics, from the status {@link SetStatusWriter} writes: its targets by state (a gauge per
 * set, gone with the set), and its rollouts by how they ended, each generation counted once. A target's own runs are
 * its DatabaseMigration's, in {@link MigrationMetrics}.
 */
public final class SetMetrics implements Metrics {
    static final String TARGETS = "dbmigrate.set.targets";
    static final String ROLLOUTS = "dbmigrate.set.rollouts";
    private static final Map<String, ToIntFunction<DatabaseMigrationSetStatus>> STATES = Map.of(
            "pending", s -> count(s.pending()), "running", s -> count(s.running()),
            "awaiting_approval", s -> count(s.awaitingApproval()),
            "succeeded", s -> count(s.succeeded()), "failed", s -> count(s.failed()));

    private final MeterRegistry registry;
    private final Map<ResourceID, DatabaseMigrationSetStatus> statuses = new ConcurrentHashMap<>();
    private final Map<ResourceID, List<Meter>> gauges = new ConcurrentHashMap<>();
    // The generation/phase last counted per set: a stale cache can show the same end twice.
    private final Map<ResourceID, String> countedEnds = new ConcurrentHashMap<>();

    public SetMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(DatabaseMigrationSet set, DatabaseMigrationSetStatus after) {
        ResourceID id = ResourceID.fromResource(set);
        statuses.put(id, after);
        gauges.computeIfAbsent(id, key -> register(key));
        boolean ended = after.phase() == SetPhase.Succeeded || after.phase() == SetPhase.Failed;
        String end = after.observedGeneration() + "/" + after.phase();
        if (ended && !end.equals(countedEnds.put(id, end))) {
            Counter.builder(ROLLOUTS)
                    .description("DatabaseMigrationSet generations that reached Succeeded or Failed, by the reason of "
                            + "their Ready condition")
                    .tag("outcome", after.phase().name())
                    .tag("reason", Objects.requireNonNullElse(SetStatusWriter.readyReason(after), "Unknown"))
                    .register(registry).increment();
        }
    }

    private List<Meter> register(ResourceID id) {
        List<Meter> meters = new ArrayList<>();
        STATES.forEach((state, count) -> meters.add(Gauge.builder(TARGETS, statuses,
                        all -> all.containsKey(id) ? count.applyAsInt(all.get(id)) : 0)
                .description("A DatabaseMigrationSet's targets by state, as its status last counted them")
                .tag("namespace", id.getNamespace().orElse(""))
                .tag("set", id.getName())
                .tag("state", state)
                .register(registry)));
        return meters;
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        if (!DatabaseMigrationSetReconciler.NAME.equals(metadata.get(Constants.CONTROLLER_NAME))) {
            return;
        }
        statuses.remove(resourceID);
        countedEnds.remove(resourceID);
        List<Meter> meters = gauges.remove(resourceID);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
