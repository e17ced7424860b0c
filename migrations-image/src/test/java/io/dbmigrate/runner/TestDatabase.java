package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A uniquely named database on the PostgreSQL server the integration tests are pointed at with the standard libpq
 * variables, dropped again on close. Tests never skip: without a server they fail and say how to get one.
 */
final class TestDatabase implements AutoCloseable {

    private final Map<String, String> serverEnv;
    private final String name;

    private TestDatabase(Map<String, String> serverEnv, String name) {
        this.serverEnv = serverEnv;
        this.name = name;
    }

    /** PGHOST, PGPORT, PGUSER, PGPASSWORD of the test server, or an error saying what is missing and what to run. */
    static Map<String, String> serverEnvironment() {
        Map<String, String> env = System.getenv();
        if (isBlank(env.get("PGHOST")) || isBlank(env.get("PGPASSWORD"))) {
            throw new IllegalStateException("The integration tests need a PostgreSQL server: set PGHOST, PGPORT, PGUSER"
                    + " and PGPASSWORD (a superuser able to create databases), or run scripts/test.sh, which starts a"
                    + " throwaway server and sets them. Missing: "
                    + (isBlank(env.get("PGHOST")) ? "PGHOST " : "") + (isBlank(env.get("PGPASSWORD")) ? "PGPASSWORD" : ""));
        }
        Map<String, String> server = new HashMap<>();
        server.put("PGHOST", env.get("PGHOST"));
        server.put("PGPORT", isBlank(env.get("PGPORT")) ? "5432" : env.get("PGPORT"));
        server.put("PGUSER", isBlank(env.get("PGUSER")) ? "postgres" : env.get("PGUSER"));
        server.put("PGPASSWORD", env.get("PGPASSWORD"));
        server.put("PGSSLMODE", isBlank(env.get("PGSSLMODE")) ? "prefer" : env.get("PGSSLMODE"));
        return Map.copyOf(server);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    static TestDatabase create(String purpose) throws SQLException {
        Map<String, String> server = serverEnvironment();
        String name = "dbm_it_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = connect(server, "postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        }
        return new TestDatabase(server, name);
    }

    String name() {
        return name;
    }

    /** The libpq environment of a runner pointed at this database. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(serverEnv);
        env.put("PGDATABASE", name);
        return env;
    }

    ConnectionSettings settings() {
        try {
            return ConnectionSettings.fromEnvironment(env());
        } catch (RunnerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    Connection connect() throws SQLException {
        return connect(serverEnv, name);
    }

    void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static Connection connect(Map<String, String> server, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", server.get("PGUSER"));
        p.setProperty("password", server.get("PGPASSWORD"));
        p.setProperty("sslmode", server.get("PGSSLMODE"));
        p.setProperty("ApplicationName", "dbmigrate-it");
        return DriverManager.getConnection(
                "jdbc:postgresql://" + server.get("PGHOST") + ":" + server.get("PGPORT") + "/" + database, p);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(serverEnv, "postgres"); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
        }
    }
}
