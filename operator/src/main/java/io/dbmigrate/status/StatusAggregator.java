package io.dbmigrate.status;

import io.dbmigrate.observe.ContainerOutcome;

import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.JobObservation;

import io.dbmigrate.decide.StepLedger;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;

import io.dbmigrate.observe.Observation;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.runner.BackupResult;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.UpgradeResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place status is computed: from the previous status, the observation and the decision. Pure; the clock
 * comes in as an argument. Conditions follow kstatus (Ready, Reconciling, Stalled, each with observedGeneration), and
 * a condition's lastTransitionTime moves only when its status does. A step waiting at a gate is Reconciling, not
 * Stalled: GitOps tools see it progressing.
 */
public final class StatusAggregator {

  private StatusAggregator() {
  }

  public static DatabaseMigrationStatus compute(Observation observation, Decision decision, Instant now) {
    return compute(observation, decision instanceof Decision.Stall ? List.of() : StepLedger.read(observation), decision,
        now);
  }

  /** @param entries the observation's steps as {@link StepLedger#read} gave them (a reconcile reads them once) */
  public static DatabaseMigrationStatus compute(Observation observation, List<StepEntry> entries, Decision decision,
                                                Instant now) {
    DatabaseMigration resource = observation.resource();
    DatabaseMigrationStatus previous = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    DatabaseMigrationSpec spec = resource.getSpec();
    Builder next = new Builder(previous, MigrationPlanner.generation(resource), now,
        spec == null || spec.historyLimit() == null ? DatabaseMigrationSpec.DEFAULT_HISTORY_LIMIT : spec.historyLimit());
    if (decision instanceof Decision.Stall stall) {
      next.targetRevision = spec == null ? null : spec.targetRevision();
      next.job = null;
      next.failed(Phase.Failed, stall.reason(), stall.message());
      return next.build();
    }
    if (decision instanceof Decision.StampDecision stamp) {
      next.targetRevision = previous.targetRevision() != null ? previous.targetRevision()
          : spec.stepsOrSingle().get(spec.stepsOrSingle().size() - 1).targetRevision();
      next.currentStep = previous.currentStep();
      Stamps.follow(next, stamp,
          spec.backupOrDefault().modeOrDefault() == BackupSpec.BackupMode.Required, now);
      return next.build();
    }
    boolean allSucceeded = entries.stream().allMatch(e -> e.state() == StepEntry.State.Succeeded);
    if (decision instanceof Decision.Finished && !allSucceeded) {
      return previous; // a failed generation whose Job is gone: what status says is all there is
    }
    StepEntry last = entries.get(entries.size() - 1);
    // Held or waiting for the Secret, the step that would start next is the current one; finished, the last.
    StepEntry current = stepOf(decision).orElseGet(() -> entries.stream()
        .filter(e -> e.state() != StepEntry.State.Succeeded).findFirst().orElse(last));
    next.targetRevision = last.spec().targetRevision();
    next.currentStep = spec.phased() ? current.name() : null;
    recordResults(next, entries);
    for (StepEntry entry : entries) {
      next.steps.add(StepStatuses.of(entry, decision, next.generation, now));
    }
    for (int i = 0; i < entries.size(); i++) {
      next.history = History.afterStep(next.history, entries.get(i), next.steps.get(i), next.generation);
    }
    // A stamp is the last word on alembic_version until a step starts after it: Jobs read before it do not undo it.
    StampStatus stamp = next.lastStamp;
    if (stamp != null && stamp.phase() == Phase.Succeeded && stamp.finishedAt() != null && next.steps.stream()
        .noneMatch(st -> st.startedAt() != null && st.startedAt().compareTo(stamp.finishedAt()) > 0)) {
      next.currentRevision = stamp.toRevision();
    }
    String prefix = spec.phased() ? "Step " + current.name() + ": " : "";

    if (decision instanceof Decision.WaitForSecret wait) {
      next.job = null;
      next.progressing(Phase.Pending, wait.reason(), wait.message());
    } else if (decision instanceof Decision.WaitForJob wait) {
      next.job = null;
      next.progressing(Phase.Pending, Reasons.WAITING_FOR_PREVIOUS_JOB, prefix + "Job " + wait.job() + " of this "
          + "resource still runs; the next Job starts when it has ended (one Job of a resource at a time)");
    } else if (decision instanceof Decision.Hold) {
      next.job = null;
      next.phase(Phase.Suspended, Reasons.SUSPENDED, prefix + "Suspended: no migration Job is started while spec.suspend is true",
          false, false);
    } else if (decision instanceof Decision.CreateJob create) {
      next.job = create.step().jobName();
      next.failedAttempts = 0;
      next.progressing(Phase.Pending, Reasons.JOB_CREATED, prefix + "Created Job " + create.step().jobName() + ": "
          + plannedWork(spec, create.step()) + (create.openedBy() == null ? "" : " (gate opened by " + create.openedBy() + ")"));
    } else if (decision instanceof Decision.FollowJob follow) {
      followJob(next, spec, prefix, follow.step(), follow.job());
    } else if (decision instanceof Decision.JobLost lost) {
      next.job = lost.step().jobName();
      next.failed(Phase.Failed, Reasons.JOB_LOST, prefix + "Job " + lost.step().jobName() + " was deleted before its "
          + "outcome was seen: whether it backed up or migrated the database is unknown. It is not run again: check "
          + "the database (its alembic_version, the backup volume), then edit the spec to run a new generation");
    } else if (decision instanceof Decision.CreatePlanJob plan) {
      next.job = plan.step().planJobName();
      next.failedAttempts = 0;
      next.progressing(Phase.Pending, Reasons.PLANNING, prefix + "Created Job " + plan.step().planJobName()
          + " to plan the step before its gate: pending revisions and their SQL");
    } else if (decision instanceof Decision.FollowPlanJob plan) {
      followPlanJob(next, prefix, plan.step(), plan.job());
    } else if (decision instanceof Decision.AwaitGate gate) {
      next.job = null;
      PlanStatus plan = StepStatuses.plan(gate.step());
      String message = Reasons.PLAN_PUBLISHED.equals(gate.reason())
          ? prefix + "plan published (" + StepStatuses.planSummary(plan) + "); the gate is open, starting"
          : prefix + "waiting for " + gate.waitingFor() + ". Plan: " + StepStatuses.planSummary(plan);
      next.phase(Phase.AwaitingGate, gate.reason(), message, true, false);
    } else if (decision instanceof Decision.Finished) {
      next.job = current.job() != null ? current.jobName() : current.recorded() == null ? next.job : current.recorded().job();
      if (current.job() != null) {
        next.failedAttempts = current.job().failedAttempts();
      }
      next.phase(Phase.Succeeded, Reasons.SUCCEEDED, successMessage(spec, entries, next), false, false);
    }
    next.stepMessage(current.index());
    return next.build();
  }

