package io.dbmigrate.contract;

import java.util.regex.Pattern;

/**
 * A named SQL query that must return true after a migration: one row, one boolean column. Run read-only.
 *
 * @param name a DNS-label-like name people see in status and messages
 * @param sql  one SELECT (or any statement a read-only transaction allows): exactly one statement, see
 *             {@link #statementProblem(String)}
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
     * Null when {@code sql} is exactly one SQL statement (a trailing ';', white space and comments allowed); otherwise
     * what is wrong, to follow the field and a colon: {@code --verify NAME: must be one statement ...}.
     *
     * <p>A verification runs in a read-only transaction; a second statement could leave it ({@code set transaction
     * read write; insert ...}, {@code commit; insert ...}), so there is none. Semicolons inside quotes, dollar quotes
     * and comments do not count, see {@link SqlStatements}. The text must be one statement whether the server's
     * standard_conforming_strings is on or off, since that changes where strings with backslashes end.
     */
    public static String statementProblem(String sql) {
        if (sql == null || sql.isBlank()) {
            return "has no SQL";
        }
        SqlStatements.Split standard = SqlStatements.split(sql, true);
        SqlStatements.Split backslashes = SqlStatements.split(sql, false);
        if (standard.unterminated() != null) {
            return "has " + standard.unterminated() + " that is never closed";
        }
        if (standard.count() == 0) {
            return "has no SQL statement, only comments or semicolons";
        }
        if (standard.count() > 1) {
            return "must be one statement, found " + standard.count() + " separated by ';' (a trailing ';' is fine):"
                    + " verifications run read-only and a second statement could end that";
        }
        if (backslashes.count() > 1) {
            return "must be one statement, but with standard_conforming_strings off it would be "
                    + backslashes.count() + ": a backslash before a quote changes where the string ends";
        }
        return null;
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
        String problem = statementProblem(query.sql());
        if (problem != null) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " " + query.name() + ": " + problem);
        }
        return query;
    }
}
