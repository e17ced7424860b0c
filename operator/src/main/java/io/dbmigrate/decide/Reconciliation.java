package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.validate.SpecValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one reconcile amounts to, from one observation: the decision, the steps it was made on, the status, the
 * approvals and stamp annotation it spends, and when to look again. Pure; the spec is validated and the steps are read
 * once. The operator carries it out with API writes, local mode in process ({@link Effects}).
 *
 * @param steps                the observed generation's steps; empty when the spec is invalid
 * @param status               the status to write, computed at the observation's time
 * @param spentApprovals       the approvals of the approve annotation this reconcile uses up
 * @param spentStampAnnotation the stamp annotation's value, to remove now that status records its stamp as ended
 * @param requeue              when to reconcile again though nothing changed; empty: when something does
 */
public record Reconciliation(Observation observation, Decision decision, List<StepEntry> steps,
                                                          DatabaseMigrationStatus status, Set<String> spentApprovals,
                                                          Optional<String> spentStampAnnotation, Optional<Duration> requeue) {
    /** How often a missing Secret is looked for again: a `get`, instead of a cluster-wide watch on Secrets. */
    public static final Duration SECRET_RECHECK = Duration.ofSeconds(5);
    // After a stamp ended, and after a plan was published: the next reconcile must come even where the operator's own
    // writes do not wake it.
    public static final Duration ANNOTATION_RECHECK = Duration.ofSeconds(1);
    public static final Duration WINDOW_RECHECK = Duration.ofMinutes(10);

    public static Reconciliation of(Observation observation) {
        return of(observation, SpecValidator.problems(observation.resource()));
    }

    /** @param problems what {@link SpecValidator} found in the observed resource (the operator asks before it observes) */
    public static Reconciliation of(Observation observation, List<String> problems) {
        DatabaseMigration resource = observation.resource();
        List<StepEntry> steps = problems.isEmpty() ? StepLedger.read(observation) : List.of();
        Decision decision = problems.isEmpty() ? MigrationPlanner.decide(observation, steps)
                : MigrationPlanner.stall(problems);
        return new Reconciliation(observation, decision, steps,
                StatusAggregator.compute(observation, steps, decision, observation.now()),
                Gates.spentApprovals(resource, steps, decision),
                // Publishing writes nothing but the approvals it spends and its guarded status: the annotation waits a reconcile.
                publishes(decision) ? Optional.empty() : StampRequests.spentAnnotation(resource),
                requeue(decision, observation.now()));
    }

    public DatabaseMigration resource() {
        return observation.resource();
    }

    /** Whether this reconcile shows a gated step's plan for the first time (see {@link Decision.AwaitGate#publishes}). */
    public boolean publishesPlan() {
        return publishes(decision);
    }

    private static boolean publishes(Decision decision) {
        return decision instanceof Decision.AwaitGate gate && gate.publishes();
    }

    // No sleeps and no polling: informers wake the reconciler, except for what only time changes.
    private static Optional<Duration> requeue(Decision decision, Instant now) {
        if (decision instanceof Decision.WaitForSecret) {
            return Optional.of(SECRET_RECHECK);
        }
        if (publishes(decision)) {
            return Optional.of(ANNOTATION_RECHECK);
        }
        if (decision instanceof Decision.AwaitGate gate && gate.nextWindow() != null) {
            return Optional.of(untilWindow(now, gate.nextWindow()));
        }
        if (decision instanceof Decision.FollowStampJob stamp && stamp.goesOn()) {
            // The stamp is recorded: on to the annotation and the steps. A refused baseline waits for an edit instead.
            return Optional.of(ANNOTATION_RECHECK);
        }
        return Optional.empty();
    }

    // Nothing but the clock wakes a step held for its window: come back when it opens, and now and then before, so a
    // clock that jumped or an operator restart is never waited out. A second past the opening, it is open.
    private static Duration untilWindow(Instant now, Instant opensAt) {
        Duration left = Duration.between(now, opensAt).plusSeconds(1);
        if (left.compareTo(WINDOW_RECHECK) > 0) {
            return WINDOW_RECHECK;
        }
        return left.isNegative() ? ANNOTATION_RECHECK : left;
    }
}
