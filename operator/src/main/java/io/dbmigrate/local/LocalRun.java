package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.decide.Reconciliation;
import io.dbmigrate.decide.StampRequests;
import io.dbmigrate.plan.StepCommand;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.status.TransitionEvent;
import io.dbmigrate.runner.Backup;
import io.dbmigrate.runner.BackupRequest;
import io.dbmigrate.runner.CompressedSql;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.ExitCode;
import io.dbmigrate.runner.Interruption;
import io.dbmigrate.runner.Plan;
import io.dbmigrate.runner.PlanResult;
import io.dbmigrate.runner.Rehearsal;
import io.dbmigrate.runner.RehearsalRequest;
import io.dbmigrate.runner.RehearsalResult;
import io.dbmigrate.runner.RevisionGraph;
import io.dbmigrate.runner.RunnerException;
import io.dbmigrate.runner.RunnerResult;
import io.dbmigrate.runner.Stamp;
import io.dbmigrate.runner.StampRequest;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.runner.Upgrade;
import io.dbmigrate.runner.UpgradeRequest;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * `dbmigrate run`: the cluster's path without a cluster. Each pass is one reconcile ({@link Reconciliation}) with the
 * same planner and status; the Job's containers become in-process runner calls, retried as the Job would retry them.
 */
public final class LocalRun {
  private final ConnectionSettings connection;
  private final ConnectionSettings rehearsalConnection;
  private final Tools tools;
  private final Path migrations;
  private final Path backupDirectory;
  private final Clock clock;
  private final PrintStream progress;

  public LocalRun(ConnectionSettings connection, Tools tools, Path migrations, Path backupDirectory, Clock clock,
                  PrintStream progress) {
    this(connection, connection, tools, migrations, backupDirectory, clock, progress);
  }

  /** {@code rehearsalConnection}: the server of spec.rehearsal.database, or {@code connection} without one. */
  public LocalRun(ConnectionSettings connection, ConnectionSettings rehearsalConnection, Tools tools, Path migrations,
                  Path backupDirectory, Clock clock, PrintStream progress) {
    this.connection = connection;
    this.rehearsalConnection = rehearsalConnection;
    this.tools = tools;
    this.migrations = migrations;
    this.backupDirectory = backupDirectory;
    this.clock = clock;
    this.progress = progress;
  }