  /**
   * The status after the API server refused a write the decision needed (a Job or ConfigMap built from this spec):
   * Failed and Stalled, the server's own words in the message, everything else as it was.
   */
  public static DatabaseMigrationStatus refused(DatabaseMigration resource, String reason, String message, Instant now) {
    DatabaseMigrationStatus previous = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    Builder next = new Builder(previous, MigrationPlanner.generation(resource), now,
        resource.getSpec() == null ? DatabaseMigrationSpec.DEFAULT_HISTORY_LIMIT : resource.getSpec().historyLimitOrDefault());
    next.targetRevision = previous.targetRevision();
    next.currentStep = previous.currentStep();
    next.failed(Phase.Failed, reason, message);
    return next.build();
  }

  private static Optional<StepEntry> stepOf(Decision decision) {
    return decision instanceof Decision.StepDecision d ? Optional.of(d.step()) : Optional.empty();
  }

  private static void followJob(Builder next, DatabaseMigrationSpec spec, String prefix, StepEntry step,
                                JobObservation job) {
    next.job = job.name();
    next.failedAttempts = job.failedAttempts();
    Attempt latest = job.latestAttempt();
    String target = step.spec().targetRevision();
    if (job.state() != JobObservation.State.Active) {
      // The last attempt's runner says best what went wrong, unless a deadline killed the pod before it could.
      ContainerOutcome failure = job.lastFailure();
      if (failure != null && !"DeadlineExceeded".equals(job.failureReason())) {
        String attempts = job.failedAttempts() > 1 ? " (after " + job.failedAttempts() + " attempts)" : "";
        next.failed(Phase.Failed, failure.failureReason(), prefix + failure.failureMessage() + attempts);
      } else {
        String reason = job.failureReason() == null ? Reasons.JOB_FAILED : job.failureReason();
        next.failed(Phase.Failed, reason, prefix + "Job " + job.name() + " failed"
            + (job.failureMessage() == null ? "" : ": " + job.failureMessage()));
      }
    } else if (latest != null && latest.failure() != null) {
      ContainerOutcome failure = latest.failure();
      next.progressing(Phase.Pending, Reasons.RETRYING, prefix + "Attempt " + job.attempts().size() + " failed ("
          + failure.failureReason() + ": " + failure.failureMessage() + "); retrying, up to "
          + spec.backoffLimitOrDefault() + " retries");
    } else if (latest != null && latest.blockedContainer() != null) {
      ContainerOutcome blocked = latest.blockedContainer();
      next.progressing(Phase.Pending, blocked.reason(), prefix + "Pod of Job " + job.name() + " cannot start: "
          + blocked.reason() + (blocked.text() == null ? "" : ": " + blocked.text()));
    } else if (latest == null || !latest.started()) {
      next.progressing(Phase.Pending, Reasons.JOB_CREATED, prefix + "Job " + job.name() + " created; waiting for its pod to start");
    } else if (latest.migrating()) {
      next.progressing(Phase.Migrating, Reasons.MIGRATING, prefix + migratingMessage(next.lastBackup, latest, target));
    } else if (latest.rehearsing()) {
      next.progressing(Phase.Rehearsing, Reasons.REHEARSING, prefix + "Backup verified"
          + (next.lastBackup == null || next.lastBackup.file() == null ? "" : " (" + fileName(next.lastBackup.file()) + ")")
          + "; rehearsing the upgrade to " + target + " on a restored copy before production");
    } else {
      next.progressing(Phase.BackingUp, Reasons.BACKING_UP, prefix + "Backing up database " + spec.database().name()
          + " before upgrading to " + target);
    }
  }

