package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.plan.PlanDigest;
import io.dbmigrate.plan.PlanLint;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.validate.SpecValidator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the next action from the resource and what was observed. Pure: no I/O, no clock. The safety rules live
 * here: steps run in order, one Job per step and generation, found by name; a step that ended, or whose Job was lost
 * before its end was seen, is never run again in its generation; a gated step waits for its plan to be published and its gate to open. A stamp (annotation or
 * spec.baseline) runs before the steps; no new Job starts beside another running Job of the resource.
 */
public final class MigrationPlanner {

    private MigrationPlanner() {
    }

    /** The decision on its own; a reconcile asks {@link Reconciliation#of}, which validates and reads the steps once. */
    public static Decision decide(Observation observation) {
        List<String> problems = SpecValidator.problems(observation.resource());
        return problems.isEmpty() ? decide(observation, StepLedger.read(observation)) : stall(problems);
    }

    /** What an invalid spec gets: nothing is created until it is edited. */
    static Decision.Stall stall(List<String> problems) {
        return new Decision.Stall(Reasons.INVALID_SPEC, "Invalid spec: " + String.join("; ", problems));
    }

    /**
     * The decision for a valid spec.
     *
     * @param steps the observation's steps as {@link StepLedger#read} gave them
     */
    static Decision decide(Observation observation, List<StepEntry> steps) {
        // An emergency stamp is not held by suspend: suspending the migration is how on-call stops it before repairing.
        Optional<Decision> stamp = StampRequests.decide(observation).map(d -> ready(observation, d, false));
        if (stamp.isPresent()) {
            return stamp.get();
        }
        Optional<Decision> baseline = StampRequests.baseline(observation).map(d -> ready(observation, d, true));
        if (baseline.isPresent()) {
            return baseline.get();
        }
        for (StepEntry step : steps) {
            switch (step.state()) {
                case Succeeded -> {
                    // on to the next step
                }
                // A Job that exists is followed to its end, suspended or not: stopping a migration half-way helps nobody.
                case Running -> {
                    return new Decision.FollowJob(step, step.job());
                }
                case Failed -> {
                    return failed(step);
                }
                case Lost -> {
                    return new Decision.JobLost(step);
                }
                case NotStarted -> {
                    return start(observation, step);
                }
            }
        }
        return new Decision.Finished();
    }

    private static Decision failed(StepEntry step) {
        if (step.job() != null) {
            return new Decision.FollowJob(step, step.job());
        }
        if (step.planJobFailed()) {
            return new Decision.FollowPlanJob(step, step.planJob());
        }
        return new Decision.Finished();
    }

    private static Decision start(Observation observation, StepEntry step) {
        DatabaseMigration resource = observation.resource();
        if (step.planJobFailed()) {
            return new Decision.FollowPlanJob(step, step.planJob());
        }
        Decision blocked = blocked(observation, true, Set.of(step.jobName(), step.planJobName()));
        if (blocked != null) {
            return blocked;
        }
        if (!step.planned()) {
            return new Decision.CreateJob(step, null);
        }
        // A gate never opens on a plan nobody could see: plan first, publish, then look at the gate.
        PlanResult publish = null;
        if (!step.planRecorded()) {
            if (step.planJob() == null) {
                return new Decision.CreatePlanJob(step);
            }
            if (step.planJob().state() == JobObservation.State.Active) {
                return new Decision.FollowPlanJob(step, step.planJob());
            }
            publish = step.observedPlan();
        }
        String digest = publish != null ? PlanDigest.of(publish)
                : step.recorded().plan().digest();
        Gates.Verdict verdict = Gates.check(observation, step, digest, lintHold(step, publish), publish == null);
        if (!verdict.open() || publish != null) {
            // Publishing is its own reconcile: the plan is in status before any Job can act on an approval.
            Gates.Verdict shown = verdict.open() ? new Gates.Verdict(false, null, Reasons.PLAN_PUBLISHED,
                    "the plan to be recorded") : verdict;
            return new Decision.AwaitGate(step, shown.reason(), shown.waitingFor(), publish, verdict.nextWindow());
        }
        Decision.WindowSlot window = verdict.windowClosesAt() == null ? null
                : new Decision.WindowSlot(verdict.windowClosesAt(), step.expectedDuration());
        return new Decision.CreateJob(step, verdict.openedBy(), window);
    }

    /** What holds the step under lint mode Block: its plan's findings, or its SQL not linted; null otherwise. */
    private static Gates.LintHold lintHold(StepEntry step, PlanResult publish) {
        if (step.lint().modeOrDefault() != LintSpec.LintMode.Block) {
            return null;
        }
        return publish != null ? PlanLint.hold(publish.pendingRevisions(), PlanLint.status(publish.lint()))
                : PlanLint.hold(step.recorded().plan().pendingRevisions(), step.recorded().plan().lint());
    }

    /** A stamp Job is created only when nothing holds it; one that exists is followed whatever holds the rest. */
    private static Decision ready(Observation observation, Decision stamp, boolean heldBySuspend) {
        if (!(stamp instanceof Decision.CreateStampJob create)) {
            return stamp;
        }
        Decision blocked = blocked(observation, heldBySuspend, Set.of(create.run().jobName()));
        return blocked == null ? stamp : blocked;
    }

    /**
     * What keeps a new Job from being created: spec.suspend, a credentials Secret that is missing or incomplete, or
     * another Job of the resource that still runs (an earlier generation's after a spec edit, a stamp's): one Job of a
     * resource runs at a time, so two never back up or migrate the same database beside each other.
     */
    private static Decision blocked(Observation observation, boolean heldBySuspend, Set<String> own) {
        DatabaseMigration resource = observation.resource();
        if (heldBySuspend && resource.getSpec().suspended()) {
            return new Decision.Hold();
        }
        SecretObservation secret = observation.secret();
        CredentialsSecretRef ref = resource.getSpec().database().credentialsSecret();
        String secretName = resource.getMetadata().getNamespace() + "/" + ref.name();
        if (!secret.exists()) {
            return new Decision.WaitForSecret(Reasons.SECRET_NOT_FOUND,
                    "Secret " + secretName + " not found; the migration starts when it exists");
        }
        if (!secret.missingKeys().isEmpty()) {
            return new Decision.WaitForSecret(Reasons.SECRET_KEY_NOT_FOUND,
                    "Secret " + secretName + " has no key " + String.join(", ", secret.missingKeys()));
        }
        return observation.jobs().values().stream()
                .filter(job -> job.state() == JobObservation.State.Active && !own.contains(job.name()))
                .map(JobObservation::name)
                .sorted()
                .findFirst()
                .<Decision>map(Decision.WaitForJob::new)
                .orElse(null);
    }

    /** The Job name of a resource without steps, for its current generation. */
    public static String jobName(DatabaseMigration resource) {
        return JobNames.forGeneration(resource.getMetadata().getName(), resource.getMetadata().getUid(),
                generation(resource));
    }

    public static long generation(DatabaseMigration resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 1L : generation;
    }
}
