package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Map;

/** Run each step on a restored copy of its backup first; production is touched only when the copy upgraded cleanly. */
public record RehearsalSpec(
        @Default("Disabled")
        @JsonPropertyDescription("Required: after the step's backup, restore it into a scratch database, run the step's "
                + "upgrade there (same safety settings, same verification queries), drop the copy, and only then upgrade "
                + "production. A failed rehearsal fails the step with RehearsalFailed; production is not touched. Needs a "
                + "backup. Disabled (default): no rehearsal.")
        RehearsalMode mode,

        @Default("false")
        @JsonPropertyDescription("Also downgrade the copy back to where it started and upgrade it again: proves the "
                + "rollback path before anyone needs it.")
        Boolean roundTrip,

        @JsonPropertyDescription("The server to rehearse on, given like spec.database (name: the database to connect to "
                + "for CREATE and DROP DATABASE, e.g. postgres). Default: the migrated database's own server, whose user then "
                + "needs CREATEDB.")
        DatabaseSpec database,

        @JsonPropertyDescription("The longest each lock mode may be held on any relation while the copy is upgraded, "
                + "e.g. {AccessExclusive: 2s, Share: 30s}: keys AccessShare, RowShare, RowExclusive, "
                + "ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive or AccessExclusive; values durations "
                + "(500ms, 2s, 1m). A mode without its own entry has the budget of the nearest weaker mode that has "
                + "one; modes weaker than every entry are not limited. A hold over budget fails the rehearsal with "
                + "LockHoldExceeded, naming the revision, relation, mode and time; production is not touched. "
                + "Default: no budget (the lock profile is still recorded in status).")
        Map<String, String> maxLockHold) {

    /** Without a lock budget. */
    public RehearsalSpec(RehearsalMode mode, Boolean roundTrip, DatabaseSpec database) {
        this(mode, roundTrip, database, null);
    }

    public boolean required() {
        return mode == RehearsalMode.Required;
    }

    public boolean roundTripOrDefault() {
        return Boolean.TRUE.equals(roundTrip);
    }

    public Map<String, String> maxLockHoldOrEmpty() {
        return maxLockHold == null ? Map.of() : maxLockHold;
    }

    /** Whether a step rehearses. */
    public enum RehearsalMode { Disabled, Required }
}
