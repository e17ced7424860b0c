package io.dbmigrate.observe;

import java.util.List;

/**
 * A migration Job as observed: its state and its attempts, oldest first.
 *
 * @param failureReason  the Job's Failed condition reason (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy)
 * @param failureMessage the Job's Failed condition message
 * @param openedBy       what opened the step's gate, as the Job records it; null for a Job without a gate opener
 */
public record JobObservation(String name, State state, List<Attempt> attempts, String failureReason, String failureMessage,
                                                          String openedBy) {

    /** A Job's life, from its Complete and Failed conditions. */
    public enum State { Active, Succeeded, Failed }

    public JobObservation {
        attempts = List.copyOf(attempts);
    }

    public Attempt latestAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    /** The container whose failure ended the latest attempt that failed; null when none did. */
    public ContainerOutcome lastFailure() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            ContainerOutcome failure = attempts.get(i).failure();
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    public int failedAttempts() {
        return (int) attempts.stream().filter(attempt -> attempt.failure() != null).count();
    }
}
