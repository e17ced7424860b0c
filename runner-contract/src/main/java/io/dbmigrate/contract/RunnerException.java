package io.dbmigrate.contract;

import java.util.Objects;
import java.util.Optional;

/**
 * A runner command failed in a way we understand. The message is shown to users (logs, termination message,
 * Kubernetes conditions), so it must never contain a password. It carries what the command found out before it
 * failed, when it got that far: at most one result, of the command that failed.
 */
public class RunnerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;
    private final transient UpgradeResult upgradeResult;
    private final transient PlanResult planResult;
    private final transient StampResult stampResult;
    private final transient RehearsalResult rehearsalResult;

    public RunnerException(ExitCode exitCode, String message) {
        this(exitCode, message, null, null);
    }

    public RunnerException(ExitCode exitCode, String message, Throwable cause) {
        this(exitCode, message, cause, null);
    }

    public RunnerException(ExitCode exitCode, String message, UpgradeResult upgradeResult) {
        this(exitCode, message, null, upgradeResult);
    }

    public RunnerException(ExitCode exitCode, String message, Throwable cause, UpgradeResult upgradeResult) {
        this(exitCode, message, cause, upgradeResult, null, null, null);
    }

    /** A plan that could not be carried out as asked, with what was found out (a refused downgrade). */
    public RunnerException(ExitCode exitCode, String message, PlanResult planResult) {
        this(exitCode, message, null, null, planResult, null, null);
    }

    /** A stamp that did not happen, or failed, with what alembic_version held before and after. */
    public RunnerException(ExitCode exitCode, String message, StampResult stampResult) {
        this(exitCode, message, null, null, null, stampResult, null);
    }

    /** A rehearsal that failed (or was refused), with what it did on the copy up to then. */
    public RunnerException(ExitCode exitCode, String message, RehearsalResult rehearsalResult) {
        this(exitCode, message, null, null, null, null, rehearsalResult);
    }

    private RunnerException(ExitCode exitCode, String message, Throwable cause, UpgradeResult upgradeResult,
                            PlanResult planResult, StampResult stampResult, RehearsalResult rehearsalResult) {
        super(message, cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
        this.upgradeResult = upgradeResult;
        this.planResult = planResult;
        this.stampResult = stampResult;
        this.rehearsalResult = rehearsalResult;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** What {@code command} reports when it failed with this: the exit code, the message, what it found out. */
    public RunnerResult result(String command) {
        RunnerResult base = RunnerResult.of(command, exitCode, getMessage());
        if (exitCode == ExitCode.REHEARSAL_FAILED && rehearsalResult != null && rehearsalResult.failedOnLocks()) {
            // The exit code stays RehearsalFailed (not retried); the reason says it was the lock budget.
            base = new RunnerResult(command, exitCode.code(), rehearsalResult.failureReason(), getMessage(), null, null,
                    null, null);
        }
        return base.withUpgrade(upgradeResult).withPlan(planResult)
                .withStamp(stampResult).withRehearsal(rehearsalResult);
    }

    /** What the upgrade got to before failing (fromRevision, failedRevision, ...), when it got that far. */
    public Optional<UpgradeResult> upgradeResult() {
        return Optional.ofNullable(upgradeResult);
    }

    /** What the plan found before it failed, when it got that far. */
    public Optional<PlanResult> planResult() {
        return Optional.ofNullable(planResult);
    }

    /** What the stamp found (and did) before it failed, when it got as far as reading alembic_version. */
    public Optional<StampResult> stampResult() {
        return Optional.ofNullable(stampResult);
    }

    /** What the rehearsal did on the copy before it failed, when it got that far. */
    public Optional<RehearsalResult> rehearsalResult() {
        return Optional.ofNullable(rehearsalResult);
    }
}
