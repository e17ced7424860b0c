package io.dbmigrate.api.v1alpha1;

/** Where a DatabaseMigration stands. Succeeded and Failed are final for a generation. */
public enum Phase {
    Pending, AwaitingGate, BackingUp, Rehearsing, Migrating, Stamping, Succeeded, Failed, Suspended;

    public boolean isFinal() {
        return this == Succeeded || this == Failed;
    }
}
