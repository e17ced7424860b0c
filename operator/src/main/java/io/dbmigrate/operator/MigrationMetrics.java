package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.status.Reasons;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * dbmigrate's own metrics, derived from status transitions only, so they count what the status says happened:
 * a backup or migration run is measured once, when its result first appears in status, however often it is
 * reconciled. As a JOSDK {@link Metrics} it hears of deleted resources, which leave the phase gauge.
 */
public final class MigrationMetrics implements Metrics {
    public static final String MIGRATION_DURATION = "dbmigrate.migration.duration";
    public static final String BACKUP_DURATION = "dbmigrate.backup.duration";
    public static final String BACKUP_SIZE = "dbmigrate.backup.size";
    public static final String RUNS = "dbmigrate.runs";
    public static final String RESOURCES = "dbmigrate.resources";
    public static final String STEPS = "dbmigrate.steps";

    private final MeterRegistry registry;
    private final Map<ResourceID, Phase> phases = new ConcurrentHashMap<>();
    // What was last counted per resource. The status a reconcile starts from can be older than the one this operator
    // wrote a moment ago (the informer's cache lags its own patch), so the same transition can be seen twice.
    private final Map<ResourceID, String> countedBackups = new ConcurrentHashMap<>();
    private final Map<ResourceID, String> countedMigrations = new ConcurrentHashMap<>();
    private final Map<ResourceID, String> countedOutcomes = new ConcurrentHashMap<>();
    private final Map<ResourceID, Set<String>> countedSteps = new ConcurrentHashMap<>();

