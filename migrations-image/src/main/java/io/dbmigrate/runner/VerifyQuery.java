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

    /**
     * {@code NAME=SQL} as given on the command line, split at the first '=' (SQL has '=' of its own):
     * {@code scores-backfilled=select count(*) = 0 from customers where computed_score is null}.
     *
     * @param field how the caller calls it in messages, e.g. {@code --verify}
     */
    public static VerifyQuery parse(String field, String text) throws RunnerException {
        int eq = text == null ? -1 : text.indexOf('=');
        if (eq < 0) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + Truncation.truncate(String.valueOf(text), 64)
                    + "' must be NAME=SQL, e.g. scores-backfilled=select count(*) = 0 from customers"
                    + " where computed_score is null");
        }
        VerifyQuery query = new VerifyQuery(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
        if (!validName(query.name())) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " name '" + Truncation.truncate(query.name(), 64)
                    + "' must be lowercase letters, digits and dashes, starting and ending with a letter or digit"
                    + " (at most " + NAME_MAX_LENGTH + ")");
        }
        if (query.sql().isEmpty()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " " + query.name() + " has no SQL after the '='");
        }
        return query;
    }
}
