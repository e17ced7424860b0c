package io.dbmigrate.contract;

/**
 * The migration lock every runner takes before it changes a database: the session-level advisory lock
 * {@code (KEY, hashtext(current_database()))}. Anything that must not run beside a migration (another tool, a test)
 * takes the same lock.
 */
public final class MigrationLock {

    /** dbmigrate's first advisory lock key: "dbmg" in ASCII. Other tools choose other keys. */
    public static final int KEY = 0x64626d67;

    private MigrationLock() {
    }
}