    public MigrationMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Every phase from the start: a phase with no resources reads 0 rather than being absent.
        for (Phase phase : Phase.values()) {
            Gauge.builder(RESOURCES, phases, all -> all.values().stream().filter(phase::equals).count())
                    .description("DatabaseMigrations by status.phase, as last reconciled by this operator")
                    .tag("phase", phase.name())
                    .register(registry);
        }
    }

    /** Called by the reconciler with the status it found and the one it computed (the same when nothing moved). */
    public void record(DatabaseMigration resource, DatabaseMigrationStatus before, DatabaseMigrationStatus after) {
        DatabaseMigrationStatus old = before == null ? DatabaseMigrationStatus.EMPTY : before;
        ResourceID id = ResourceID.fromResource(resource);
        if (after.phase() != null) {
            phases.put(id, after.phase());
        }
        if (firstTime(countedBackups, id, after.lastBackup() == null ? null : after.lastBackup().file())) {
            recordBackup(old.lastBackup(), after.lastBackup());
        }
        MigrationRunStatus run = after.lastMigration();
        if (firstTime(countedMigrations, id, run == null ? null : run.startedAt() + "/" + run.finishedAt())) {
            recordMigration(old.lastMigration(), run);
        }
        if (firstTime(countedOutcomes, id, after.phase() == null ? null : after.observedGeneration() + "/" + after.phase())) {
            recordOutcome(old, after);
        }
        recordSteps(id, old, after);
    }

    // A step is counted when it first ends in a generation: not again when reconciled, seen from a stale cache, or
    // carried over to a later generation (it keeps the generation it ran in).
    private void recordSteps(ResourceID id, DatabaseMigrationStatus before, DatabaseMigrationStatus after) {
        Set<String> counted = countedSteps.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet());
        Set<String> ended = new HashSet<>();
        for (StepStatus step : after.stepsOrEmpty()) {
            if (step.phase() == null || !step.phase().isFinal() || step.generation() == null) {
                continue;
            }
            String key = step.name() + "/" + step.generation() + "/" + step.phase();
            ended.add(key);
            boolean endedBefore = before.stepsOrEmpty().stream().anyMatch(earlier -> step.name().equals(earlier.name())
                    && Objects.equals(step.generation(), earlier.generation()) && step.phase() == earlier.phase());
            if (counted.add(key) && !endedBefore) {
                String reason = step.phase() == Phase.Succeeded ? Reasons.SUCCEEDED
                        : step.name().equals(after.currentStep()) || after.currentStep() == null ? readyReason(after) : "Unknown";
                Counter.builder(STEPS)
                        .description("Steps that ended, by step name, outcome and the reason they ended with")
                        .tag("step", step.name())
                        .tag("outcome", step.phase().name())
                        .tag("reason", reason)
                        .register(registry).increment();
            }
        }
        counted.retainAll(ended); // what status no longer lists cannot be seen again
    }

    private void recordBackup(BackupStatus before, BackupStatus after) {
        if (after == null || after.file() == null || (before != null && Objects.equals(before.file(), after.file()))) {
            return;
        }
        between(after.startedAt(), after.finishedAt()).ifPresent(duration -> Timer.builder(BACKUP_DURATION)
                .description("pg_dump plus the full read-back of the archive, per verified backup")
                .register(registry).record(duration));
        if (after.sizeBytes() != null) {
            DistributionSummary.builder(BACKUP_SIZE).baseUnit("bytes")
                    .description("Size of each verified backup")
                    .register(registry).record(after.sizeBytes());
        }
    }

    private void recordMigration(MigrationRunStatus before, MigrationRunStatus after) {
        if (after == null || after.finishedAt() == null || (before != null
                && Objects.equals(before.startedAt(), after.startedAt()) && Objects.equals(before.finishedAt(), after.finishedAt()))) {
            return;
        }
        String outcome = after.failedRevision() == null && after.error() == null ? "Succeeded" : "Failed";
        between(after.startedAt(), after.finishedAt()).ifPresent(duration -> Timer.builder(MIGRATION_DURATION)
                .description("alembic upgrade runs, from the migrate container's start to its end")
                .tag("outcome", outcome)
                .register(registry).record(duration));
    }

    // A run ends when a generation first reaches a final phase; the Ready reason says why it ended that way.
    private void recordOutcome(DatabaseMigrationStatus before, DatabaseMigrationStatus after) {
        if (after.phase() == null || !after.phase().isFinal()) {
            return;
        }
        if (before.phase() == after.phase() && Objects.equals(before.observedGeneration(), after.observedGeneration())) {
            return;
        }
        String reason = readyReason(after);
        Counter.builder(RUNS)
                .description("Generations that reached Succeeded or Failed, by the reason of their Ready condition")
                .tag("outcome", after.phase().name())
                .tag("reason", reason)
                .register(registry).increment();
    }

    private static String readyReason(DatabaseMigrationStatus status) {
        return status.conditionsOrEmpty().stream()
                .filter(c -> StatusCondition.READY.equals(c.type()))
                .map(StatusCondition::reason)
                .filter(Objects::nonNull)
                .findFirst().orElse("Unknown");
    }

    // Whether key is new for this resource (and remember it); a null key is never counted.
    private static boolean firstTime(Map<ResourceID, String> counted, ResourceID id, String key) {
        return key != null && !key.equals(counted.put(id, key));
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        // Every controller's deletions come here: a set of the same name is not this migration.
        if (!DatabaseMigrationReconciler.NAME.equals(metadata.get(Constants.CONTROLLER_NAME))) {
            return;
        }
        phases.remove(resourceID);
        countedBackups.remove(resourceID);
        countedMigrations.remove(resourceID);
        countedOutcomes.remove(resourceID);
        countedSteps.remove(resourceID);
    }

    private static Optional<Duration> between(String start, String end) {
        try {
            if (start == null || end == null) {
                return Optional.empty();
            }
            Instant from = OffsetDateTime.parse(start).toInstant();
            Instant to = OffsetDateTime.parse(end).toInstant();
            return to.isBefore(from) ? Optional.empty() : Optional.of(Duration.between(from, to));
        } catch (DateTimeParseException e) {
            // Times come from the pod's termination message; a bad one costs a sample, not the reconcile.
            return Optional.empty();
        }
    }
}
