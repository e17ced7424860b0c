package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.runner.BackupResult;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.UpgradeResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place status is computed: from the previous status, the observation and the decision. Pure; the clock
 * comes in as an argument. Conditions follow kstatus (Ready, Reconciling, Stalled, each with observedGeneration), and
 * a condition's lastTransitionTime moves only when its status does.
 */
public final class StatusAggregator {

  private StatusAggregator() {
  }

  public static DatabaseMigrationStatus compute(Observation observation, Decision decision, Instant now) {
    DatabaseMigration resource = observation.resource();
    DatabaseMigrationStatus previous = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
    if (decision instanceof Decision.Finished) {
      return previous;
    }
    Builder next = new Builder(previous, MigrationPlanner.generation(resource), now);
    next.targetRevision = resource.getSpec() == null ? null : resource.getSpec().targetRevision();
    if (decision instanceof Decision.Stall stall) {
      next.job = null;
      next.failed(Phase.Failed, stall.reason(), stall.message());
    } else if (decision instanceof Decision.WaitForSecret wait) {
      next.job = null;
      next.progressing(Phase.Pending, wait.reason(), wait.message());
    } else if (decision instanceof Decision.Hold) {
      next.job = null;
      next.phase(Phase.Suspended, Reasons.SUSPENDED, "Suspended: no migration Job is started while spec.suspend is true",
          false, false);
    } else if (decision instanceof Decision.CreateJob create) {
      next.job = create.jobName();
      next.failedAttempts = 0;
      next.progressing(Phase.Pending, Reasons.JOB_CREATED, "Created Job " + create.jobName() + ": "
          + plannedWork(resource.getSpec()));
    } else if (decision instanceof Decision.FollowJob follow) {
      followJob(next, resource.getSpec(), follow.job());
    }
    return next.build();
  }

  private static void followJob(Builder next, DatabaseMigrationSpec spec, JobObservation job) {
    next.job = job.name();
    next.failedAttempts = job.failedAttempts();
    recordResults(next, job);
    Attempt latest = job.latestAttempt();
    switch (job.state()) {
      case Succeeded -> next.phase(Phase.Succeeded, Reasons.SUCCEEDED, successMessage(next.lastMigration, next.currentRevision),
          false, false);
      case Failed -> {
        // The last attempt's runner says best what went wrong, unless a deadline killed the pod before it could.
        ContainerOutcome failure = lastFailure(job);
        if (failure != null && !"DeadlineExceeded".equals(job.failureReason())) {
          String attempts = job.failedAttempts() > 1 ? " (after " + job.failedAttempts() + " attempts)" : "";
          next.failed(Phase.Failed, failure.failureReason(), failure.failureMessage() + attempts);
        } else {
          String reason = job.failureReason() == null ? Reasons.JOB_FAILED : job.failureReason();
          next.failed(Phase.Failed, reason, "Job " + job.name() + " failed"
              + (job.failureMessage() == null ? "" : ": " + job.failureMessage()));
        }
      }
      case Active -> {
        if (latest != null && latest.failure() != null) {
          ContainerOutcome failure = latest.failure();
          next.progressing(Phase.Pending, Reasons.RETRYING, "Attempt " + job.attempts().size() + " failed ("
              + failure.failureReason() + ": " + failure.failureMessage() + "); retrying, up to "
              + spec.backoffLimitOrDefault() + " retries");
        } else if (latest != null && latest.blockedContainer() != null) {
          ContainerOutcome blocked = latest.blockedContainer();
          next.progressing(Phase.Pending, blocked.reason(), "Pod of Job " + job.name() + " cannot start: "
              + blocked.reason() + (blocked.text() == null ? "" : ": " + blocked.text()));
        } else if (latest == null || !latest.started()) {
          next.progressing(Phase.Pending, Reasons.JOB_CREATED, "Job " + job.name() + " created; waiting for its pod to start");
        } else if (latest.migrating()) {
          next.progressing(Phase.Migrating, Reasons.MIGRATING, migratingMessage(spec, next.lastBackup, latest));
        } else {
          next.progressing(Phase.BackingUp, Reasons.BACKING_UP, "Backing up database " + spec.database().name()
              + " before upgrading to " + spec.targetRevision());
        }
      }
    }
  }

