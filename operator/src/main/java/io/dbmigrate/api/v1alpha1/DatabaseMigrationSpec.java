package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RevisionSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** What to migrate, with what, to which revision, and how carefully. */
@ValidationRule(value = "has(self.targetRevision) != has(self.steps)",
        message = "set either targetRevision (one step) or steps, not both")
// On the type, not the field: the generator writes a field's rule twice (field and accessor of the record).
@ValidationRule(value = "!has(self.steps) || self.steps.all(s, self.steps.exists_one(t, t.name == s.name))",
        message = "step names must be unique")
@ValidationRule(value = "!has(self.verify) || self.verify.all(q, self.verify.exists_one(r, r.name == q.name))",
        message = "verify names must be unique")
public record DatabaseMigrationSpec(
        @Required
        @JsonPropertyDescription("The PostgreSQL database to migrate.")
        DatabaseSpec database,

        @Required
        @JsonPropertyDescription("The image holding the Alembic project, built FROM the dbmigrate migrations image.")
        MigrationsSpec migrations,

        @Pattern(RevisionSpec.PATTERN)
        @Size(min = 1, max = RevisionSpec.MAX_LENGTH)
        @JsonPropertyDescription("The Alembic revision to upgrade to: head, a revision id (ae1027a6acf), branch@head, or a relative step (+2). "
                + "Passed to Alembic as one argument, never to a shell. One step; use steps instead for phases.")
        String targetRevision,

        @Size(min = 1, max = 10)
        @JsonPropertyDescription("Phases run in order, each with its own backup and upgrade, e.g. expand, then contract behind a gate. "
                + "Instead of targetRevision.")
        List<StepSpec> steps,

        @Required
        @JsonPropertyDescription("The backup taken and verified before every upgrade: a volume for it, or mode Disabled "
                + "with a reason.")
        BackupSpec backup,

        @Default("2")
        @Min(0)
        @Max(10)
        @JsonPropertyDescription("How many times a failed attempt is retried when the failure may be transient (database unreachable, "
                + "migration lock held); a failing revision is never retried. Default 2.")
        Integer backoffLimit,

        @Default("false")
        @JsonPropertyDescription("When true, no new migration Job is started; a running one finishes.")
        Boolean suspend,

        @JsonPropertyDescription("Lock safety: lock_timeout, its retries, statement_timeout; and the lint of each step's plan.")
        SafetySpec safety,

        @Size(max = 20)
        @JsonPropertyDescription("Queries that must return true after every step, run read-only.")
        List<VerifyQuerySpec> verify,

        @Default("Halt")
        @JsonPropertyDescription("After a failed migration or verification: Halt (default) leaves the database where the failure "
                + "left it; Downgrade runs alembic downgrade to the revision the step started from.")
        OnFailure onFailure,

        @Default("false")
        @JsonPropertyDescription("Allows a target below the current revision (an explicit downgrade, after its own backup). "
                + "Without it such a step fails with DowngradeNotAllowed and changes nothing.")
        Boolean allowDowngrade,

        @JsonPropertyDescription("Settings copied into the migration Job's pod.")
        JobTemplateSpec jobTemplate,

        @JsonPropertyDescription("Rehearse every step on a restored copy of its backup before production (steps may "
                + "override mode and roundTrip).")
        RehearsalSpec rehearsal,

        @Pattern(RevisionSpec.PATTERN)
        @Size(min = 1, max = RevisionSpec.MAX_LENGTH)
        @JsonPropertyDescription("Adopts a database that has the schema but no alembic_version: after a backup, stamps "
                + "this revision, only when alembic_version is absent or empty (refused, BaselineRefused, when it holds a "
                + "revision that does not include this one; left alone when it is at it or past it). Then the steps run.")
        String baseline,

        @Default("10")
        @Min(0)
        @Max(100)
        @JsonPropertyDescription("How many completed steps, stamps and baselines status.history keeps. Default 10.")
        Integer historyLimit) {

    /** The one step of a resource without spec.steps. */
    public static final String SINGLE_STEP = "migrate";

    public static final int DEFAULT_BACKOFF_LIMIT = 2;
    public static final int DEFAULT_HISTORY_LIMIT = 10;

    /** This spec for another database: a DatabaseMigrationSet's template made one target's spec. */
    public DatabaseMigrationSpec withDatabase(DatabaseSpec other) {
        return new DatabaseMigrationSpec(other, migrations, targetRevision, steps, backup, backoffLimit, suspend, safety,
                verify, onFailure, allowDowngrade, jobTemplate, rehearsal, baseline, historyLimit);
    }

    public int historyLimitOrDefault() {
        return historyLimit == null ? DEFAULT_HISTORY_LIMIT : historyLimit;
    }

    /**
     * Whether the step rehearses, with a round trip, under which lock budget: the step's own settings over
     * spec.rehearsal's.
     */
    public RehearsalSpec rehearsalOf(StepSpec step) {
        RehearsalSpec base = rehearsal == null ? new RehearsalSpec(null, null, null) : rehearsal;
        StepRehearsalSpec own = step.rehearsal();
        RehearsalSpec.RehearsalMode mode = own != null && own.mode() != null ? own.mode()
                : base.mode() == null ? RehearsalSpec.RehearsalMode.Disabled : base.mode();
        Boolean roundTrip = own != null && own.roundTrip() != null ? own.roundTrip() : base.roundTrip();
        Map<String, String> maxLockHold = own != null && own.maxLockHold() != null ? own.maxLockHold()
                : base.maxLockHoldOrEmpty();
        return new RehearsalSpec(mode, Boolean.TRUE.equals(roundTrip), base.database(), maxLockHold);
    }

    public BackupSpec backupOrDefault() {
        return backup == null ? BackupSpec.DEFAULT : backup;
    }

    public int backoffLimitOrDefault() {
        return backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : backoffLimit;
    }

    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /** The steps to run: spec.steps, or one step named {@value #SINGLE_STEP} to spec.targetRevision. */
    public List<StepSpec> stepsOrSingle() {
        return steps == null ? List.of(new StepSpec(SINGLE_STEP, targetRevision, null, null, null)) : steps;
    }

    public boolean phased() {
        return steps != null;
    }

    public SafetySpec safetyOrDefault() {
        return safety == null ? SafetySpec.DEFAULT : safety;
    }

    public LintSpec lintOrDefault() {
        return safetyOrDefault().lintOrDefault();
    }

    /**
     * Whether the step is planned (a plan Job, its plan published) before it runs: a gated step, and under lint mode
     * Block every step, since its findings can hold it.
     */
    public boolean planned(StepSpec step) {
        return step.gated() || lintOrDefault().modeOrDefault() == LintSpec.LintMode.Block;
    }

    public List<VerifyQuerySpec> verifyOrEmpty() {
        return verify == null ? List.of() : verify;
    }

    public OnFailure onFailureOrDefault() {
        return onFailure == null ? OnFailure.HALT : onFailure;
    }

    public boolean downgradeAllowed() {
        return Boolean.TRUE.equals(allowDowngrade);
    }

    public JobTemplateSpec jobTemplateOrDefault() {
        return jobTemplate == null ? JobTemplateSpec.EMPTY : jobTemplate;
    }
}
