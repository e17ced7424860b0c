package io.dbmigrate.runner;

import java.util.regex.Pattern;

/**
 * A named SQL query that must return true after a migration: one row, one boolean column. Run read-only.
 *
 * @param name a DNS-label-like name people see in status and messages
 * @param sql  one SELECT (or any statement a read-only transaction allows)
 */
public record VerifyQuery(String name, String sql) {

    /** Lowercase letters, digits and dashes, as Kubernetes names: it ends up in messages and metrics labels. */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public static final int NAME_MAX_LENGTH = 63;
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    public static boolean validName(String name) {
        return name != null && name.length() <= NAME_MAX_LENGTH && NAME.matcher(name).matches();
    }
}