  private static void followPlanJob(Builder next, String prefix, StepEntry step, JobObservation job) {
    next.job = job.name();
    next.failedAttempts = job.failedAttempts();
    if (job.state() == JobObservation.State.Active) {
      next.progressing(Phase.Pending, Reasons.PLANNING, prefix + "Job " + job.name()
          + " is planning the step before its gate");
      return;
    }
    if (job.state() == JobObservation.State.Succeeded) {
      // The gate would open on a plan nobody saw: the step ends here instead.
      next.failed(Phase.Failed, Reasons.PLAN_UNAVAILABLE, prefix + "Job " + job.name() + " succeeded but reported no "
          + "plan (its termination message has no plan result: is the migrations image built FROM this version's "
          + "dbmigrate runner?); the gate stays closed and the step did not start");
      return;
    }
    ContainerOutcome failure = job.lastFailure();
    String reason = failure != null ? failure.failureReason()
        : job.failureReason() == null ? Reasons.JOB_FAILED : job.failureReason();
    next.failed(Phase.Failed, reason, prefix + "planning failed, the step did not start: "
        + (failure != null ? failure.failureMessage() : "Job " + job.name() + " failed"
        + (job.failureMessage() == null ? "" : ": " + job.failureMessage())));
  }

  // Attempts in order, backup before migrate, steps in order: the last revision reported is the one the database is at.
  private static void recordResults(Builder next, List<StepEntry> entries) {
    for (StepEntry entry : entries) {
      List<JobObservation> jobs = new ArrayList<>(entry.deferred());
      if (entry.job() != null) {
        jobs.add(entry.job());
      }
      for (Attempt attempt : jobs.stream().flatMap(job -> job.attempts().stream()).toList()) {
        RunnerResult backup = attempt.backup() == null ? null : attempt.backup().result();
        if (backup != null && backup.backup() != null && attempt.backup().succeeded()
            && notOlder(backupStatus(backup.backup()), next.lastBackup)) {
          next.lastBackup = backupStatus(backup.backup());
          next.currentRevision = backup.backup().revision();
        }
        RunnerResult migrate = attempt.migrate() == null ? null : attempt.migrate().result();
        if (migrate != null && migrate.upgrade() != null) {
          next.lastMigration = migrationStatus(migrate);
          String at = revisionAfter(migrate.upgrade());
          if (at != null) {
            next.currentRevision = at;
          }
        }
      }
    }
  }

