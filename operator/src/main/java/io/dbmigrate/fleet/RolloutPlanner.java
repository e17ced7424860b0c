package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.PlanAwaitingApproval;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.naming.ChildNames;
import io.dbmigrate.status.KstatusConditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rollout of a set, decided from its spec, its targets and its children alone (no I/O). Per set generation:
 * <ol>
 *   <li>the canary: the first targets in order, at most maxParallel at once;</li>
 *   <li>once every canary succeeded, the gate: none, the annotation dbmigrate.io/approve=canary, or a pause after the
 *   canary's last success;</li>
 *   <li>the rest in order, at most maxParallel running at once;</li>
 * </ol>
 * and throughout: no new child once more than maxFailures failed (running ones finish), none while suspended, and a
 * failed child named by the retry annotation made anew. A target added later is simply pending, and starts on its own
 * once the canary is passed. The children are the rollout's memory, not the status (which may be read stale): each
 * says its set generation and whether it is a canary, and a child of this generation that is no canary means the gate
 * was passed.
 */
public final class RolloutPlanner {
    private RolloutPlanner() {
    }

    /** How long a query generator's catalog read holds: its interval, or 5 minutes. */
    public static Duration catalogInterval(QueryGeneratorSpec query) {
        return query.interval() == null ? QueryGeneratorSpec.DEFAULT_INTERVAL
                : validDuration("spec.generators[].query.interval", query.interval());
    }

    private static Duration validDuration(String field, String text) {
        try {
            return Durations.parse(field, text);
        } catch (RunnerException e) {
            throw new IllegalStateException("validated before planning", e);
        }
    }

    public static long generation(DatabaseMigrationSet set) {
        Long generation = set.getMetadata().getGeneration();
        return generation == null ? 1L : generation;
    }

    static SetReconciliation plan(SetObservation observation, List<String> problems) {
        DatabaseMigrationSet set = observation.set();
        if (!problems.isEmpty()) {
            String message = "Invalid spec: " + String.join("; ", problems);
            DatabaseMigrationSetStatus previous = set.getStatus();
            DatabaseMigrationSetStatus status = status(set, observation.now(), SetPhase.Failed, SetReason.InvalidSpec,
                    message, false, true, previous == null ? new Counts(0, 0, 0, 0, 0, 0) : Counts.of(previous),
                    previous == null ? null : previous.failedTargets(),
                    previous == null ? null : previous.plansAwaitingApproval());
            return new SetReconciliation(observation, List.of(), Set.of(), false, status, Optional.empty());
        }
        return new Rollout(observation).plan();
    }

    private record Counts(int targets, int pending, int running, int awaitingApproval, int succeeded, int failed) {
        static Counts of(DatabaseMigrationSetStatus status) {
            return new Counts(zero(status.targets()), zero(status.pending()), zero(status.running()),
                    zero(status.awaitingApproval()), zero(status.succeeded()), zero(status.failed()));
        }

        private static int zero(Integer value) {
            return value == null ? 0 : value;
        }
    }

    /** One reconcile's rollout, worked out step by step. */
    private static final class Rollout {
        private final SetObservation observation;
        private final DatabaseMigrationSet set;
        private final RolloutSpec rollout;
        private final long generation;
        private final TargetGenerator.Targets targets;
        // The targets whose child is of this generation, and those still to write (absent or older), in order.
        private final Map<String, ObservedChild> current = new LinkedHashMap<>();
        private final List<TargetSpec> pending = new ArrayList<>();
        private final List<ChildWrite> writes = new ArrayList<>();
        private final Set<String> retried = new LinkedHashSet<>();
        private final Set<String> haveChild;
        private int running;

        Rollout(SetObservation observation) {
            this.observation = observation;
            this.set = observation.set();
            this.rollout = set.getSpec().rolloutOrDefault();
            this.generation = generation(set);
            this.targets = TargetGenerator.generate(observation);
            Map<String, ObservedChild> byTarget = new LinkedHashMap<>();
            for (DatabaseMigration child : observation.children()) {
                ObservedChild observed = ObservedChild.of(child);
                if (ChildFactory.owns(set, child) && observed.target() != null) {
                    byTarget.put(observed.target(), observed);
                }
            }
            haveChild = byTarget.keySet();
            for (TargetSpec target : targets.valid()) {
                ObservedChild child = byTarget.get(target.name());
                if (child == null || child.setGeneration() < generation) {
                    pending.add(target);
                } else {
                    current.put(target.name(), child);
                }
            }
            running = (int) current.values().stream().filter(c -> c.state() == ObservedChild.State.RUNNING).count();
        }

