package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.plan.PlanDigest;
import io.dbmigrate.plan.PlanLint;
import java.time.Instant;
import java.util.List;

/**
 * One step's entry in status.steps, for {@link StatusAggregator}: what it recorded before, brought up to date with
 * the step's Jobs and the decision taken for it (when the decision is about this step). Pure.
 */
final class StepStatuses {

    private StepStatuses() {
    }

    static StepStatus of(StepEntry entry, Decision decision, long generation, Instant now) {
        StepDraft s = StepDraft.of(entry);
        String at = StatusAggregator.timestamp(now);
        entry.deferred().forEach(deferred -> s.rehearsed(StepEntry.rehearsalOf(deferred)));
        s.rehearsed(StepEntry.rehearsalOf(entry.job()));
        Decision aboutThisStep = decision instanceof Decision.StepDecision d && d.step().index() == entry.index()
                ? decision : null;
        JobObservation job = entry.job();
        if (job != null) {
            s.runsJob(entry.jobName(), generation, at, job.openedBy());
            RunnerResult migration = JobResults.of(job).migration();
            if (migration != null) {
                s.migrated(migration.upgrade());
            }
            Attempt latest = job.latestAttempt();
            switch (job.state()) {
                case Succeeded -> s.succeeded(at);
                case Failed -> s.failed(at);
                case Active -> s.running(latest != null && latest.failure() == null && latest.started()
                        ? (latest.migrating() ? Phase.Migrating : latest.rehearsing() ? Phase.Rehearsing : Phase.BackingUp)
                        : Phase.Pending);
            }
        } else if (aboutThisStep instanceof Decision.JobLost) {
            s.lost();
        } else if (aboutThisStep instanceof Decision.CreateJob create) {
            s.jobCreated(entry.jobName(), generation, at, create.openedBy());
        } else if (aboutThisStep instanceof Decision.AwaitGate gate) {
            s.awaitingGate(Reasons.PLAN_PUBLISHED.equals(gate.reason()) ? null : gate.waitingFor(),
                    StatusAggregator.timestamp(gate.nextWindow()));
        } else if (aboutThisStep instanceof Decision.CreatePlanJob) {
            s.pending();
        } else if (aboutThisStep instanceof Decision.FollowPlanJob plan) {
            if (plan.job().state() == JobObservation.State.Active) {
                s.pending();
            } else {
                s.failed(at);
            }
        } else if (entry.recorded() == null) {
            s.pending();
        }
        if (entry.planned()) {
            s.showsPlan(plan(entry));
        }
        return s.build();
    }

    /** The step's status with the resource's message, for the step being worked on. */
    static StepStatus withMessage(StepStatus step, String message) {
        return StepDraft.of(step).message(message).build();
    }

    /** The step's plan as status shows it: as recorded, or as its plan Job reported it. */
    static PlanStatus plan(StepEntry entry) {
        return entry.planRecorded() ? entry.recorded().plan() : planFromJob(entry);
    }

    private static PlanStatus planFromJob(StepEntry entry) {
        if (entry.planJob() == null) {
            return null;
        }
        PlanResult plan = entry.observedPlan();
        if (plan == null) {
            return new PlanStatus(entry.planJobName(), null, null, null, null, null, null, null, null);
        }
        return new PlanStatus(entry.planJobName(), PlanDigest.of(plan), entry.planConfigMap(), plan.fromRevision(),
                plan.direction(), plan.pendingRevisions(), plan.sqlBytes(), plan.sqlComplete(), plan.sqlUnavailable(),
                PlanLint.status(plan.lint()));
    }

    static String planSummary(PlanStatus plan) {
        if (plan == null || plan.direction() == null) {
            return "not made yet";
        }
        List<String> pending = plan.pendingRevisions() == null ? List.of() : plan.pendingRevisions();
        if (PlanResult.NONE.equals(plan.direction()) || pending.isEmpty()) {
            return "nothing to apply from " + plan.fromRevision();
        }
        String verb = UpgradeResult.DOWNGRADE.equals(plan.direction()) ? " to undo" : " to apply";
        String sql = plan.sqlUnavailable() != null ? "no SQL (" + plan.sqlUnavailable() + ")"
                : plan.sqlBytes() + " bytes of SQL in ConfigMap " + plan.configMap();
        return "plan " + plan.digest() + ": " + pending.size() + (pending.size() == 1 ? " revision" : " revisions") + verb
                + " from " + plan.fromRevision() + " (" + String.join(", ", pending) + "); " + sql + lintSummary(plan);
    }

    private static String lintSummary(PlanStatus plan) {
        if (plan.lint() == null) {
            return "";
        }
        if (plan.lint().unavailable() != null) {
            return "; lint unavailable: " + plan.lint().unavailable();
        }
        return "; lint: " + plan.lint().totalOrZero() + (plan.lint().totalOrZero() == 1 ? " finding" : " findings")
                + ", " + plan.lint().errorsText();
    }
}