  // Attempts in order, backup before migrate: the last revision reported is the one the database is at.
  private static void recordResults(Builder next, JobObservation job) {
    for (Attempt attempt : job.attempts()) {
      RunnerResult backup = attempt.backup() == null ? null : attempt.backup().result();
      if (backup != null && backup.backup() != null && attempt.backup().succeeded()) {
        next.lastBackup = backupStatus(backup.backup());
        next.currentRevision = backup.backup().revision();
      }
      RunnerResult migrate = attempt.migrate() == null ? null : attempt.migrate().result();
      if (migrate != null && migrate.upgrade() != null) {
        next.lastMigration = migrationStatus(migrate);
        if (migrate.upgrade().toRevision() != null) {
          next.currentRevision = migrate.upgrade().toRevision();
        }
      }
    }
  }

  private static ContainerOutcome lastFailure(JobObservation job) {
    for (int i = job.attempts().size() - 1; i >= 0; i--) {
      ContainerOutcome failure = job.attempts().get(i).failure();
      if (failure != null) {
        return failure;
      }
    }
    return null;
  }

  private static String plannedWork(DatabaseMigrationSpec spec) {
    BackupSpec backup = spec.backupOrDefault();
    if (backup.modeOrDefault() == BackupSpec.BackupMode.Disabled) {
      return "upgrade to " + spec.targetRevision() + " without a backup (backup disabled: " + backup.reason() + ")";
    }
    return "backup to " + backup.volume().persistentVolumeClaim().claimName() + ", then upgrade to " + spec.targetRevision();
  }

  private static String migratingMessage(DatabaseMigrationSpec spec, BackupStatus backup, Attempt latest) {
    String prefix = latest.backup() == null ? "No backup (disabled); " : "Backup verified"
        + (backup == null || backup.file() == null ? "" : " (" + fileName(backup.file()) + ")") + "; ";
    return prefix + "upgrading to " + spec.targetRevision();
  }

  private static String successMessage(MigrationRunStatus run, String current) {
    if (run == null || run.appliedRevisions() == null || run.appliedRevisions().isEmpty()) {
      return "At revision " + current + "; nothing to apply";
    }
    List<String> applied = run.appliedRevisions();
    return "Upgraded " + run.fromRevision() + " -> " + run.toRevision() + ": applied " + applied.size()
        + (applied.size() == 1 ? " revision" : " revisions");
  }

  private static BackupStatus backupStatus(BackupResult backup) {
    return new BackupStatus(backup.file(), backup.revision(), backup.sizeBytes(), backup.sha256(), backup.verified(),
        timestamp(backup.startedAt()), timestamp(backup.finishedAt()));
  }

  private static MigrationRunStatus migrationStatus(RunnerResult migrate) {
    UpgradeResult upgrade = migrate.upgrade();
    return new MigrationRunStatus(upgrade.fromRevision(), upgrade.toRevision(), upgrade.appliedRevisions(),
        upgrade.failedRevision(), migrate.exitCode() == 0 ? null : migrate.message(),
        timestamp(upgrade.startedAt()), timestamp(upgrade.finishedAt()));
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  public static String timestamp(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The fields of the status being computed, starting from the previous one. */
  private static final class Builder {
    private final DatabaseMigrationStatus previous;
    private final long generation;
    private final Instant now;
    private Phase phase;
    private String currentRevision;
    private String targetRevision;
    private String job;
    private String message;
    private BackupStatus lastBackup;
    private MigrationRunStatus lastMigration;
    private Integer failedAttempts;
    private List<StatusCondition> conditions;

    Builder(DatabaseMigrationStatus previous, long generation, Instant now) {
      this.previous = previous;
      this.generation = generation;
      this.now = now;
      this.currentRevision = previous.currentRevision();
      this.job = previous.job();
      this.lastBackup = previous.lastBackup();
      this.lastMigration = previous.lastMigration();
      this.failedAttempts = previous.failedAttempts();
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
      String idle = ready ? reason : "NotReconciling";
      next.add(condition(StatusCondition.RECONCILING, reconciling, reconciling ? reason : idle, reconciling ? message : null));
      next.add(condition(StatusCondition.STALLED, stalled, stalled ? reason : "NotStalled", stalled ? message : null));
      this.conditions = next;
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
      return new DatabaseMigrationStatus(generation, phase, currentRevision, targetRevision, job, message, lastBackup,
          lastMigration, failedAttempts, conditions);
    }
  }
}
