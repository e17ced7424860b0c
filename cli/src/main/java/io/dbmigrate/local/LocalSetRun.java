package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.fleet.ChildWrite;
import io.dbmigrate.fleet.SetObservation;
import io.dbmigrate.fleet.SetReason;
import io.dbmigrate.fleet.SetReconciliation;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Tools;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * `dbmigrate run` of a DatabaseMigrationSet: the operator's rollout without a cluster. Each pass is one set reconcile
 * ({@link SetReconciliation}: the operator's RolloutPlanner and TargetGenerator, so the canary, the gate, maxParallel
 * and maxFailures mean what they mean in a cluster); the children it writes run in this process, each a
 * {@link LocalRun} of its own (its backup, rehearsal and gates as a single run's) on a thread, and each child that ends
 * brings the next pass, until nothing runs and nothing more may start.
 */
public final class LocalSetRun {
    private final TargetRun targets;
    private final Clock clock;
    private final PrintStream progress;

    /** Runs one target's DatabaseMigration to its end, as `dbmigrate run` runs one manifest, and returns it with its status. */
    public interface TargetRun {
        DatabaseMigration run(DatabaseMigration child);
    }

    /** A target's migration as it ended, and how long it took. */
    public record Finished(String target, DatabaseMigration migration, Duration took) {
    }

    /**
     * The set with the status the last pass wrote, the targets in the order they ended, and whether Ctrl-C stopped the
     * rollout (no new target started after it).
     */
    public record Result(DatabaseMigrationSet set, List<Finished> finished, boolean interrupted) {
        public DatabaseMigrationSetStatus status() {
            return set.getStatus();
        }

        /** The reason of the set's Ready condition, e.g. RolloutHalted, AwaitingApproval. */
        public String reason() {
            return status().conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type()))
                    .map(StatusCondition::reason).findFirst().orElse("");
        }
    }

    /** @param progress where the rollout says what it waits for (the gate, the pause) */
    public LocalSetRun(TargetRun targets, Clock clock, PrintStream progress) {
        this.targets = targets;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Each target a {@link LocalRun} on its own connection, printing its progress with its name in front.
     *
     * @param connections   each target's database, by target name
     * @param rehearsal     the server of spec.rehearsal.database; null: each target rehearses on its own server
     * @param stepApprovals the template's steps whose approval gates --approve opens, in every target
     */
    public static TargetRun inProcess(Map<String, ConnectionSettings> connections, ConnectionSettings rehearsal,
                                      Tools tools, Path migrations, Path backupDirectory, Clock clock, PrintStream err,
                                      Set<String> stepApprovals) {
        return child -> {
            String target = target(child);
            ConnectionSettings connection = connections.get(target);
            try (PrintStream lines = LocalProgress.to(err, "[" + target + "] ")) {
                LocalRun run = new LocalRun(connection, rehearsal == null ? connection : rehearsal, tools, migrations,
                        backupDirectory, clock, lines);
                return run.run(child, stepApprovals);
            }
        };
    }

    /**
     * Rolls the set out until nothing runs and nothing more may start: all ended, the rollout halted, or the gate
     * closed. A pause is waited out here; an approval gate opens only with {@code approveCanary} (--approve canary).
     *
     * @param finished told of each target as it ends, on this thread
     */
    public Result run(DatabaseMigrationSet set, boolean approveCanary, Consumer<Finished> finished) {
        LocalRun.defaultMetadata(set);
        int threads = set.getSpec().rolloutOrDefault().maxParallelOrDefault();
        AtomicInteger number = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "dbmigrate-target-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        CompletionService<Finished> ends = new ExecutorCompletionService<>(pool);
        // The children as the next pass observes them, by target: without status while they run (their threads own
        // them then), with the status they ended with after.
        Map<String, DatabaseMigration> observed = new LinkedHashMap<>();
        List<Finished> ended = new ArrayList<>();
        int running = 0;
        boolean approved = false;
        boolean interrupted = false;
        try {
            while (true) {
                SetReconciliation pass = SetReconciliation.of(new SetObservation(set, Map.of(), Map.of(),
                        List.copyOf(observed.values()), clock.instant()));
                set.setStatus(pass.status());
                spend(set, pass);
                if (!interrupted) {
                    for (ChildWrite write : pass.writes()) {
                        DatabaseMigration child = write.child();
                        LocalRun.defaultMetadata(child);
                        observed.put(target(child), observedCopy(child, null));
                        ends.submit(() -> {
                            long start = System.nanoTime();
                            DatabaseMigration done = targets.run(child);
                            return new Finished(target(child), done, Duration.ofNanos(System.nanoTime() - start));
                        });
                        running++;
                    }
                }
                if (running > 0) {
                    try {
                        Finished end = ends.take().get();
                        running--;
                        observed.put(end.target(), observedCopy(end.migration(), end.migration().getStatus()));
                        ended.add(end);
                        finished.accept(end);
                    } catch (InterruptedException e) {
                        // Ctrl-C: the runner's hook stops every target's Alembic; nothing new starts, the running end.
                        interrupted = true;
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a target's run failed unexpectedly: " + e.getCause(), e.getCause());
                    }
                    continue;
                }
                // Targets held for an approval of their plan wait for a run with it (--approve, or the template).
                RolloutGateSpec gate = set.getSpec().rolloutOrDefault().gate();
                if (interrupted || set.getStatus().phase() != SetPhase.AwaitingGate || gate == null
                        || new Result(set, List.of(), false).reason().equals(SetReason.AwaitingPlanApproval.name())) {
                    break;
                }
                if (gate.approvalRequired()) {
                    if (!approveCanary || approved) {
                        break;
                    }
                    // As `kubectl annotate dbms ... dbmigrate.io/approve=canary` once the canary succeeded.
                    approved = true;
                    progress.println("dbmigrate: the canary succeeded; the rest approved (--approve canary)");
                    annotate(set, Gates.APPROVE_ANNOTATION, RolloutGateSpec.CANARY);
                    continue;
                }
                Optional<Duration> pause = pass.requeue();
                if (pause.isEmpty()) {
                    break;
                }
                progress.println("dbmigrate: the canary succeeded; the rest starts after the pause of "
                        + set.getSpec().rolloutOrDefault().gate().pause() + ", at " + clock.instant().plus(pause.get())
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (Ctrl-C stops the run here)");
                try {
                    Thread.sleep(pause.get().toMillis());
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(set, List.copyOf(ended), interrupted);
    }

    static String target(DatabaseMigration child) {
        return child.getMetadata().getAnnotations().get(DatabaseMigrationSet.TARGET_ANNOTATION);
    }

    // The child as a reconcile would read it, apart from the object its thread changes.
    private static DatabaseMigration observedCopy(DatabaseMigration child, DatabaseMigrationStatus status) {
        DatabaseMigration copy = new DatabaseMigration();
        copy.setMetadata(new ObjectMetaBuilder(child.getMetadata()).build());
        copy.setSpec(child.getSpec());
        copy.setStatus(status);
        return copy;
    }

    // As the operator's SetEffects: the retry names and the canary approval a pass used up leave the annotations.
    private static void spend(DatabaseMigrationSet set, SetReconciliation pass) {
        if (!pass.spentRetries().isEmpty()) {
            remove(set, DatabaseMigrationSet.RETRY_ANNOTATION, pass.spentRetries());
        }
        if (pass.spendsApproval()) {
            remove(set, Gates.APPROVE_ANNOTATION, Set.of(RolloutGateSpec.CANARY));
        }
    }

    private static void remove(DatabaseMigrationSet set, String key, Set<String> spent) {
        String left = Gates.listed(set.getMetadata().getAnnotations(), key).stream().filter(name -> !spent.contains(name))
                .collect(Collectors.joining(","));
        annotate(set, key, left.isEmpty() ? null : left);
    }

    private static void annotate(DatabaseMigrationSet set, String key, String value) {
        Map<String, String> annotations = set.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(set.getMetadata().getAnnotations());
        if (value == null) {
            annotations.remove(key);
        } else {
            annotations.put(key, value);
        }
        set.getMetadata().setAnnotations(annotations);
    }
}
