package io.dbmigrate.runner;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A uniquely named database on the PostgreSQL server the integration tests are pointed at with the standard libpq
 * variables, dropped again on close. Tests never skip: without a server they fail and say how to get one.
 *
 * <p>As a JUnit extension it is created and dropped around each test ({@link #perTest}, on a {@code @RegisterExtension}
 * field) or around the class ({@link #perClass}, on a static one), before the test's own {@code @BeforeEach} or
 * {@code @BeforeAll} methods run.
 */
final class TestDatabase implements AutoCloseable, BeforeAllCallback, BeforeEachCallback {

    private enum Lifetime { TEST, CLASS, MANUAL }

    private final String purpose;
    private final Lifetime lifetime;
    private Map<String, String> serverEnv;
    private String name;

    private TestDatabase(String purpose, Lifetime lifetime) {
        this.purpose = purpose;
        this.lifetime = lifetime;
    }

    /** A new database for each test. */
    static TestDatabase perTest(String purpose) {
        return new TestDatabase(purpose, Lifetime.TEST);
    }

    /** One database for all tests of a class. */
    static TestDatabase perClass(String purpose) {
        return new TestDatabase(purpose, Lifetime.CLASS);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        createFor(Lifetime.CLASS, context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        createFor(Lifetime.TEST, context);
    }

    /** A static field gets the per-test callbacks too: each lifetime answers only its own. */
    private void createFor(Lifetime when, ExtensionContext context) throws SQLException {
        if (lifetime == when) {
            createDatabase();
            // JUnit closes it when the class or test is done, after its own @AfterAll or @AfterEach methods.
            context.getStore(ExtensionContext.Namespace.create(TestDatabase.class))
                    .put(name, (ExtensionContext.Store.CloseableResource) this::close);
        }
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

    /** A database the caller closes. */
    static TestDatabase create(String purpose) throws SQLException {
        TestDatabase db = new TestDatabase(purpose, Lifetime.MANUAL);
        db.createDatabase();
        return db;
    }

    private void createDatabase() throws SQLException {
        serverEnv = serverEnvironment();
        name = "dbm_it_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = connect(serverEnv, "postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        }
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

    /** The rows of alembic_version, as the runner reads them. */
    List<String> revisions() throws SQLException {
        try (Connection c = connect()) {
            return Revisions.current(c);
        }
    }

    /** The one number {@code sql} returns. */
    long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    /** The one boolean {@code sql} returns. */
    boolean queryBoolean(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getBoolean(1);
        }
    }

    boolean tableExists(String table) throws SQLException {
        return queryBoolean("select to_regclass('" + table + "') is not null");
    }

    boolean columnExists(String table, String column) throws SQLException {
        return queryLong("select count(*) from information_schema.columns where table_name = '" + table
                + "' and column_name = '" + column + "'") == 1;
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
        if (name == null) {
            return; // never created: the server was missing, and that failure is the one to see
        }
        try (Connection c = connect(serverEnv, "postgres"); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
        }
    }
}