        SetReconciliation plan() {
            Set<String> spentRetries = retries();
            int canarySize = rollout.canarySize(targets.valid().size());
            boolean hasRest = targets.valid().size() > canarySize;
            boolean passed = !hasRest || current.values().stream().anyMatch(c -> !c.canary());
            Gate gate = Gate.OPEN;
            Instant pauseEnds = null;
            boolean spendsApproval = false;
            if (!passed) {
                long canaries = current.values().stream().filter(ObservedChild::canary).count();
                if (mayStart()) {
                    canaries += start((int) (canarySize - canaries), true);
                }
                List<ObservedChild> canaryChildren = current.values().stream().filter(ObservedChild::canary)
                        .filter(c -> !retried.contains(c.target())).toList();
                long succeeded = canaryChildren.stream().filter(c -> c.state() == ObservedChild.State.SUCCEEDED).count();
                if (canaryChildren.stream().anyMatch(c -> c.state() == ObservedChild.State.FAILED)) {
                    gate = Gate.CANARY_FAILED;
                } else if (canaries < canarySize || succeeded < canarySize) {
                    gate = Gate.CANARY_RUNNING;
                } else {
                    RolloutGateSpec spec = rollout.gate();
                    if (spec != null && spec.approvalRequired()) {
                        boolean approved = Gates.listed(set.getMetadata().getAnnotations(), Gates.APPROVE_ANNOTATION)
                                .contains(RolloutGateSpec.CANARY);
                        gate = approved ? Gate.OPEN : Gate.AWAITING_APPROVAL;
                        spendsApproval = approved;
                    } else if (spec != null && spec.pause() != null) {
                        pauseEnds = lastSuccess(canaryChildren).plus(pause(spec));
                        gate = observation.now().isBefore(pauseEnds) ? Gate.AWAITING_PAUSE : Gate.OPEN;
                    }
                }
                passed = gate == Gate.OPEN;
            }
            int startedRest = passed && mayStart() ? start(Integer.MAX_VALUE, false) : 0;
            // The approval is used up with the first of the rest it let start; until then it stays for the next reconcile.
            spendsApproval = spendsApproval && startedRest > 0;
            return new SetReconciliation(observation, List.copyOf(writes), spentRetries, spendsApproval,
                    status(gate), requeue(pauseEnds));
        }

        // A failed child of this generation that the annotation names is made anew; every name is spent, so a name
        // given before its target failed (or of no target) does not retry it later by surprise. Held while suspended.
        private Set<String> retries() {
            Set<String> names = retryNames();
            if (names.isEmpty() || rollout.suspended()) {
                return Set.of();
            }
            for (TargetSpec target : targets.valid()) {
                ObservedChild child = current.get(target.name());
                if (child != null && child.state() == ObservedChild.State.FAILED && names.contains(target.name())) {
                    writes.add(new ChildWrite(ChildWrite.Kind.RECREATE, ChildFactory.child(set, target, child.canary()),
                            child.uid()));
                    retried.add(target.name());
                    running++;
                }
            }
            return names;
        }

        private Set<String> retryNames() {
            return Gates.listed(set.getMetadata().getAnnotations(), DatabaseMigrationSet.RETRY_ANNOTATION);
        }

        private boolean mayStart() {
            return !rollout.suspended() && !halted();
        }

        private boolean halted() {
            return failed() > rollout.maxFailuresOrDefault();
        }

        private int failed() {
            int failedChildren = (int) current.values().stream()
                    .filter(c -> c.state() == ObservedChild.State.FAILED && !retried.contains(c.target())).count();
            return failedChildren + targets.invalid().size();
        }

        // Writes up to `wanted` pending targets in order, within maxParallel; how many it wrote.
        private int start(int wanted, boolean canary) {
            int started = 0;
            while (started < wanted && !pending.isEmpty() && running < rollout.maxParallelOrDefault()) {
                TargetSpec target = pending.remove(0);
                writes.add(new ChildWrite(haveChild.contains(target.name()) ? ChildWrite.Kind.UPDATE : ChildWrite.Kind.CREATE,
                        ChildFactory.child(set, target, canary), null));
                running++;
                started++;
            }
            return started;
        }

        private static Instant lastSuccess(List<ObservedChild> canaries) {
            return canaries.stream().map(ObservedChild::finishedAt).filter(t -> t != null).map(Instant::parse)
                    .max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        }

        private static Duration pause(RolloutGateSpec gate) {
            return validDuration("spec.rollout.gate.pause", gate.pause());
        }

