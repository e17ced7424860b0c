package io.dbmigrate.status;

/**
 * The condition and Event reasons the operator sets itself. The runner's failure reasons
 * ({@link io.dbmigrate.contract.ExitCode#reason()}) and the Job's (DeadlineExceeded, BackoffLimitExceeded) pass through.
 */
public final class Reasons {
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
    public static final String SUSPENDED = "Suspended";
    public static final String WAITING_FOR_PREVIOUS_JOB = "WaitingForPreviousJob";
    public static final String JOB_CREATED = "JobCreated";
    public static final String BACKING_UP = "BackingUp";
    public static final String MIGRATING = "Migrating";
    public static final String RETRYING = "Retrying";
    public static final String SUCCEEDED = "Succeeded";
    public static final String BACKUP_VERIFIED = "BackupVerified";
    public static final String JOB_FAILED = "JobFailed";
    /** A step's Job that status recorded as started is gone before its end was seen. */
    public static final String JOB_LOST = "JobLost";
    /** A failed container with no runner result, no kubelet reason but Error, and no exit code. */
    public static final String CONTAINER_FAILED = "ContainerFailed";
    public static final String PLANNING = "Planning";
    public static final String PLAN_PUBLISHED = "PlanPublished";
    public static final String PLAN_UNAVAILABLE = "PlanUnavailable";
    public static final String AWAITING_APPROVAL = "AwaitingApproval";
    public static final String AWAITING_ROLLOUT = "AwaitingRollout";
    /** Lint mode Block: the step's plan has an error finding, and waits for that plan's approval by digest. */
    public static final String LINT_BLOCKED = "LintBlocked";
    /** Lint mode Block: the step's plan could not be linted, and waits for that plan's approval by digest. */
    public static final String LINT_UNAVAILABLE = "LintUnavailable";
    /** The Event of a plan whose lint found something, whatever the mode. */
    public static final String LINT_FINDINGS = "LintFindings";
    public static final String STEP_SUCCEEDED = "StepSucceeded";
    public static final String REHEARSING = "Rehearsing";
    public static final String REHEARSAL_PASSED = "RehearsalPassed";
    public static final String REHEARSAL_FAILED = "RehearsalFailed";
    /** A rehearsal's container reports these instead of RehearsalFailed (same exit code) when its lock budget failed it. */
    public static final String LOCK_HOLD_EXCEEDED = "LockHoldExceeded";
    public static final String LOCK_PROFILE_UNAVAILABLE = "LockProfileUnavailable";
    public static final String AWAITING_WINDOW = "AwaitingWindow";
    public static final String OUTSIDE_WINDOW = "OutsideWindow";
    public static final String STAMPING = "Stamping";
    public static final String STAMPED = "Stamped";
    public static final String STAMP_FAILED = "StampFailed";
    public static final String BASELINED = "Baselined";
    public static final String REJECTED_BY_API_SERVER = "RejectedByApiServer";
    // The reasons of a Reconciling or Stalled condition that is False.
    public static final String NOT_RECONCILING = "NotReconciling";
    public static final String NOT_STALLED = "NotStalled";

    /** Lint mode Block holds the step (LintBlocked, LintUnavailable) until its plan is approved, as a gate does. */
    public static boolean heldByLint(String reason) {
        return LINT_BLOCKED.equals(reason) || LINT_UNAVAILABLE.equals(reason);
    }

    /** The reasons of a DatabaseMigration that an approval of its step's plan ends (and nothing else does). */
    public static boolean awaitsPlanApproval(String reason) {
        return AWAITING_APPROVAL.equals(reason) || heldByLint(reason);
    }

    private Reasons() {
    }
}
