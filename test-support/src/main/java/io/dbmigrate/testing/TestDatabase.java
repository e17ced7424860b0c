package io.dbmigrate.testing;

import io.dbmigrate.contract.MigrationLock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A uniquely named database on the PostgreSQL server the tests are pointed at with libpq's variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD, PGSSLMODE), dropped again on close. Without a server the tests fail, never skip, and say how to
 * get one: a green run must mean the migrations ran.
 *
 * <p>{@link #create} makes one the caller closes. As a JUnit extension it is created and dropped around each test
 * ({@link #perTest}, on a {@code @RegisterExtension} field) or around the class ({@link #perClass}, on a static one),
 * before the test's own {@code @BeforeEach} or {@code @BeforeAll} methods run.
 */
public final class TestDatabase implements AutoCloseable, BeforeAllCallback, BeforeEachCallback {

    /** The application_name of the tests' own sessions, as a lock holder's report names it. */
    public static final String APPLICATION_NAME = "dbmigrate-test";

    private enum Lifetime { TEST, CLASS, MANUAL }

    private final String prefix;
    private final Lifetime lifetime;
    private Map<String, String> server;
    private String name;

    private TestDatabase(String prefix, Lifetime lifetime) {
        this.prefix = prefix;
        this.lifetime = lifetime;
    }

    /** A new database for each test. */
    public static TestDatabase perTest(String prefix) {
        return new TestDatabase(prefix, Lifetime.TEST);
    }

    /** One database for all tests of a class. */
    public static TestDatabase perClass(String prefix) {
        return new TestDatabase(prefix, Lifetime.CLASS);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        createFor(Lifetime.CLASS, context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        createFor(Lifetime.TEST, context);
    }

    /** A static field gets the per-test callbacks too: each lifetime answers only its own. */
    private void createFor(Lifetime when, ExtensionContext context) {
        if (lifetime == when) {
            createDatabase();
            // JUnit closes it when the class or test is done, after its own @AfterAll or @AfterEach methods.
            context.getStore(ExtensionContext.Namespace.create(TestDatabase.class))
                    .put(name, (ExtensionContext.Store.CloseableResource) this::close);
        }
    }

    /**
     * PGHOST, PGPORT (default 5432), PGUSER (default postgres), PGPASSWORD and, when set, PGSSLMODE of the test
     * server, or an error saying what is missing and what to run.
     */
    public static Map<String, String> serverEnvironment() {
        Map<String, String> env = System.getenv();
        List<String> missing = new ArrayList<>();
        for (String variable : List.of("PGHOST", "PGPASSWORD")) {
            if (isBlank(env.get(variable))) {
                missing.add(variable);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("These tests need a PostgreSQL server: set PGHOST, PGPORT, PGUSER and"
                    + " PGPASSWORD (a superuser able to create databases), or run scripts/test.sh, which starts a"
                    + " throwaway server and sets them. Missing: " + String.join(", ", missing));
        }
        Map<String, String> server = new HashMap<>();
        server.put("PGHOST", env.get("PGHOST").trim());
        server.put("PGPORT", orDefault(env.get("PGPORT"), "5432"));
        server.put("PGUSER", orDefault(env.get("PGUSER"), "postgres"));
        server.put("PGPASSWORD", env.get("PGPASSWORD"));
        if (!isBlank(env.get("PGSSLMODE"))) {
            server.put("PGSSLMODE", env.get("PGSSLMODE").trim());
        }
        return Map.copyOf(server);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String orDefault(String value, String fallback) {
        return isBlank(value) ? fallback : value.trim();
    }

    /** Creates {@code dbm_<prefix>_<random>}; the prefix is reduced to lowercase letters, digits and underscores. */
    public static TestDatabase create(String prefix) {
        TestDatabase db = new TestDatabase(prefix, Lifetime.MANUAL);
        db.createDatabase();
        return db;
    }

    private void createDatabase() {
        String safePrefix = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        server = serverEnvironment();
        name = "dbm_" + safePrefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        onServer("create database " + name);
    }

    public String name() {
        return name;
    }

    public String host() {
        return server.get("PGHOST");
    }

    public int port() {
        return Integer.parseInt(server.get("PGPORT"));
    }

    public String user() {
        return server.get("PGUSER");
    }

    /** For a Secret the pods read; never log it. */
    public String password() {
        return server.get("PGPASSWORD");
    }

    /** The libpq environment of a runner (or Alembic, or local mode) pointed at this database. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>(server);
        env.put("PGDATABASE", name);
        return env;
    }

    /** A connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return connectTo(name);
    }

    /** A connection to another database of the test server (postgres, a scratch copy); the caller closes it. */
    public static Connection connectTo(String database) throws SQLException {
        return connect(serverEnvironment(), database);
    }

    /** The rows of alembic_version; empty when the table does not exist (a database at base). */
    public List<String> alembicVersion() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet exists = st.executeQuery("select to_regclass('public.alembic_version') is not null")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return List.of();
                }
            }
            List<String> revisions = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("select version_num from alembic_version order by version_num")) {
                while (rs.next()) {
                    revisions.add(rs.getString(1));
                }
            }
            return revisions;
        } catch (SQLException e) {
            throw new IllegalStateException("reading alembic_version of " + name + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query returning one number. */
    public long queryLong(String sql) {
        return queryOne(sql, rs -> rs.getLong(1));
    }

    /** The first column of the first row of a query returning one boolean. */
    public boolean queryBoolean(String sql) {
        return queryOne(sql, rs -> rs.getBoolean(1));
    }

    private interface Column<T> {
        T read(ResultSet row) throws SQLException;
    }

    private <T> T queryOne(String sql, Column<T> column) {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return column.read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code table} (a name as the search path resolves it, or schema-qualified) exists. */
    public boolean tableExists(String table) {
        return queryBoolean("select to_regclass('" + table + "') is not null");
    }

    public boolean columnExists(String table, String column) {
        return queryLong("select count(*) from information_schema.columns where table_name = '" + table
                + "' and column_name = '" + column + "'") == 1;
    }

    /** Runs the statements in order, in one session. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(String.join("; ", sql) + ": " + e.getMessage(), e);
        }
    }

    /** A session holding a lock until closed. */
    public interface HeldLock extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the runner's migration lock of this database (the session-level advisory lock on
     * {@link MigrationLock#KEY} and the database name), as a concurrent migration would; runners wait for it.
     */
    public HeldLock holdMigrationLock() {
        try {
            Connection c = connect();
            try (Statement st = c.createStatement()) {
                st.execute("select pg_advisory_lock(" + MigrationLock.KEY + ", hashtext(current_database()))");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return () -> {
                try {
                    c.close(); // ending the session releases a session-level lock
                } catch (SQLException e) {
                    throw new IllegalStateException("releasing the migration lock of " + name, e);
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException("taking the migration lock of " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a transaction that reads {@code table}, as an application's long transaction does: it holds ACCESS SHARE
     * until closed, so DDL on the table queues behind it. The session's application_name is {@code applicationName}.
     */
    public HeldLock holdTableLock(String table, String applicationName) {
        try {
            Connection c = connect();
            try (Statement st = c.createStatement()) {
                st.execute("set application_name = '" + applicationName.replace("'", "") + "'");
                c.setAutoCommit(false);
                st.execute("lock table " + table + " in access share mode");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return () -> {
                try {
                    c.rollback();
                    c.close();
                } catch (SQLException e) {
                    throw new IllegalStateException("releasing the lock on " + table, e);
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException("locking " + table + " in " + name + ": " + e.getMessage(), e);
        }
    }

    /** How many sessions of this database wait for a heavyweight lock right now. */
    public long lockWaiters() {
        return queryLong("select count(*) from pg_stat_activity where datname = current_database()"
            + " and wait_event_type = 'Lock'");
    }

    /** Drops the database, ending any session still connected to it. */
    @Override
    public void close() {
        if (name == null) {
            return; // never created: the server was missing, and that failure is the one to see
        }
        onServer("drop database if exists " + name + " with (force)");
    }

    private void onServer(String sql) {
        try (Connection c = connect(server, "postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + host() + ":" + port() + " as " + user() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Connection connect(Map<String, String> server, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", server.get("PGUSER"));
        p.setProperty("password", server.get("PGPASSWORD"));
        if (server.containsKey("PGSSLMODE")) {
            p.setProperty("sslmode", server.get("PGSSLMODE"));
        }
        p.setProperty("ApplicationName", APPLICATION_NAME);
        String host = server.get("PGHOST");
        // pgjdbc wants an IPv6 address in brackets; libpq wants it bare, which is what PGHOST holds.
        String urlHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + urlHost + ":" + server.get("PGPORT")
                + "/" + database, p);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + host() + ":" + port() + " as " + user() + "]";
    }
}
