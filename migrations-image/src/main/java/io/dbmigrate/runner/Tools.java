package io.dbmigrate.runner;

import java.util.Map;

/**
 * The external programs the runner drives. Paths are configurable because the image pins the PGDG client of the
 * newest PostgreSQL (pg_dump refuses servers newer than itself) and Alembic must be the one that has psycopg2.
 */
public record Tools(String pgDump, String pgRestore, String alembic) {

    public static Tools fromEnvironment(Map<String, String> env) {
        return new Tools(
                orDefault(env.get("DBMIGRATE_PG_DUMP"), "pg_dump"),
                orDefault(env.get("DBMIGRATE_PG_RESTORE"), "pg_restore"),
                orDefault(env.get("DBMIGRATE_ALEMBIC"), "alembic"));
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