        /**
         * Only a pause and a catalog's next read need the clock; everything else (children, Secrets, annotations)
         * wakes the set by a watch.
         */
        private Optional<Duration> requeue(Instant pauseEnds) {
            List<Instant> due = new ArrayList<>();
            if (pauseEnds != null) {
                // A second past the end, it is over.
                due.add(pauseEnds.plusSeconds(1));
            }
            List<GeneratorSpec> generators = set.getSpec().generatorsOrEmpty();
            for (int i = 0; i < generators.size(); i++) {
                CatalogRead read = observation.catalogs().get(i);
                if (generators.get(i).query() != null && read != null) {
                    due.add(read.at().plus(catalogInterval(generators.get(i).query())));
                }
            }
            return due.stream().filter(observation.now()::isBefore).min(Comparator.naturalOrder())
                    .map(next -> Duration.between(observation.now(), next));
        }

        private DatabaseMigrationSetStatus status(Gate gate) {
            int succeeded = (int) current.values().stream()
                    .filter(c -> c.state() == ObservedChild.State.SUCCEEDED).count();
            int failed = failed();
            int total = targets.valid().size() + targets.invalid().size();
            // A target held for an approval keeps its slot (fail closed), but is shown as what it is: not running.
            List<ObservedChild> held = current.values().stream()
                    .filter(c -> c.state() == ObservedChild.State.RUNNING && c.awaiting() != null).toList();
            int runs = running - held.size();
            Counts counts = new Counts(total, pending.size(), runs, held.size(), succeeded, failed);
            List<FailedTarget> failedTargets = failedTargets();
            List<PlanAwaitingApproval> plans = plansAwaitingApproval(held);
            String tally = succeeded + " of " + total + " targets succeeded, " + runs + " running, "
                    + (held.isEmpty() ? "" : held.size() + " awaiting approval, ") + pending.size() + " pending, "
                    + failed + " failed";
            Instant now = observation.now();
            if (total == 0) {
                return RolloutPlanner.status(set, now, SetPhase.Succeeded, SetReason.Succeeded,
                        "No targets: the generators gave none", false, false, counts, null, plans);
            }
            if (running == 0 && pending.isEmpty()) {
                return failed == 0
                        ? RolloutPlanner.status(set, now, SetPhase.Succeeded, SetReason.Succeeded,
                                "All " + total + " targets migrated", false, false, counts, null, plans)
                        : RolloutPlanner.status(set, now, SetPhase.Failed, SetReason.TargetsFailed,
                                tally + failures(failedTargets), false, true, counts, failedTargets, plans);
            }
            if (!pending.isEmpty() && rollout.suspended()) {
                return RolloutPlanner.status(set, now, SetPhase.Suspended, SetReason.Suspended,
                        "Suspended: no new target starts; " + tally, false, false, counts, failedTargets, plans);
            }
            SetReason stop = !pending.isEmpty() && halted() ? SetReason.RolloutHalted
                    : gate == Gate.CANARY_FAILED ? SetReason.CanaryFailed : null;
            if (stop != null) {
                String why = stop == SetReason.RolloutHalted
                        ? "Rollout halted: " + failed + " failed, more than maxFailures " + rollout.maxFailuresOrDefault()
                        : "Rollout halted: a canary target failed";
                String message = why + "; " + tally + failures(failedTargets)
                        + (running > 0 ? "; the running ones finish" : "");
                return running > 0
                        ? RolloutPlanner.status(set, now, SetPhase.Progressing, stop, message, true, false, counts,
                                failedTargets, plans)
                        : RolloutPlanner.status(set, now, SetPhase.Failed, stop, message, false, true, counts,
                                failedTargets, plans);
            }
            if (gate == Gate.AWAITING_APPROVAL) {
                return RolloutPlanner.status(set, now, SetPhase.AwaitingGate, SetReason.AwaitingApproval,
                        "The canary succeeded; the rest waits for kubectl annotate dbms " + set.getMetadata().getName()
                                + " " + Gates.APPROVE_ANNOTATION + "=" + RolloutGateSpec.CANARY + "; " + tally,
                        true, false, counts, failedTargets, plans);
            }
            if (gate == Gate.AWAITING_PAUSE) {
                return RolloutPlanner.status(set, now, SetPhase.AwaitingGate, SetReason.AwaitingPause,
                        "The canary succeeded; the rest waits for the pause of " + rollout.gate().pause() + "; " + tally,
                        true, false, counts, failedTargets, plans);
            }
            if (!held.isEmpty() && runs == 0) {
                return RolloutPlanner.status(set, now, SetPhase.AwaitingGate, SetReason.AwaitingPlanApproval,
                        "Waiting for approval: " + describe(plans) + "; " + tally, true, false, counts, failedTargets,
                        plans);
            }
            return RolloutPlanner.status(set, now, SetPhase.Progressing, SetReason.Progressing,
                    tally + (held.isEmpty() ? "" : "; awaiting approval: " + describe(plans)), true, false, counts,
                    failedTargets, plans);
        }

