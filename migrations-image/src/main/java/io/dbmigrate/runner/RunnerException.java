package io.dbmigrate.runner;

import java.util.Objects;
import java.util.Optional;

/**
 * A runner command failed in a way we understand. The message is shown to users (logs, termination message,
 * Kubernetes conditions), so it must never contain a password.
 */
public class RunnerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;
    private final transient UpgradeResult upgradeResult;
    private final transient PlanResult planResult;
    private final transient StampResult stampResult;

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
        super(message, cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
        this.upgradeResult = upgradeResult;
        this.planResult = null;
        this.stampResult = null;
    }

    /** A plan that could not be carried out as asked, with what was found out (a refused downgrade). */
    public RunnerException(ExitCode exitCode, String message, PlanResult planResult) {
        super(message);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
        this.upgradeResult = null;
        this.planResult = planResult;
        this.stampResult = null;
    }

    /** A stamp that did not happen, or failed, with what alembic_version held before and after. */
    public RunnerException(ExitCode exitCode, String message, StampResult stampResult) {
        super(message);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
        this.upgradeResult = null;
        this.planResult = null;
        this.stampResult = stampResult;
    }

    public ExitCode exitCode() {
        return exitCode;
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
}
