package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.MigrationRunStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.decide.StepLedger;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
        DatabaseMigrationStatus previous = StatusDraft.previous(resource);
        DatabaseMigrationSpec spec = resource.getSpec();
        StatusDraft next = new StatusDraft(resource, now);
        if (decision instanceof Decision.Stall stall) {
            next.aimsAt(spec == null ? null : spec.targetRevision(), null);
            next.noJob();
            next.failed(stall.reason(), stall.message());
            return next.build();
        }
        if (decision instanceof Decision.StampDecision stamp) {
            next.aimsAt(previous.targetRevision() != null ? previous.targetRevision()
                    : spec.stepsOrSingle().get(spec.stepsOrSingle().size() - 1).targetRevision(), previous.currentStep());
            Stamps.follow(next, stamp, spec.backupOrDefault().modeOrDefault() == BackupSpec.BackupMode.Required, now);
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
        next.aimsAt(last.spec().targetRevision(), spec.phased() ? current.name() : null);
        recordSteps(next, entries, decision, now);
        String prefix = spec.phased() ? "Step " + current.name() + ": " : "";
        follow(next, decision, spec, prefix, entries, current);
        next.messageOnStep(current.index());
        return next.build();
    }

    /**
     * The status after the API server refused a write the decision needed (a Job or ConfigMap built from this spec):
     * Failed and Stalled, the server's own words in the message, everything else as it was.
     */
    public static DatabaseMigrationStatus refused(DatabaseMigration resource, String reason, String message, Instant now) {
        DatabaseMigrationStatus previous = StatusDraft.previous(resource);
        StatusDraft next = new StatusDraft(resource, now);
        next.aimsAt(previous.targetRevision(), previous.currentStep());
        next.failed(reason, message);
        return next.build();
    }

    /** What the steps' Jobs reported, each step's status, the history of the runs that ended. */
    private static void recordSteps(StatusDraft next, List<StepEntry> entries, Decision decision, Instant now) {
        // Jobs in order, steps in order: the last revision reported is the one the database is at.
        for (StepEntry entry : entries) {
            entry.deferred().forEach(job -> next.stepRan(JobResults.of(job)));
            if (entry.job() != null) {
                next.stepRan(JobResults.of(entry.job()));
            }
        }
        for (StepEntry entry : entries) {
            next.addStep(StepStatuses.of(entry, decision, next.generation(), now));
        }
        for (StepEntry entry : entries) {
            next.recordHistory(History.ofStep(entry, next.step(entry.index()), next.generation()));
        }
        next.stampHasLastWord();
    }

    /** The phase, message and Job the decision about the steps gives the resource. */
    private static void follow(StatusDraft next, Decision decision, DatabaseMigrationSpec spec, String prefix,
                                                          List<StepEntry> entries, StepEntry current) {
        if (decision instanceof Decision.WaitForSecret wait) {
            next.noJob();
            next.progressing(Phase.Pending, wait.reason(), wait.message());
        } else if (decision instanceof Decision.WaitForJob wait) {
            next.noJob();
            next.progressing(Phase.Pending, Reasons.WAITING_FOR_PREVIOUS_JOB, prefix + "Job " + wait.job() + " of this "
                    + "resource still runs; the next Job starts when it has ended (one Job of a resource at a time)");
        } else if (decision instanceof Decision.Hold) {
            next.noJob();
            next.suspended(prefix + "Suspended: no migration Job is started while spec.suspend is true");
        } else if (decision instanceof Decision.CreateJob create) {
            next.startsJob(create.step().jobName());
            next.progressing(Phase.Pending, Reasons.JOB_CREATED, prefix + "Created Job " + create.step().jobName() + ": "
                    + plannedWork(spec, create.step()) + (create.openedBy() == null ? "" : " (gate opened by " + create.openedBy() + ")"));
        } else if (decision instanceof Decision.FollowJob follow) {
            followJob(next, spec, prefix, follow.step(), follow.job());
        } else if (decision instanceof Decision.JobLost lost) {
            next.namesJob(lost.step().jobName());
            next.failed(Reasons.JOB_LOST, prefix + "Job " + lost.step().jobName() + " was deleted before its "
                    + "outcome was seen: whether it backed up or migrated the database is unknown. It is not run again: check "
                    + "the database (its alembic_version, the backup volume), then edit the spec to run a new generation");
        } else if (decision instanceof Decision.CreatePlanJob plan) {
            next.startsJob(plan.step().planJobName());
            next.progressing(Phase.Pending, Reasons.PLANNING, prefix + "Created Job " + plan.step().planJobName()
                    + " to plan the step before its gate: pending revisions and their SQL");
        } else if (decision instanceof Decision.FollowPlanJob plan) {
            followPlanJob(next, prefix, plan.job());
        } else if (decision instanceof Decision.AwaitGate gate) {
            next.noJob();
            PlanStatus plan = StepStatuses.plan(gate.step());
            String message = Reasons.PLAN_PUBLISHED.equals(gate.reason())
                    ? prefix + "plan published (" + StepStatuses.planSummary(plan) + "); the gate is open, starting"
                    : prefix + "waiting for " + gate.waitingFor() + ". Plan: " + StepStatuses.planSummary(plan);
            next.progressing(Phase.AwaitingGate, gate.reason(), message);
        } else if (decision instanceof Decision.Finished) {
            if (current.job() != null) {
                next.followsJob(current.jobName(), current.job().failedAttempts());
            } else if (current.recorded() != null) {
                next.namesJob(current.recorded().job());
            }
            next.succeeded(successMessage(spec, entries, next));
        }
    }

    private static Optional<StepEntry> stepOf(Decision decision) {
        return decision instanceof Decision.StepDecision d ? Optional.of(d.step()) : Optional.empty();
    }

    private static void followJob(StatusDraft next, DatabaseMigrationSpec spec, String prefix, StepEntry step,
                                                                JobObservation job) {
        next.followsJob(job.name(), job.failedAttempts());
        Attempt latest = job.latestAttempt();
        String target = step.spec().targetRevision();
        if (job.state() != JobObservation.State.Active) {
            // The last attempt's runner says best what went wrong, unless a deadline killed the pod before it could.
            JobFailure failure = "DeadlineExceeded".equals(job.failureReason()) ? JobFailure.ofJob(job) : JobFailure.of(job);
            String attempts = failure.byRunner() && job.failedAttempts() > 1 ? " (after " + job.failedAttempts() + " attempts)" : "";
            next.failed(failure.reason(), prefix + failure.message() + attempts);
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
            next.progressing(Phase.Migrating, Reasons.MIGRATING, prefix + (latest.backup() == null ? "No backup (disabled); "
                    : backupVerified(next.lastBackup()) + "; ") + "upgrading to " + target);
        } else if (latest.rehearsing()) {
            next.progressing(Phase.Rehearsing, Reasons.REHEARSING, prefix + backupVerified(next.lastBackup())
                    + "; rehearsing the upgrade to " + target + " on a restored copy before production");
        } else {
            next.progressing(Phase.BackingUp, Reasons.BACKING_UP, prefix + "Backing up database " + spec.database().name()
                    + " before upgrading to " + target);
        }
    }

    private static void followPlanJob(StatusDraft next, String prefix, JobObservation job) {
        next.followsJob(job.name(), job.failedAttempts());
        if (job.state() == JobObservation.State.Active) {
            next.progressing(Phase.Pending, Reasons.PLANNING, prefix + "Job " + job.name()
                    + " is planning the step before its gate");
        } else if (job.state() == JobObservation.State.Succeeded) {
            // The gate would open on a plan nobody saw: the step ends here instead.
            next.failed(Reasons.PLAN_UNAVAILABLE, prefix + "Job " + job.name() + " succeeded but reported no "
                    + "plan (its termination message has no plan result: is the migrations image built FROM this version's "
                    + "dbmigrate runner?); the gate stays closed and the step did not start");
        } else {
            JobFailure failure = JobFailure.of(job);
            next.failed(failure.reason(), prefix + "planning failed, the step did not start: " + failure.message());
        }
    }

    private static String plannedWork(DatabaseMigrationSpec spec, StepEntry step) {
        BackupSpec backup = spec.backupOrDefault();
        String target = step.spec().targetRevision();
        if (backup.modeOrDefault() == BackupSpec.BackupMode.Disabled) {
            return "upgrade to " + target + " without a backup (backup disabled: " + backup.reason() + ")";
        }
        return "backup to " + backup.volume().persistentVolumeClaim().claimName() + ", then upgrade to " + target;
    }

    private static String backupVerified(BackupStatus backup) {
        return "Backup verified" + (backup == null || backup.file() == null ? "" : " (" + fileName(backup.file()) + ")");
    }

    private static String successMessage(DatabaseMigrationSpec spec, List<StepEntry> entries, StatusDraft next) {
        if (spec.phased()) {
            return entries.size() + (entries.size() == 1 ? " step" : " steps") + " succeeded ("
                    + String.join(", ", entries.stream().map(StepEntry::name).toList()) + "); at revision " + next.currentRevision();
        }
        MigrationRunStatus run = next.lastMigration();
        if (run == null || run.appliedRevisions() == null || run.appliedRevisions().isEmpty()) {
            return "At revision " + next.currentRevision() + "; nothing to apply";
        }
        List<String> applied = run.appliedRevisions();
        String verb = UpgradeResult.DOWNGRADE.equals(run.direction()) ? "Downgraded " : "Upgraded ";
        return verb + run.fromRevision() + " -> " + run.toRevision() + ": " + (verb.startsWith("Down") ? "undid " : "applied ")
                + applied.size() + (applied.size() == 1 ? " revision" : " revisions");
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    public static String timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