        // By step and plan, in rollout order; the targets of each, the first few named.
        private static List<PlanAwaitingApproval> plansAwaitingApproval(List<ObservedChild> held) {
            Map<ObservedChild.AwaitedPlan, List<String>> byPlan = new LinkedHashMap<>();
            for (ObservedChild child : held) {
                byPlan.computeIfAbsent(child.awaiting(), plan -> new ArrayList<>()).add(child.target());
            }
            return byPlan.entrySet().stream().limit(DatabaseMigrationSetStatus.PLANS_LIMIT)
                    .map(e -> new PlanAwaitingApproval(e.getKey().step(), e.getKey().plan(), e.getKey().reason(),
                            e.getValue().size(), List.copyOf(e.getValue().subList(0,
                                    Math.min(e.getValue().size(), PlanAwaitingApproval.TARGETS_SHOWN)))))
                    .toList();
        }

        /**
         * E.g. {@code plan 3f9c0a1b2c4d of step expand holds a, b (LintBlocked)}, then how to approve: the plan digest
         * does not name the database, so identical targets share it and one approval in the template opens them all.
         */
        private String describe(List<PlanAwaitingApproval> plans) {
            String held = plans.stream().map(p -> (p.plan() == null ? "the plan of step " + p.step()
                            + " (not yet published)" : "plan " + p.plan() + " of step " + p.step()) + " holds "
                            + String.join(", ", p.targets()) + (p.count() > p.targets().size() ? ", ..." : "")
                            + " (" + p.reason() + ")")
                    .collect(Collectors.joining("; "));
            PlanAwaitingApproval first = plans.get(0);
            String child = ChildNames.of(set.getMetadata().getName(), first.targets().get(0));
            return held + "; approve a plan for every target it holds with gate.approval.plan: "
                    + (first.plan() == null ? "<digest>" : first.plan()) + " on step " + first.step()
                    + " of spec.template, or one target with kubectl annotate dbm " + child + " "
                    + Gates.APPROVE_ANNOTATION + "=" + first.step();
        }

        // Newest first; invalid targets, which have no time, before all.
        private List<FailedTarget> failedTargets() {
            List<FailedTarget> failed = new ArrayList<>(targets.invalid());
            current.values().stream()
                    .filter(c -> c.state() == ObservedChild.State.FAILED && !retried.contains(c.target()))
                    .map(c -> new FailedTarget(c.target(), c.name(), c.reason(), c.message(), c.finishedAt()))
                    .sorted(Comparator.comparing(FailedTarget::failedAt,
                            Comparator.nullsFirst(Comparator.<String>naturalOrder())).reversed())
                    .forEach(failed::add);
            return failed.size() > DatabaseMigrationSetStatus.FAILED_LIMIT
                    ? List.copyOf(failed.subList(0, DatabaseMigrationSetStatus.FAILED_LIMIT)) : List.copyOf(failed);
        }

        private String failures(List<FailedTarget> failed) {
            if (failed.isEmpty()) {
                return "";
            }
            String names = failed.stream().limit(3).map(FailedTarget::target).collect(Collectors.joining(", "));
            // Only a target with a DatabaseMigration can be retried: an invalid one is fixed where it comes from.
            String retry = failed.stream().filter(f -> f.migration() != null).findFirst()
                    .map(f -> "; retry with kubectl annotate dbms " + set.getMetadata().getName() + " "
                            + DatabaseMigrationSet.RETRY_ANNOTATION + "=" + f.target())
                    .orElse("");
            return " (" + names + (failed.size() > 3 ? ", ..." : "") + ")" + retry;
        }
    }

    private enum Gate { OPEN, CANARY_RUNNING, CANARY_FAILED, AWAITING_APPROVAL, AWAITING_PAUSE }

    private static DatabaseMigrationSetStatus status(DatabaseMigrationSet set, Instant now, SetPhase phase, SetReason reason,
                                                     String message, boolean reconciling, boolean stalled, Counts counts,
                                                     List<FailedTarget> failedTargets,
                                                     List<PlanAwaitingApproval> plans) {
        long generation = generation(set);
        DatabaseMigrationSetStatus previous = set.getStatus();
        return new DatabaseMigrationSetStatus(generation, phase, message, counts.targets(), counts.pending(),
                counts.running(), counts.awaitingApproval() == 0 ? null : counts.awaitingApproval(), counts.succeeded(),
                counts.failed(), failedTargets == null || failedTargets.isEmpty() ? null : failedTargets,
                plans == null || plans.isEmpty() ? null : plans,
                KstatusConditions.of(previous == null ? List.of() : previous.conditionsOrEmpty(), generation, now,
                        phase == SetPhase.Succeeded, reconciling, stalled, reason.name(), message));
    }
}
