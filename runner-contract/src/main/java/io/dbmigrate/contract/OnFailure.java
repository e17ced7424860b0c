package io.dbmigrate.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the runner does when the migration or its verification fails: spec.onFailure of a DatabaseMigration, written
 * {@code Halt} and {@code Downgrade} in the resource (and the CRD's enum), {@code --on-failure halt|downgrade} on the
 * runner's command line.
 */
public enum OnFailure {
    /** Leave the database where the failure left it (for Alembic's default single transaction: where it started). */
    @JsonProperty("Halt")
    HALT,
    /** Run {@code alembic downgrade} back to the revision the run started from. */
    @JsonProperty("Downgrade")
    DOWNGRADE
}