  // Status shows the newest backup: a step's, read again on every reconcile, must not replace a later stamp's.
  static boolean notOlder(BackupStatus candidate, BackupStatus current) {
    return current == null || current.finishedAt() == null || candidate.finishedAt() == null
        || candidate.finishedAt().compareTo(current.finishedAt()) >= 0;
  }

  private static String revisionAfter(UpgradeResult upgrade) {
    return upgrade.rolledBackTo() != null ? upgrade.rolledBackTo() : upgrade.toRevision();
  }

  private static String plannedWork(DatabaseMigrationSpec spec, StepEntry step) {
    BackupSpec backup = spec.backupOrDefault();
    String target = step.spec().targetRevision();
    if (backup.modeOrDefault() == BackupSpec.BackupMode.Disabled) {
      return "upgrade to " + target + " without a backup (backup disabled: " + backup.reason() + ")";
    }
    return "backup to " + backup.volume().persistentVolumeClaim().claimName() + ", then upgrade to " + target;
  }

  private static String migratingMessage(BackupStatus backup, Attempt latest, String target) {
    String prefix = latest.backup() == null ? "No backup (disabled); " : "Backup verified"
        + (backup == null || backup.file() == null ? "" : " (" + fileName(backup.file()) + ")") + "; ";
    return prefix + "upgrading to " + target;
  }

  private static String successMessage(DatabaseMigrationSpec spec, List<StepEntry> entries, Builder next) {
    if (spec.phased()) {
      return entries.size() + (entries.size() == 1 ? " step" : " steps") + " succeeded ("
          + String.join(", ", entries.stream().map(StepEntry::name).toList()) + "); at revision " + next.currentRevision;
    }
    MigrationRunStatus run = next.lastMigration;
    if (run == null || run.appliedRevisions() == null || run.appliedRevisions().isEmpty()) {
      return "At revision " + next.currentRevision + "; nothing to apply";
    }
    List<String> applied = run.appliedRevisions();
    String verb = UpgradeResult.DOWNGRADE.equals(run.direction()) ? "Downgraded " : "Upgraded ";
    return verb + run.fromRevision() + " -> " + run.toRevision() + ": " + (verb.startsWith("Down") ? "undid " : "applied ")
        + applied.size() + (applied.size() == 1 ? " revision" : " revisions");
  }

  static BackupStatus backupStatus(BackupResult backup) {
    return new BackupStatus(backup.file(), backup.revision(), backup.sizeBytes(), backup.sha256(), backup.verified(),
        timestamp(backup.startedAt()), timestamp(backup.finishedAt()));
  }

