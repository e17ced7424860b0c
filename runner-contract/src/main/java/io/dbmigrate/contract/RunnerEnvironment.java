package io.dbmigrate.contract;

/**
 * The environment a Job gives the runner's containers and the runner reads: libpq's own variables, so that the
 * runner's JDBC connection, pg_dump and Alembic (psycopg2) reach the same database as the same user. The password
 * only ever arrives as {@link #PASSWORD}, never as an argument.
 */
public final class RunnerEnvironment {

    public static final String HOST = "PGHOST";
    /** Default 5432. */
    public static final String PORT = "PGPORT";
    public static final String DATABASE = "PGDATABASE";
    public static final String USER = "PGUSER";
    public static final String PASSWORD = "PGPASSWORD";
    /** A libpq sslmode; default prefer. */
    public static final String SSL_MODE = "PGSSLMODE";
    /** Set to 1: the root filesystem is read-only, so Python must not try to write bytecode next to the scripts. */
    public static final String PYTHON_DONT_WRITE_BYTECODE = "PYTHONDONTWRITEBYTECODE";

    private RunnerEnvironment() {
    }
}
