package io.dbmigrate.contract;

import java.util.regex.Pattern;

/**
 * The PostgreSQL schema a target's migrations run in (schema per tenant): Alembic's search_path and version table
 * schema, and what a backup dumps. Only plain lowercase identifiers, so that the name means the same unquoted (as
 * pg_dump's {@code --schema} pattern and search_path read it) and quoted (as the runner and env.py write it), and never
 * a system schema.
 */
public final class SchemaName {

    /** Lowercase letters, digits and '_', not starting with a digit; at most 63 (PostgreSQL's NAMEDATALEN - 1). */
    public static final String PATTERN = "^[a-z_][a-z0-9_]{0,62}$";
    private static final Pattern NAME = Pattern.compile(PATTERN);

    private SchemaName() {
    }

    /**
     * Null when {@code name} is a schema a target may name; otherwise what is wrong, to follow the field and a colon.
     */
    public static String problem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "'" + (name == null ? "" : Truncation.truncate(name, 80)) + "' is not a schema name this operator"
                    + " accepts: lowercase letters, digits and '_', not starting with a digit, at most 63";
        }
        if (name.startsWith("pg_") || name.equals("information_schema")) {
            // PostgreSQL reserves pg_* for itself; migrating the catalog's schemas is never meant.
            return "'" + name + "' is a system schema (pg_* and information_schema are PostgreSQL's own)";
        }
        return null;
    }

    /** {@code name}, checked: a {@link ExitCode#BAD_INPUT} naming {@code field} when it is not one. */
    public static String validate(String field, String name) throws RunnerException {
        String problem = problem(name);
        if (problem != null) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + ": " + problem);
        }
        return name;
    }

    /** As an SQL identifier, double-quoted: a valid name holds no quote, but the quoting is right for any. */
    public static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
