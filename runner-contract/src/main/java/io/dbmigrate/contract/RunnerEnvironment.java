package io.dbmigrate.contract;

import java.util.Map;

/**
 * The environment a Job gives the runner's containers and the runner reads: libpq's own variables, so that the
 * runner's JDBC connection, pg_dump and Alembic (psycopg2) reach the same database as the same user. The password
 * only ever arrives as {@link #PASSWORD}, never as an argument.
 */
public enum RunnerEnvironment {
    /** The server's host name or address: one, reached over TCP. */
    HOST("PGHOST"),
    /** The server's port; default 5432. */
    PORT("PGPORT"),
    /** The database to back up and migrate (for a rehearsal: where the scratch copy is created from). */
    DATABASE("PGDATABASE"),
    /** From the credentials Secret's username key. */
    USER("PGUSER"),
    /** From the credentials Secret's password key, by secretKeyRef: never in args, status or logs. */
    PASSWORD("PGPASSWORD"),
    /** A libpq sslmode; default prefer. */
    SSL_MODE("PGSSLMODE"),
    /**
     * The schema to migrate in that database, when the target names one (schema per tenant): Alembic's search_path
     * and version table schema (the env.py template reads it), where the runner reads alembic_version, what a backup
     * dumps. Unset: the database as a whole, alembic_version where the search_path finds it.
     */
    SCHEMA("DBMIGRATE_SCHEMA"),
    /** Set to 1: the root filesystem is read-only, so Python must not try to write bytecode next to the scripts. */
    PYTHON_DONT_WRITE_BYTECODE("PYTHONDONTWRITEBYTECODE");

    private final String variable;

    RunnerEnvironment(String variable) {
        this.variable = variable;
    }

    /** The variable's name, as a container's env and the runner's environment map have it. */
    public String variable() {
        return variable;
    }

    /** Its value in {@code environment}; null when unset. */
    public String from(Map<String, String> environment) {
        return environment.get(variable);
    }
}
