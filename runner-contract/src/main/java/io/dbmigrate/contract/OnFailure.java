package io.dbmigrate.contract;

/** What the runner does when the migration or its verification fails. */
public enum OnFailure {
    /** Leave the database where the failure left it (for Alembic's default single transaction: where it started). */
    HALT,
    /** Run {@code alembic downgrade} back to the revision the run started from. */
    DOWNGRADE
}
