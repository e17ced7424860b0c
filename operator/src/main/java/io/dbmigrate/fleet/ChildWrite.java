package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;

/**
 * A DatabaseMigration the rollout writes now.
 *
 * @param child       the child as the set wants it
 * @param replacesUid for {@link Kind#RECREATE}: the failed child's uid, deleted first only if it is still that one
 */
public record ChildWrite(Kind kind, DatabaseMigration child, String replacesUid) {

    public enum Kind {
        /** A target without a child. */
        CREATE,
        /** A child written for an older set generation: its spec and annotations become this generation's. */
        UPDATE,
        /** A failed child the retry annotation names: deleted and created again, a new migration with a new uid. */
        RECREATE
    }

    public String name() {
        return child.getMetadata().getName();
    }
}