  private static MigrationRunStatus migrationStatus(RunnerResult migrate) {
    UpgradeResult upgrade = migrate.upgrade();
    return new MigrationRunStatus(upgrade.fromRevision(), upgrade.toRevision(), upgrade.appliedRevisions(),
        upgrade.failedRevision(), migrate.exitCode() == 0 ? null : migrate.message(),
        timestamp(upgrade.startedAt()), timestamp(upgrade.finishedAt()), upgrade.direction(), upgrade.lockAttempts(),
        upgrade.verified() == null || upgrade.verified().isEmpty() ? null : upgrade.verified(),
        upgrade.failedVerification(), upgrade.rolledBackTo());
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  public static String timestamp(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The fields of the status being computed, starting from the previous one. */
  static final class Builder {
    final DatabaseMigrationStatus previous;
    final long generation;
    final int historyLimit;
    private final Instant now;
    private Phase phase;
    String currentRevision;
    String targetRevision;
    String currentStep;
    private final List<StepStatus> steps = new ArrayList<>();
    String job;
    private String message;
    BackupStatus lastBackup;
    private MigrationRunStatus lastMigration;
    Integer failedAttempts;
    private List<StatusCondition> conditions;
    List<HistoryEntry> history;
    StampStatus baseline;
    StampStatus lastStamp;

    Builder(DatabaseMigrationStatus previous, long generation, Instant now, int historyLimit) {
      this.previous = previous;
      this.generation = generation;
      this.now = now;
      this.currentRevision = previous.currentRevision();
      this.job = previous.job();
      this.lastBackup = previous.lastBackup();
      this.lastMigration = previous.lastMigration();
      this.failedAttempts = previous.failedAttempts();
      this.history = previous.historyOrEmpty();
      this.baseline = previous.baseline();
      this.lastStamp = previous.lastStamp();
      this.historyLimit = historyLimit;
    }

    /** Phase, message and conditions as they were: what a side action (a stamp by annotation) leaves alone. */
    void keepPhase() {
      if (previous.phase() == null) {
        // Nothing to keep yet (a resource created with the annotation): it is pending.
        progressing(Phase.Pending, Reasons.STAMPING, "A stamp asked for by annotation runs before the migration");
        return;
      }
      this.phase = previous.phase();
      this.message = previous.message();
      this.conditions = previous.conditions();
    }

    void progressing(Phase phase, String reason, String message) {
      phase(phase, reason, message, true, false);
    }

    void failed(Phase phase, String reason, String message) {
      phase(phase, reason, message, false, true);
    }

    void phase(Phase phase, String reason, String message, boolean reconciling, boolean stalled) {
      this.phase = phase;
      this.message = message;
      boolean ready = phase == Phase.Succeeded;
      List<StatusCondition> next = new ArrayList<>();
      next.add(condition(StatusCondition.READY, ready, reason, message));
      String idle = ready ? reason : Reasons.NOT_RECONCILING;
      next.add(condition(StatusCondition.RECONCILING, reconciling, reconciling ? reason : idle, reconciling ? message : null));
      next.add(condition(StatusCondition.STALLED, stalled, stalled ? reason : Reasons.NOT_STALLED, stalled ? message : null));
      this.conditions = next;
    }

    /** The step being worked on carries the resource's message; the others keep theirs. */
    void stepMessage(int index) {
      if (index < steps.size()) {
        StepStatus s = steps.get(index);
        steps.set(index, new StepStatus(s.name(), s.targetRevision(), s.phase(), s.job(), s.generation(),
            s.fingerprint(), s.waitingFor(), s.plan(), s.openedBy(), s.fromRevision(), s.toRevision(),
            s.appliedRevisions(), s.rolledBackTo(), s.startedAt(), s.finishedAt(), message, s.rehearsal(),
            s.nextWindow(), s.expectedDuration(), s.deferrals()));
      }
    }

    private StatusCondition condition(String type, boolean value, String reason, String message) {
      String status = value ? "True" : "False";
      String since = previous.conditionsOrEmpty().stream()
          .filter(c -> type.equals(c.type()) && status.equals(c.status()))
          .map(StatusCondition::lastTransitionTime)
          .filter(Objects::nonNull)
          .findFirst()
          .orElse(timestamp(now));
      return new StatusCondition(type, status, generation, since, reason, message);
    }

    DatabaseMigrationStatus build() {
      List<HistoryEntry> kept = History.trim(history, historyLimit);
      return new DatabaseMigrationStatus(generation, phase, currentRevision, targetRevision, currentStep,
          steps.isEmpty() ? previous.steps() : List.copyOf(steps), job, message, lastBackup, lastMigration,
          failedAttempts, conditions, kept.isEmpty() ? null : kept, baseline, lastStamp);
    }
  }
}
