package io.dbmigrate.contract;

import java.util.Locale;
import java.util.Optional;

/**
 * PostgreSQL's table-level lock modes, weakest first: the order of their numbers in the lock manager, which is the
 * order "stronger" means in a lock budget. Spelt in UpperCamelCase without "Lock" (pg_locks says AccessExclusiveLock).
 */
public enum LockMode {
    AccessShare, RowShare, RowExclusive, ShareUpdateExclusive, Share, ShareRowExclusive, Exclusive, AccessExclusive;

    /** The mode as pg_locks.mode spells it, e.g. {@code AccessExclusiveLock}; empty for a non-table mode. */
    public static Optional<LockMode> ofPostgres(String mode) {
        if (mode == null || !mode.endsWith("Lock")) {
            return Optional.empty();
        }
        return of(mode.substring(0, mode.length() - 4));
    }

    /** {@code AccessExclusive}, as a budget or a result names it. */
    public static Optional<LockMode> of(String name) {
        for (LockMode m : values()) {
            if (m.name().equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** As the SQL of LOCK TABLE and the manual spell it: {@code ACCESS EXCLUSIVE}. */
    public String sql() {
        return name().replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
    }

    public boolean atLeast(LockMode other) {
        return compareTo(other) >= 0;
    }
}
