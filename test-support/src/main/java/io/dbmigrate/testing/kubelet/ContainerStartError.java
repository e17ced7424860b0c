package io.dbmigrate.testing.kubelet;

/**
 * Why a container cannot start, in the words of a real kubelet's waiting state: {@code reason} is what
 * {@code kubectl get pods} shows (CreateContainerConfigError, ErrImagePull, CreateContainerError) and {@code message}
 * what {@code kubectl describe} shows. {@code retryable} errors depend on other API objects (a Secret created later)
 * and are retried every second; the others depend only on the pod spec, which cannot change.
 */
final class ContainerStartError extends Exception {

    static final String CONFIG_ERROR = "CreateContainerConfigError";
    static final String IMAGE_PULL_ERROR = "ErrImagePull";
    static final String CREATE_ERROR = "CreateContainerError";

    private final String reason;
    private final boolean retryable;

    ContainerStartError(String reason, String message, boolean retryable) {
        super(message);
        this.reason = reason;
        this.retryable = retryable;
    }

    static ContainerStartError config(String message) {
        return new ContainerStartError(CONFIG_ERROR, message, true);
    }

    String reason() {
        return reason;
    }

    boolean retryable() {
        return retryable;
    }
}
