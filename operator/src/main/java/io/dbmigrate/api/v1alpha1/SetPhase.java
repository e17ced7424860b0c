package io.dbmigrate.api.v1alpha1;

/** Where a DatabaseMigrationSet's rollout stands. */
public enum SetPhase {
    /** No target's migration has started yet (none generated, or the first being created). */
    Pending,
    /** Targets are migrating, or wait for a free slot. */
    Progressing,
    /** The canary succeeded; the rest waits for the approval or the pause. */
    AwaitingGate,
    /** spec.rollout.suspend holds new targets; running ones finish. */
    Suspended,
    /** Every target's migration succeeded. */
    Succeeded,
    /** Nothing runs and targets failed: more than maxFailures (the rollout halted), a canary, or within the budget. */
    Failed
}
