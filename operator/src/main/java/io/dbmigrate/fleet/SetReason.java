package io.dbmigrate.fleet;

/**
 * The condition and Event reasons of a DatabaseMigrationSet, each written as its name. Kept apart from
 * {@link io.dbmigrate.status.Reasons} (a DatabaseMigration's); each has a section in docs/troubleshooting.md too, shared
 * where the name is the same.
 */
public enum SetReason {
    /** Targets migrate, or wait for a free slot. */
    Progressing,
    AwaitingApproval,
    AwaitingPause,
    /**
     * Every target still running waits for an approval of its step's plan (lint mode Block, or an approval gate), and
     * no other may start: the plans to approve are in the status.
     */
    AwaitingPlanApproval,
    Suspended,
    Succeeded,
    /** More targets failed than spec.rollout.maxFailures allows: no new one starts. */
    RolloutHalted,
    /** A canary target failed: the rest never starts. */
    CanaryFailed,
    /** Every target ended, some failed, within spec.rollout.maxFailures. */
    TargetsFailed,
    /** A generated target cannot be migrated: a Secret without a key, a name taken. */
    InvalidTarget,
    /** A query generator's catalog could not be read, and no earlier read is known: its targets are unknown. */
    QueryFailed,
    InvalidSpec,
    // Events of the set's writes.
    /** A target's DatabaseMigration was created (or given a new set generation's spec). */
    TargetStarted,
    /** A failed target's DatabaseMigration was made anew for the retry annotation. */
    TargetRetried
}
