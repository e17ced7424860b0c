package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockHold;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.plan.StepCommand;
import io.dbmigrate.runner.Backup;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Interruption;
import io.dbmigrate.runner.Plan;
import io.dbmigrate.runner.Rehearsal;
import io.dbmigrate.runner.RevisionGraph;
import io.dbmigrate.runner.Stamp;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.runner.Upgrade;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operator's Jobs, run in this process: each container of the Job's pod becomes a runner call, retried as the
 * Job would retry it, and ends as the JobObservation a reconcile of the cluster would see.
 *
 * @param rehearsalConnection the server of spec.rehearsal.database, or {@code connection} without one
 */
record LocalJobs(ConnectionSettings connection, ConnectionSettings rehearsalConnection, Tools tools, Path migrations,
                                  Path backupDirectory, Clock clock, PrintStream progress) {

    /**
     * Checks every step's target against the migrations' revision graph, as the backup container of each Job does
     * first: a target the scripts do not have is bad input, found before anything is backed up or run.
     *
     * @throws RunnerException BAD_INPUT whose message starts with the field, e.g. {@code spec.steps[1].targetRevision}
     */
    void checkTargets(DatabaseMigration resource) throws RunnerException {
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
     * A step's Job. As the Job does: retry what may be transient, up to backoffLimit; a failing revision ends it at once.
     *
     * @param running the Job as its containers go (Rehearsing, then Migrating), as a reconcile would see it
     */
    JobObservation runJob(DatabaseMigration resource, Decision.CreateJob create, Consumer<JobObservation> running) {
        DatabaseMigrationSpec spec = resource.getSpec();
        String name = create.step().jobName();
        List<Attempt> attempts = new ArrayList<>();
        int allowed = spec.backoffLimitOrDefault() + 1;
        while (true) {
            List<Attempt> earlier = List.copyOf(attempts);
            Attempt attempt = attempt(spec, resource, create, progressed -> running.accept(
                    new JobObservation(name, JobObservation.State.Active, append(earlier, progressed), null, null,
                            create.openedBy())));
            attempts.add(attempt);
            ContainerOutcome failure = attempt.failure();
            if (failure == null) {
                return new JobObservation(name, JobObservation.State.Succeeded, attempts, null, null, create.openedBy());
            }
            boolean retryable = failure.exitCode() != null && ExitCode.of(failure.exitCode()).retryable();
            if (Interruption.requested()) {
                // Ctrl-C is the user stopping the run, not a transient failure: nothing is retried after it.
                return new JobObservation(name, JobObservation.State.Failed, attempts, null, null, create.openedBy());
            }
            if (!retryable || attempts.size() >= allowed) {
                return new JobObservation(name, JobObservation.State.Failed, attempts,
                        retryable ? "BackoffLimitExceeded" : "PodFailurePolicy", null, create.openedBy());
            }
            progress.println("dbmigrate: attempt " + attempts.size() + " failed (" + failure.failureReason() + "); retrying");
        }
    }

    /** A gated step's plan Job. */
    JobObservation runPlan(DatabaseMigration resource, StepEntry step) {
        progress.println("dbmigrate: planning step " + step.name());
        StepCommand command = StepCommand.of(resource.getSpec(), step.spec());
        // The SQL is printed once the plan is shown at the gate, decoded from the result as a Job's would be.
        ContainerOutcome outcome = container("plan", () -> RunnerResult.of("plan", ExitCode.OK, "planned").withPlan(
                Plan.run(connection, tools, command.planRequest(migrations), progress,
                        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))));
        Attempt attempt = new Attempt(null, outcome);
        return new JobObservation(step.planJobName(), outcome.succeeded() ? JobObservation.State.Succeeded
                : JobObservation.State.Failed, List.of(attempt), outcome.succeeded() ? null : "PodFailurePolicy", null,
                null);
    }

    /** A stamp Job: the backup, then the stamp; not retried (a stamp that failed is looked at by a person). */
    JobObservation runStamp(DatabaseMigration resource, Decision.StampRun run) {
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
                : JobObservation.State.Failed, List.of(attempt), attempt.failure() == null ? null : "PodFailurePolicy", null,
                null);
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
        Duration expected = create.window() == null ? null : create.window().expected();
        if (rehearsal.required()) {
            progressed.accept(new Attempt(backupOutcome, ContainerOutcome.running(), null));
            progress.println("dbmigrate: rehearsing on a copy restored from "
                    + backupOutcome.result().backup().file() + (rehearsalConnection.equals(connection) ? ""
                    : " on " + rehearsalConnection.host() + ":" + rehearsalConnection.port() + " (spec.rehearsal.database)")
                    + (rehearsal.roundTripOrDefault() ? " (round trip)" : ""));
            rehearseOutcome = rehearse(command.rehearsalRequest(migrations,
                    Path.of(backupOutcome.result().backup().file()), resource.getMetadata().getName(), rehearsal));
            printLockProfile(rehearseOutcome.result() == null ? null : rehearseOutcome.result().rehearsal());
            if (!rehearseOutcome.succeeded()) {
                return new Attempt(backupOutcome, rehearseOutcome, null);
            }
            RehearsalResult measured = rehearseOutcome.result().rehearsal();
            if (measured != null && measured.upgradeMillis() != null) {
                expected = Duration.ofMillis(measured.upgradeMillis());
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

    /** The rehearsal's lock profile, one line a hold, longest first: what the upgrade will hold in production. */
    private void printLockProfile(RehearsalResult r) {
        LockProfile profile = r == null ? null : r.lockProfile();
        if (profile == null) {
            return;
        }
        if (profile.unavailable() != null) {
            progress.println("dbmigrate: lock profile: " + profile.unavailable());
            return;
        }
        progress.println("dbmigrate: lock profile of the rehearsal (" + profile.samples() + " samples, every "
                + profile.periodMicros() / 1000.0 + " ms):");
        for (LockHold h : profile.holds()) {
            progress.println("dbmigrate:   " + (h.mode() == null ? "waited " + h.waitMillis() + " ms for"
                    : h.mode() + " " + h.holdMillis() + " ms on") + " " + h.relation()
                    + (h.revision() == null ? "" : " (revision " + h.revision() + ")")
                    + (Boolean.TRUE.equals(h.rewritten()) ? ", rewritten" : ""));
        }
    }

    private ContainerOutcome rehearse(RehearsalRequest request) {
        return container("rehearse", () -> RunnerResult.of("rehearse", ExitCode.OK, "rehearsal passed")
                .withRehearsal(Rehearsal.run(rehearsalConnection, tools, request, clock, progress)));
    }

    // The backup container of a Job: null when backups are disabled.
    private ContainerOutcome backupIfRequired(DatabaseMigration resource, String label) {
        BackupSpec backup = resource.getSpec().backupOrDefault();
        if (backup.modeOrDefault() != BackupSpec.BackupMode.Required) {
            return null;
        }
        progress.println("dbmigrate: backing up " + connection.database() + " into " + backupDirectory);
        return backup(new BackupRequest(backupDirectory, resource.getMetadata().getName(), label,
                backup.retainOrDefault(), backup.runnerCompression()));
    }

    private ContainerOutcome backup(BackupRequest request) {
        return container("backup", () -> RunnerResult.of("backup", ExitCode.OK, "backup verified")
                .withBackup(Backup.run(connection, tools, request, clock)));
    }

    private ContainerOutcome upgrade(UpgradeRequest request) {
        return container("upgrade", () -> RunnerResult.of("upgrade", ExitCode.OK, "upgraded")
                .withUpgrade(Upgrade.run(connection, tools, request, clock, progress)));
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
}
