package io.dbmigrate.contract;

/**
 * One thing the linter (squawk) found in a plan's SQL.
 *
 * @param rule      squawk's rule name, e.g. require-concurrent-index-creation
 * @param revision  the Alembic revision whose SQL it is in; null for Alembic's own statements before the first one
 *                  (creating alembic_version)
 * @param severity  {@link #ERROR} (the statement holds a lock that blocks the application for as long as a scan, a
 *                  rewrite or an index build takes, or squawk cannot parse it) or {@link #WARNING}
 * @param message   what squawk says of it, and its advice
 * @param statement the start of the statement, on one line
 * @param line      its line in the plan's SQL (1-based)
 */
public record LintFinding(String rule, String revision, String severity, String message, String statement,
                          Integer line) {
    public static final String ERROR = "error";
    public static final String WARNING = "warning";

    public boolean error() {
        return ERROR.equals(severity);
    }
}
