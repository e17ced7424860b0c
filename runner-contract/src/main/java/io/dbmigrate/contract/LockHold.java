package io.dbmigrate.contract;

/**
 * The longest continuous hold of one lock mode on one relation by Alembic's sessions during a rehearsal's upgrade.
 *
 * @param relation   schema-qualified name; {@code oid N} for a relation whose name was never visible to the sampler
 *                   (created and dropped inside Alembic's transaction)
 * @param mode       a {@link LockMode} name
 * @param holdMillis from the first to the last consecutive sample that saw it granted (0: seen once); the real hold
 *                   is longer by up to two sampling periods
 * @param revision   the revision Alembic was running when the hold began (a transaction's locks last until it
 *                   commits, which may be after later revisions); null before the first one started
 * @param rewritten  whether the relation's file changed between before and after the upgrade (a table rewrite,
 *                   TRUNCATE, VACUUM FULL, CLUSTER); null for a relation that did not exist on both sides
 * @param waitMillis the longest continuous wait of Alembic's sessions for a lock on it; null when none was seen
 */
public record LockHold(String relation, String mode, long holdMillis, String revision, Boolean rewritten,
                       Long waitMillis) {

    public LockMode lockMode() {
        return LockMode.of(mode).orElseThrow(() -> new IllegalStateException("not a lock mode: " + mode));
    }
}
