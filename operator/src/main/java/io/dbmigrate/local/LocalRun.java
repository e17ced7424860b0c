package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.plan.Attempt;
import io.dbmigrate.plan.ContainerOutcome;
import io.dbmigrate.plan.Decision;
import io.dbmigrate.plan.JobObservation;
import io.dbmigrate.plan.MigrationPlanner;
import io.dbmigrate.plan.Observation;
import io.dbmigrate.plan.SecretObservation;
import io.dbmigrate.plan.StatusAggregator;
import io.dbmigrate.plan.TransitionEvent;
import io.dbmigrate.runner.Backup;
import io.dbmigrate.runner.BackupRequest;
import io.dbmigrate.runner.BackupResult;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.ExitCode;
import io.dbmigrate.runner.RunnerException;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.runner.Upgrade;
import io.dbmigrate.runner.UpgradeRequest;
import io.dbmigrate.runner.UpgradeResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * `dbmigrate run`: the cluster's path without a cluster. The same planner decides and the same aggregator computes
 * status; the Job's two containers become two in-process runner calls, retried as the Job would retry them.
 */
public final class LocalRun {
  private final ConnectionSettings connection;
  private final Tools tools;
  private final Path migrations;
  private final Path backupDirectory;
  private final Clock clock;
  private final PrintStream progress;

  public LocalRun(ConnectionSettings connection, Tools tools, Path migrations, Path backupDirectory, Clock clock,
                  PrintStream progress) {
    this.connection = connection;
    this.tools = tools;
    this.migrations = migrations;
    this.backupDirectory = backupDirectory;
    this.clock = clock;
    this.progress = progress;
  }

  /** Runs the resource's generation to its end and returns it with the status a cluster would show. */
  public DatabaseMigration run(DatabaseMigration resource) {
    Observation initial = new Observation(resource, SecretObservation.PRESENT, null);
    Decision decision = MigrationPlanner.decide(initial);
    apply(resource, initial, decision);
    if (!(decision instanceof Decision.CreateJob create)) {
      return resource;
    }
    JobObservation job = runJob(resource.getSpec(), create.jobName(), resource);
    observe(resource, job);
    return resource;
  }

  // Each observation goes through the planner and the aggregator, as a reconcile of the cluster's Job would.
  private void observe(DatabaseMigration resource, JobObservation job) {
    Observation observation = new Observation(resource, SecretObservation.PRESENT, job);
    apply(resource, observation, MigrationPlanner.decide(observation));
  }

  private void apply(DatabaseMigration resource, Observation observation, Decision decision) {
    DatabaseMigrationStatus before = resource.getStatus();
    DatabaseMigrationStatus after = StatusAggregator.compute(observation, decision, clock.instant());
    for (TransitionEvent event : TransitionEvent.between(before, after)) {
      progress.println("dbmigrate: " + event.reason() + ": " + event.message());
    }
    resource.setStatus(after);
  }

  // As the Job does: retry what may be transient, up to backoffLimit; a failing revision ends it at once.
  private JobObservation runJob(DatabaseMigrationSpec spec, String name, DatabaseMigration resource) {
    List<Attempt> attempts = new ArrayList<>();
    int allowed = spec.backoffLimitOrDefault() + 1;
    while (true) {
      List<Attempt> earlier = List.copyOf(attempts);
      Attempt attempt = attempt(spec, resource, backedUp -> observe(resource, new JobObservation(name,
          JobObservation.State.Active, append(earlier, backedUp), null, null)));
      attempts.add(attempt);
      ContainerOutcome failure = attempt.failure();
      if (failure == null) {
        return new JobObservation(name, JobObservation.State.Succeeded, attempts, null, null);
      }
      boolean retryable = failure.exitCode() != null && ExitCode.of(failure.exitCode()).retryable();
      if (!retryable || attempts.size() >= allowed) {
        return new JobObservation(name, JobObservation.State.Failed, attempts,
            retryable ? "BackoffLimitExceeded" : "PodFailurePolicy", null);
      }
      progress.println("dbmigrate: attempt " + attempts.size() + " failed (" + failure.failureReason() + "); retrying");
    }
  }

  private static List<Attempt> append(List<Attempt> attempts, Attempt next) {
    List<Attempt> all = new ArrayList<>(attempts);
    all.add(next);
    return all;
  }

  private Attempt attempt(DatabaseMigrationSpec spec, DatabaseMigration resource, Consumer<Attempt> backedUp) {
    BackupSpec backup = spec.backupOrDefault();
    ContainerOutcome backupOutcome = null;
    if (backup.modeOrDefault() == BackupSpec.BackupMode.Required) {
      progress.println("dbmigrate: backing up " + connection.database() + " into " + backupDirectory);
      backupOutcome = backup(new BackupRequest(backupDirectory, resource.getMetadata().getName(),
          "g" + MigrationPlanner.generation(resource), backup.retainOrDefault()));
      if (!backupOutcome.succeeded()) {
        return new Attempt(backupOutcome, null);
      }
    }
    backedUp.accept(new Attempt(backupOutcome, ContainerOutcome.running()));
    progress.println("dbmigrate: upgrading " + connection.database() + " to " + spec.targetRevision());
    return new Attempt(backupOutcome, upgrade(new UpgradeRequest(migrations, spec.targetRevision(),
        UpgradeRequest.DEFAULT_LOCK_TIMEOUT, UpgradeRequest.DEFAULT_LOCK_WAIT)));
  }

  private ContainerOutcome backup(BackupRequest request) {
    try {
      BackupResult result = Backup.run(connection, tools, request, clock);
      return ContainerOutcome.of(RunnerResult.of("backup", ExitCode.OK, "backup verified").withBackup(result));
    } catch (RunnerException e) {
      return ContainerOutcome.of(RunnerResult.of("backup", e.exitCode(), e.getMessage()));
    }
  }

  private ContainerOutcome upgrade(UpgradeRequest request) {
    try {
      UpgradeResult result = Upgrade.run(connection, tools, request, clock, progress);
      return ContainerOutcome.of(RunnerResult.of("upgrade", ExitCode.OK, "upgraded").withUpgrade(result));
    } catch (RunnerException e) {
      RunnerResult result = RunnerResult.of("upgrade", e.exitCode(), e.getMessage());
      return ContainerOutcome.of(e.upgradeResult().map(result::withUpgrade).orElse(result));
    }
  }

  public static boolean succeeded(DatabaseMigration resource) {
    return resource.getStatus() != null && resource.getStatus().phase() == Phase.Succeeded;
  }
}
