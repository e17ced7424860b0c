package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

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
        DatabaseSpec database) {

    public boolean required() {
        return mode == RehearsalMode.Required;
    }

    public boolean roundTripOrDefault() {
        return Boolean.TRUE.equals(roundTrip);
    }

    /** Whether a step rehearses. */
    public enum RehearsalMode { Disabled, Required }
}
