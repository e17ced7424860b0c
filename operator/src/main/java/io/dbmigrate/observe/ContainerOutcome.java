package io.dbmigrate.observe;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.status.Reasons;

/**
 * What one runner container of one attempt did, as read from the pod (or from the in-process run in local mode).
 *
 * @param state    where the container is
 * @param exitCode its exit status once terminated
 * @param reason   the kubelet's reason when it says more than the runner could (OOMKilled, CreateContainerConfigError)
 * @param result   the runner's termination message, when it wrote one
 * @param text     the termination message when it was not the runner's JSON (logs, with FallbackToLogsOnError)
 */
public record ContainerOutcome(State state, Integer exitCode, String reason, RunnerResult result, String text) {

    /** A container's life. */
    public enum State { Waiting, Running, Succeeded, Failed }

    public static ContainerOutcome waiting(String reason) {
        return new ContainerOutcome(State.Waiting, null, reason, null, null);
    }

    public static ContainerOutcome running() {
        return new ContainerOutcome(State.Running, null, null, null, null);
    }

    public static ContainerOutcome terminated(int exitCode, String reason, RunnerResult result, String text) {
        return new ContainerOutcome(exitCode == 0 ? State.Succeeded : State.Failed, exitCode, reason, result, text);
    }

    public static ContainerOutcome of(RunnerResult result) {
        return terminated(result.exitCode(), null, result, null);
    }

    public boolean succeeded() {
        return state == State.Succeeded;
    }

    private boolean describesExit() {
        return result != null && result.reason() != null && (exitCode == null || result.exitCode() == exitCode);
    }

    public boolean failed() {
        return state == State.Failed;
    }

    /**
     * The UpperCamelCase reason of a failure: the runner's own, else the kubelet's, else from the exit code. The runner's
     * counts only when it speaks of this exit: a container stopped after its result was written (a signal, the engine
     * going away) exited with another code, and a failed container must not read "Succeeded".
     */
    public String failureReason() {
        if (describesExit()) {
            return result.reason();
        }
        if (reason != null && !reason.isBlank() && !"Error".equals(reason)) {
            return reason;
        }
        return exitCode == null ? Reasons.CONTAINER_FAILED : ExitCode.of(exitCode).reason();
    }

    /** What went wrong, for people. */
    public String failureMessage() {
        if (describesExit() && result.message() != null) {
            return result.message();
        }
        if (result != null && result.reason() != null) {
            return "exited with code " + exitCode + (reason == null ? "" : " (" + reason + ")") + " after the runner "
                    + "reported " + result.reason() + (result.message() == null ? "" : ": " + result.message());
        }
        if (text != null && !text.isBlank()) {
            return text.strip();
        }
        return "exited with code " + exitCode + (reason == null ? "" : " (" + reason + ")");
    }
}
