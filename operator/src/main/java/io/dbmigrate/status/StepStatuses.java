package io.dbmigrate.status;

import io.dbmigrate.plan.PlanDigest;

import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.decide.Decision;

import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Attempt;

import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.runner.Durations;
import io.dbmigrate.runner.PlanResult;
import io.dbmigrate.runner.RehearsalResult;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.UpgradeResult;
import java.time.Instant;
import java.util.List;

/**
 * One step's entry in status.steps, for {@link StatusAggregator}: what it recorded before, brought up to date with
 * the step's Jobs and the decision taken for it. Pure.
 */
final class StepStatuses {

  private StepStatuses() {
  }

  static StepStatus of(StepEntry entry, Decision decision, long generation, Instant now) {
    StepStatus r = entry.recorded();
    StepBuilder s = r == null ? new StepBuilder() : new StepBuilder(r);
    s.name = entry.name();
    s.targetRevision = entry.spec().targetRevision();
    s.fingerprint = entry.fingerprint();
    s.waitingFor = null;
    s.nextWindow = null;
    s.deferrals = entry.deferred().isEmpty() ? null : entry.deferred().size();
    s.expectedDuration = entry.expectedDuration() == null ? null : Durations.format(entry.expectedDuration());
    for (JobObservation deferred : entry.deferred()) {
      s.rehearsal = rehearsal(StepEntry.rehearsalOf(deferred), s.rehearsal);
    }
    s.rehearsal = rehearsal(StepEntry.rehearsalOf(entry.job()), s.rehearsal);
    if (entry.job() != null) {
      JobObservation job = entry.job();
      s.job = entry.jobName();
      s.generation = generation;
      s.startedAt = s.startedAt == null ? StatusAggregator.timestamp(now) : s.startedAt;
      RunnerResult migration = JobResults.of(job).migration();
      if (migration != null) {
        UpgradeResult u = migration.upgrade();
        s.fromRevision = u.fromRevision();
        s.toRevision = u.toRevision();
        s.appliedRevisions = u.appliedRevisions();
        s.rolledBackTo = u.rolledBackTo();
      }
      Attempt latest = job.latestAttempt();
      s.phase = switch (job.state()) {
        case Succeeded -> Phase.Succeeded;
        case Failed -> Phase.Failed;
        case Active -> latest != null && latest.failure() == null && latest.started()
            ? (latest.migrating() ? Phase.Migrating : latest.rehearsing() ? Phase.Rehearsing : Phase.BackingUp)
            : Phase.Pending;
      };
      if (job.state() != JobObservation.State.Active && s.finishedAt == null) {
        s.finishedAt = StatusAggregator.timestamp(now);
      }
    } else if (decision instanceof Decision.JobLost lost && lost.step().index() == entry.index()) {
      s.phase = Phase.Failed; // when it ended, if it did, nobody saw: finishedAt stays empty
    } else if (decision instanceof Decision.CreateJob create && create.step().index() == entry.index()) {
      s.phase = Phase.Pending;
      s.job = entry.jobName();
      s.generation = generation;
      s.startedAt = StatusAggregator.timestamp(now);
      s.finishedAt = null;
      s.openedBy = create.openedBy();
    } else if (decision instanceof Decision.AwaitGate gate && gate.step().index() == entry.index()) {
      s.phase = Phase.AwaitingGate;
      s.waitingFor = Reasons.PLAN_PUBLISHED.equals(gate.reason()) ? null : gate.waitingFor();
      s.nextWindow = gate.nextWindow() == null ? null : StatusAggregator.timestamp(gate.nextWindow());
    } else if (decision instanceof Decision.CreatePlanJob plan && plan.step().index() == entry.index()) {
      s.phase = Phase.Pending;
    } else if (decision instanceof Decision.FollowPlanJob plan && plan.step().index() == entry.index()) {
      s.phase = plan.job().state() == JobObservation.State.Active ? Phase.Pending : Phase.Failed;
      if (s.phase == Phase.Failed && s.finishedAt == null) {
        s.finishedAt = StatusAggregator.timestamp(now);
      }
    } else if (r == null) {
      s.phase = Phase.Pending;
    }
    if (entry.spec().gated()) {
      s.plan = entry.planRecorded() ? r.plan() : planFromJob(entry);
    }
    return s.build();
  }

  /** A rehearsal as status shows it; {@code kept} when the Job has not rehearsed (yet). */
  static RehearsalStatus rehearsal(RehearsalResult r, RehearsalStatus kept) {
    if (r == null) {
      return kept;
    }
    return new RehearsalStatus(r.passed() ? RehearsalStatus.PASSED : RehearsalStatus.FAILED, r.roundTrip(),
        r.fromRevision(), r.toRevision(), r.upgradeMillis() == null ? null
        : Durations.format(java.time.Duration.ofMillis(r.upgradeMillis())), r.failedPhase(), r.failedRevision(),
        r.error(), r.scratchDatabase(), StatusAggregator.timestamp(r.finishedAt()));
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
        plan.direction(), plan.pendingRevisions(), plan.sqlBytes(), plan.sqlComplete(), plan.sqlUnavailable());
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
        + " from " + plan.fromRevision() + " (" + String.join(", ", pending) + "); " + sql;
  }

  /** The fields of one step's status. */
  private static final class StepBuilder {
    String name;
    String targetRevision;
    Phase phase;
    String job;
    Long generation;
    String fingerprint;
    String waitingFor;
    PlanStatus plan;
    String openedBy;
    String fromRevision;
    String toRevision;
    List<String> appliedRevisions;
    String rolledBackTo;
    String startedAt;
    String finishedAt;
    String message;
    RehearsalStatus rehearsal;
    String nextWindow;
    String expectedDuration;
    Integer deferrals;

    StepBuilder() {
    }

    StepBuilder(StepStatus r) {
      phase = r.phase();
      job = r.job();
      generation = r.generation();
      plan = r.plan();
      openedBy = r.openedBy();
      fromRevision = r.fromRevision();
      toRevision = r.toRevision();
      appliedRevisions = r.appliedRevisions();
      rolledBackTo = r.rolledBackTo();
      startedAt = r.startedAt();
      finishedAt = r.finishedAt();
      message = r.message();
      rehearsal = r.rehearsal();
    }

    StepStatus build() {
      return new StepStatus(name, targetRevision, phase, job, generation, fingerprint, waitingFor, plan, openedBy,
          fromRevision, toRevision, appliedRevisions, rolledBackTo, startedAt, finishedAt, message, rehearsal,
          nextWindow, expectedDuration, deferrals);
    }
  }
}
