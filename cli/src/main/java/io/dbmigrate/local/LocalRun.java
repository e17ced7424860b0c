package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Reconciliation;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * `dbmigrate run`: the cluster's path without a cluster. Each pass is one reconcile ({@link Reconciliation}) with the
 * same planner and status; its Jobs run in process ({@link LocalEffects}), and the passes go on until the steps have
 * all ended or one waits at a closed gate.
 */
public final class LocalRun {
    private final LocalJobs jobs;

    public LocalRun(ConnectionSettings connection, Tools tools, Path migrations, Path backupDirectory, Clock clock,
                                    PrintStream progress) {
        this(connection, connection, tools, migrations, backupDirectory, clock, progress);
    }

    /** {@code rehearsalConnection}: the server of spec.rehearsal.database, or {@code connection} without one. */
    public LocalRun(ConnectionSettings connection, ConnectionSettings rehearsalConnection, Tools tools, Path migrations,
                                    Path backupDirectory, Clock clock, PrintStream progress) {
        this.jobs = new LocalJobs(connection, rehearsalConnection, tools, migrations, backupDirectory, clock, progress);
    }

    /**
     * Checks every step's target against the migrations' revision graph, as the backup container of each Job does
     * first: a target the scripts do not have is bad input, found before anything is backed up or run.
     *
     * @throws RunnerException BAD_INPUT whose message starts with the field, e.g. {@code spec.steps[1].targetRevision}
     */
    public void checkTargets(DatabaseMigration resource) throws RunnerException {
        jobs.checkTargets(resource);
    }

    /**
     * Runs the resource's steps in order until they have all ended or one waits at a closed gate, and returns the
     * resource with the status a cluster would show. {@code approvals} open those steps' approval gates, as the
     * dbmigrate.io/approve annotation does in a cluster.
     */
    public DatabaseMigration run(DatabaseMigration resource, Set<String> approvals) {
        LocalEffects effects = new LocalEffects(jobs, seen -> show(resource, Reconciliation.of(observe(resource, seen))));
        Set<String> given = new TreeSet<>();
        while (true) {
            Reconciliation outcome = Reconciliation.of(observe(resource, effects.jobs()));
            show(resource, outcome);
            effects.carryOut(outcome);
            if (!goesOn(resource, outcome.decision(), approvals, given)) {
                return resource;
            }
        }
    }

    private Observation observe(DatabaseMigration resource, Map<String, JobObservation> seen) {
        return new Observation(resource, SecretObservation.PRESENT, seen, Map.of(), jobs.clock().instant());
    }

    // The status a cluster would write, with the Events it would record as progress lines.
    private void show(DatabaseMigration resource, Reconciliation outcome) {
        DatabaseMigrationStatus after = outcome.status();
        for (TransitionEvent event : TransitionEvent.between(resource.getStatus(), after)) {
            LocalProgress.event(event).ifPresent(jobs.progress()::println);
        }
        resource.setStatus(after);
    }