  /**
   * Checks every step's target against the migrations' revision graph, as the backup container of each Job does
   * first: a target the scripts do not have is bad input, found before anything is backed up or run.
   *
   * @throws RunnerException BAD_INPUT whose message starts with the field, e.g. {@code spec.steps[1].targetRevision}
   */
  public void checkTargets(DatabaseMigration resource) throws RunnerException {
    List<StepSpec> steps = resource.getSpec().stepsOrSingle();
    for (int i = 0; i < steps.size(); i++) {
      try {
        RevisionGraph.checkTarget(tools, migrations, steps.get(i).targetRevision(),
            line -> progress.println("alembic: " + connection.redact(line)));
      } catch (RunnerException e) {
        String field = resource.getSpec().phased() ? "spec.steps[" + i + "].targetRevision" : "spec.targetRevision";
        throw new RunnerException(e.exitCode(), field + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs the resource's steps in order until they have all ended or one waits at a closed gate, and returns the
   * resource with the status a cluster would show. {@code approvals} open those steps' approval gates, as the
   * dbmigrate.io/approve annotation does in a cluster.
   */
  public DatabaseMigration run(DatabaseMigration resource, Set<String> approvals) {
    Map<String, JobObservation> jobs = new HashMap<>();
    Set<String> given = new TreeSet<>();
    while (true) {
      Reconciliation outcome = Reconciliation.of(new Observation(resource, SecretObservation.PRESENT, jobs, Map.of(),
          clock.instant()));
      Decision decision = outcome.decision();
      apply(resource, outcome);
      spend(resource, outcome.spentApprovals());
      outcome.spentStampAnnotation().ifPresent(revision -> removeStampAnnotation(resource));
      if (decision instanceof Decision.CreateJob create) {
        JobObservation job = runJob(resource, create, jobs);
        jobs.put(job.name(), job);
      } else if (decision instanceof Decision.CreateStampJob stamp) {
        JobObservation job = runStamp(resource, stamp.run());
        jobs.put(job.name(), job);
      } else if (decision instanceof Decision.FollowStampJob stamp && stamp.goesOn()) {
        // Its end is now in status (above), so the next decision goes on: to the steps, or the annotation's removal.
        // A refused baseline is not followed again: nothing runs after it.
        continue;
      } else if (decision instanceof Decision.CreatePlanJob plan) {
        JobObservation job = runPlan(resource, plan.step());
        jobs.put(job.name(), job);
      } else if (decision instanceof Decision.AwaitGate gate && gate.publishes()) {
        printPlan(gate);
      } else if (decision instanceof Decision.AwaitGate gate && Reasons.AWAITING_APPROVAL.equals(gate.reason())
          && approvals.contains(gate.step().name()) && given.add(gate.step().name())) {
        // --approve is given after the plan printed above, as the annotation would be in a cluster.
        progress.println("dbmigrate: step " + gate.step().name() + " approved (--approve)");
        approve(resource, gate.step().name());
      } else {
        if (decision instanceof Decision.AwaitGate gate && Reasons.AWAITING_WINDOW.equals(gate.reason())) {
          progress.println("dbmigrate: step " + gate.step().name() + " waits: " + gate.waitingFor() + "; run again "
              + "then (--now INSTANT previews a run at that time)");
        } else if (decision instanceof Decision.AwaitGate gate && Reasons.AWAITING_ROLLOUT.equals(gate.reason())) {
          progress.println("dbmigrate: step " + gate.step().name() + " has a deploymentRollout gate, which cannot "
              + "open without a cluster; run the remaining steps with the operator");
        } else if (decision instanceof Decision.AwaitGate gate) {
          progress.println("dbmigrate: step " + gate.step().name() + " waits for approval; run again with --approve "
              + gate.step().name() + " to run it on the plan printed then");
        }
        return resource;
      }
    }
  }

  private static void removeStampAnnotation(DatabaseMigration resource) {
    Map<String, String> annotations = new HashMap<>(resource.getMetadata().getAnnotations());
    annotations.remove(StampRequests.STAMP_ANNOTATION);
    resource.getMetadata().setAnnotations(annotations);
  }

  private static void approve(DatabaseMigration resource, String step) {
    Set<String> all = new TreeSet<>(Gates.approvedSteps(resource));
    all.add(step);
    setApprovals(resource, String.join(",", all));
  }

  // The dbmigrate.io/approve annotation set to this list of steps, or removed when it is null.
  private static void setApprovals(DatabaseMigration resource, String steps) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(resource.getMetadata().getAnnotations());
    if (steps == null) {
      annotations.remove(Gates.APPROVE_ANNOTATION);
    } else {
      annotations.put(Gates.APPROVE_ANNOTATION, steps);
    }
    resource.getMetadata().setAnnotations(annotations);
  }

  // As the operator does: an approval opens one run of its step, so the resource printed at the end shows none left.
  private static void spend(DatabaseMigration resource, Set<String> spent) {
    if (spent.isEmpty()) {
      return;
    }
    setApprovals(resource, Gates.remainingApprovals(resource, spent));
  }

  private void printPlan(Decision.AwaitGate gate) {
    PlanResult plan = gate.publish();
    progress.println("dbmigrate: plan of step " + gate.step().name() + ": " + plan.direction() + " from "
        + plan.fromRevision() + ", revisions " + String.join(", ", plan.pendingRevisions()));
    if (plan.sqlUnavailable() != null) {
      progress.println("dbmigrate: no SQL: " + plan.sqlUnavailable());
    } else if (plan.sqlGzipBase64() != null) {
      progress.println(CompressedSql.decode(plan.sqlGzipBase64()));
    }
  }

  // The status a cluster would write, with the Events it would record as progress lines.
  private void apply(DatabaseMigration resource, Reconciliation outcome) {
    DatabaseMigrationStatus before = resource.getStatus();
    DatabaseMigrationStatus after = outcome.status();
    for (TransitionEvent event : TransitionEvent.between(before, after)) {
      LocalProgress.event(event).ifPresent(progress::println);
    }
    resource.setStatus(after);
  }

  // As the Job does: retry what may be transient, up to backoffLimit; a failing revision ends it at once.
  private JobObservation runJob(DatabaseMigration resource, Decision.CreateJob create, Map<String, JobObservation> jobs) {
    StepEntry step = create.step();
    DatabaseMigrationSpec spec = resource.getSpec();
    String name = step.jobName();
    List<Attempt> attempts = new ArrayList<>();
    int allowed = spec.backoffLimitOrDefault() + 1;
    while (true) {
      List<Attempt> earlier = List.copyOf(attempts);
      Attempt attempt = attempt(spec, resource, create, progressed -> {
        // What a reconcile of the cluster's Job would see as its containers go: Rehearsing, then Migrating.
        Map<String, JobObservation> seen = new HashMap<>(jobs);
        seen.put(name, new JobObservation(name, JobObservation.State.Active, append(earlier, progressed), null, null));
        Observation observation = new Observation(resource, SecretObservation.PRESENT, seen, Map.of(), clock.instant());
        apply(resource, Reconciliation.of(observation));
      });
      attempts.add(attempt);
      ContainerOutcome failure = attempt.failure();
      if (failure == null) {
        return new JobObservation(name, JobObservation.State.Succeeded, attempts, null, null);
      }
      boolean retryable = failure.exitCode() != null && ExitCode.of(failure.exitCode()).retryable();
      if (Interruption.requested()) {
        // Ctrl-C is the user stopping the run, not a transient failure: nothing is retried after it.
        return new JobObservation(name, JobObservation.State.Failed, attempts, null, null);
      }
      if (!retryable || attempts.size() >= allowed) {
        return new JobObservation(name, JobObservation.State.Failed, attempts,
            retryable ? "BackoffLimitExceeded" : "PodFailurePolicy", null);
      }
      progress.println("dbmigrate: attempt " + attempts.size() + " failed (" + failure.failureReason() + "); retrying");
    }
  }

  private JobObservation runPlan(DatabaseMigration resource, StepEntry step) {
    progress.println("dbmigrate: planning step " + step.name());
    StepCommand command = StepCommand.of(resource.getSpec(), step.spec());
    // The SQL is printed once the plan is shown at the gate, decoded from the result as a Job's would be.
    ContainerOutcome outcome = container("plan", () -> RunnerResult.of("plan", ExitCode.OK, "planned").withPlan(
        Plan.run(connection, tools, command.planRequest(migrations), progress,
            new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))));
    Attempt attempt = new Attempt(null, outcome);
    return new JobObservation(step.planJobName(), outcome.succeeded() ? JobObservation.State.Succeeded
        : JobObservation.State.Failed, List.of(attempt), outcome.succeeded() ? null : "PodFailurePolicy", null);
  }

  private static List<Attempt> append(List<Attempt> attempts, Attempt next) {
    List<Attempt> all = new ArrayList<>(attempts);
    all.add(next);
    return all;
  }

  private Attempt attempt(DatabaseMigrationSpec spec, DatabaseMigration resource, Decision.CreateJob create,
                          Consumer<Attempt> progressed) {
    StepEntry step = create.step();
    ContainerOutcome backupOutcome = backupIfRequired(resource,
        "g" + MigrationPlanner.generation(resource) + (spec.phased() ? "-" + step.name() : ""));
    if (backupOutcome != null && !backupOutcome.succeeded()) {
      return new Attempt(backupOutcome, null);
    }
    StepCommand command = StepCommand.of(spec, step, create.window());
    RehearsalSpec rehearsal = spec.rehearsalOf(step.spec());
    ContainerOutcome rehearseOutcome = null;
    java.time.Duration expected = create.window() == null ? null : create.window().expected();
    if (rehearsal.required()) {
      progressed.accept(new Attempt(backupOutcome, ContainerOutcome.running(), null));
      progress.println("dbmigrate: rehearsing on a copy restored from "
          + backupOutcome.result().backup().file() + (rehearsalConnection.equals(connection) ? ""
          : " on " + rehearsalConnection.host() + ":" + rehearsalConnection.port() + " (spec.rehearsal.database)")
          + (rehearsal.roundTripOrDefault() ? " (round trip)" : ""));
      rehearseOutcome = rehearse(command.rehearsalRequest(migrations,
          Path.of(backupOutcome.result().backup().file()), resource.getMetadata().getName(),
          rehearsal.roundTripOrDefault()));
      if (!rehearseOutcome.succeeded()) {
        return new Attempt(backupOutcome, rehearseOutcome, null);
      }
      RehearsalResult measured = rehearseOutcome.result().rehearsal();
      if (measured != null && measured.upgradeMillis() != null) {
        expected = java.time.Duration.ofMillis(measured.upgradeMillis());
      }
    }
    progressed.accept(new Attempt(backupOutcome, rehearseOutcome, ContainerOutcome.running()));
    progress.println("dbmigrate: upgrading " + connection.database() + " to " + command.target()
        + (spec.phased() ? " (step " + step.name() + ")" : ""));
    UpgradeRequest request = command.request(migrations);
    if (backupOutcome != null) {
      // As the migrate container does with --expect-backup: only from the revision the backup was taken at.
      request = request.expectingBackup(backupOutcome.result().backup().revision());
    }
    if (create.window() != null) {
      // As the migrate container does with the rehearsal its pod just ran: the measured duration decides.
      request = request.withinWindow(create.window().closesAt(), expected);
    }
    return new Attempt(backupOutcome, rehearseOutcome, upgrade(request));
  }

  private ContainerOutcome rehearse(RehearsalRequest request) {
    return container("rehearse", () -> RunnerResult.of("rehearse", ExitCode.OK, "rehearsal passed")
        .withRehearsal(Rehearsal.run(rehearsalConnection, tools, request, clock, progress)));
  }

  /** One runner command in process, as its container would end: its result, or what it reported failing. */
  private static ContainerOutcome container(String command, RunnerCall call) {
    try {
      return ContainerOutcome.of(call.run());
    } catch (RunnerException e) {
      return ContainerOutcome.of(e.result(command));
    }
  }

  private interface RunnerCall {
    RunnerResult run() throws RunnerException;
  }

  // A stamp Job: the backup, then the stamp; not retried (a stamp that failed is looked at by a person).
  private JobObservation runStamp(DatabaseMigration resource, Decision.StampRun run) {
    boolean adopt = run.kind() == Decision.StampRun.Kind.Baseline;
    ContainerOutcome backupOutcome = backupIfRequired(resource, adopt ? "baseline" : "stamp");
    ContainerOutcome stamp = null;
    if (backupOutcome == null || backupOutcome.succeeded()) {
      progress.println("dbmigrate: stamping " + connection.database() + " at " + run.revision()
          + (adopt ? " (spec.baseline)" : ""));
      stamp = container("stamp", () -> RunnerResult.of("stamp", ExitCode.OK, "stamped").withStamp(
          Stamp.run(connection, tools, new StampRequest(migrations, run.revision(), adopt), clock, progress)));
    }
    Attempt attempt = new Attempt(backupOutcome, stamp);
    return new JobObservation(run.jobName(), attempt.failure() == null ? JobObservation.State.Succeeded
        : JobObservation.State.Failed, List.of(attempt), attempt.failure() == null ? null : "PodFailurePolicy", null);
  }

  // The backup container of a Job: null when backups are disabled.
  private ContainerOutcome backupIfRequired(DatabaseMigration resource, String label) {
    BackupSpec backup = resource.getSpec().backupOrDefault();
    if (backup.modeOrDefault() != BackupSpec.BackupMode.Required) {
      return null;
    }
    progress.println("dbmigrate: backing up " + connection.database() + " into " + backupDirectory);
    return backup(new BackupRequest(backupDirectory, resource.getMetadata().getName(), label,
        backup.retainOrDefault()));
  }

  private ContainerOutcome backup(BackupRequest request) {
    return container("backup", () -> RunnerResult.of("backup", ExitCode.OK, "backup verified")
        .withBackup(Backup.run(connection, tools, request, clock)));
  }

  private ContainerOutcome upgrade(UpgradeRequest request) {
    return container("upgrade", () -> RunnerResult.of("upgrade", ExitCode.OK, "upgraded")
        .withUpgrade(Upgrade.run(connection, tools, request, clock, progress)));
  }

  public static boolean succeeded(DatabaseMigration resource) {
    return resource.getStatus() != null && resource.getStatus().phase() == Phase.Succeeded;
  }

  /** Stopped at a closed gate: nothing failed, the rest waits for an approval or a cluster. */
  public static boolean awaitingGate(DatabaseMigration resource) {
    return resource.getStatus() != null && resource.getStatus().phase() == Phase.AwaitingGate;
  }
}