    // Whether the next pass has something new to decide from: a Job that ran, a stamp recorded, a plan shown, --approve.
    private boolean goesOn(DatabaseMigration resource, Decision decision, Set<String> approvals, Set<String> given) {
        if (decision instanceof Decision.CreateJob || decision instanceof Decision.CreatePlanJob
                || decision instanceof Decision.CreateStampJob) {
            return true;
        }
        if (decision instanceof Decision.FollowStampJob stamp) {
            // Its end is now in status (above), so the next decision goes on: to the steps, or the annotation's removal.
            // A refused baseline is not followed again: nothing runs after it.
            return stamp.goesOn();
        }
        if (!(decision instanceof Decision.AwaitGate gate)) {
            return false;
        }
        String step = gate.step().name();
        PrintStream progress = jobs.progress();
        if (gate.publishes()) {
            printPlan(step, gate.publish());
            return true;
        }
        if (Reasons.awaitsPlanApproval(gate.reason()) && approvals.contains(step) && given.add(step)) {
            // --approve is given after the plan printed above, as the annotation would be in a cluster.
            progress.println("dbmigrate: step " + step + " approved (--approve)");
            LocalEffects.approve(resource, step);
            return true;
        }
        if (Reasons.AWAITING_WINDOW.equals(gate.reason())) {
            progress.println("dbmigrate: step " + step + " waits: " + gate.waitingFor() + "; run again "
                    + "then (--now INSTANT previews a run at that time)");
        } else if (Reasons.AWAITING_ROLLOUT.equals(gate.reason())) {
            progress.println("dbmigrate: step " + step + " has a deploymentRollout gate, which cannot "
                    + "open without a cluster; run the remaining steps with the operator");
        } else if (Reasons.heldByLint(gate.reason())) {
            progress.println("dbmigrate: step " + step + " waits for approval of its plan and lint findings ("
                    + gate.reason() + ", spec.safety.lint.mode Block); fix the revision, or run again with --approve "
                    + step + " to run it on the plan printed then");
        } else {
            progress.println("dbmigrate: step " + step + " waits for approval; run again with --approve "
                    + step + " to run it on the plan printed then");
        }
        return false;
    }

    private void printPlan(String step, PlanResult plan) {
        PrintStream progress = jobs.progress();
        progress.println("dbmigrate: plan of step " + step + ": " + plan.direction() + " from "
                + plan.fromRevision() + ", revisions " + String.join(", ", plan.pendingRevisions()));
        if (plan.sqlUnavailable() != null) {
            progress.println("dbmigrate: no SQL: " + plan.sqlUnavailable());
        } else if (plan.sqlGzipBase64() != null) {
            progress.println(CompressedSql.decode(plan.sqlGzipBase64()));
        }
        printLint(step, plan.lint());
    }

    /** One line a finding, under the plan: severity, revision, rule, the statement's start. */
    private void printLint(String step, LintReport lint) {
        if (lint == null) {
            return;
        }
        PrintStream progress = jobs.progress();
        if (lint.unavailable() != null) {
            progress.println("dbmigrate: lint of step " + step + " unavailable: " + lint.unavailable());
            return;
        }
        List<LintFinding> findings = lint.findings() == null ? List.of() : lint.findings();
        long errors = lint.errors() != null ? lint.errors() : findings.stream().filter(LintFinding::error).count();
        progress.println("dbmigrate: lint of step " + step + " (" + lint.linter() + "): " + findings.size()
                + (findings.size() == 1 ? " finding" : " findings") + ", " + errors + (errors == 1 ? " error" : " errors")
                + (findings.isEmpty() ? "" : "; docs/phased-migrations.md (Lint findings) says how to fix them"));
        for (LintFinding f : findings) {
            progress.println("dbmigrate:   " + f.severity() + " " + f.revision() + " " + f.rule() + ": "
                    + f.statement());
        }
    }

    /** What the API server would have filled in: the namespace, the generation, a uid (the same for the same name). */
    public static void defaultMetadata(HasMetadata resource) {
        var metadata = resource.getMetadata();
        if (metadata.getNamespace() == null) {
            metadata.setNamespace("default");
        }
        if (metadata.getGeneration() == null) {
            metadata.setGeneration(1L);
        }
        if (metadata.getUid() == null) {
            metadata.setUid(UUID.nameUUIDFromBytes((metadata.getNamespace() + "/" + metadata.getName()).getBytes(StandardCharsets.UTF_8)).toString());
        }
    }

    public static boolean succeeded(DatabaseMigration resource) {
        return resource.getStatus() != null && resource.getStatus().phase() == Phase.Succeeded;
    }

    /** Stopped at a closed gate: nothing failed, the rest waits for an approval or a cluster. */
    public static boolean awaitingGate(DatabaseMigration resource) {
        return resource.getStatus() != null && resource.getStatus().phase() == Phase.AwaitingGate;
    }
}
