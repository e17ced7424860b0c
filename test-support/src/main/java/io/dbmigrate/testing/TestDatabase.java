package io.dbmigrate.testing;

import io.dbmigrate.contract.MigrationLock;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A uniquely named database on the PostgreSQL server named by PGHOST, PGPORT, PGUSER and PGPASSWORD, dropped again
 * on close. Without those variables the tests fail, never skip: a green run must mean the migrations ran.
 */
public final class TestDatabase implements AutoCloseable {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String name;

    private TestDatabase(String host, int port, String user, String password, String name) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.name = name;
    }

    /** Creates {@code dbm_<prefix>_<random>}; the prefix is reduced to lowercase letters, digits and underscores. */
    public static TestDatabase create(String prefix) {
        Map<String, String> env = System.getenv();
        List<String> missing = new ArrayList<>();
        for (String variable : List.of("PGHOST", "PGUSER", "PGPASSWORD")) {
            if (env.get(variable) == null || env.get(variable).isBlank()) {
                missing.add(variable);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("These tests need a PostgreSQL server: set PGHOST, PGPORT, PGUSER and"
                    + " PGPASSWORD (a user that may create databases), or run scripts/test.sh, which starts one and sets"
                    + " them. Missing: " + String.join(", ", missing));
        }
        String portText = env.get("PGPORT");
        int port = portText == null || portText.isBlank() ? 5432 : Integer.parseInt(portText.trim());
        String safePrefix = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String name = "dbm_" + safePrefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        TestDatabase db = new TestDatabase(env.get("PGHOST").trim(), port, env.get("PGUSER").trim(), env.get("PGPASSWORD"), name);
        db.onServer("create database " + name);
        return db;
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** For a Secret the pods read; never log it. */
    public String password() {
        return password;
    }

    /** The rows of alembic_version; empty when the table does not exist (a database at base). */
    public List<String> alembicVersion() {
        try (Connection c = connect(name); Statement st = c.createStatement()) {
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
        try (Connection c = connect(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public void execute(String sql) {
        try (Connection c = connect(name); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
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
            Connection c = connect(name);
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
            Connection c = connect(name);
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
        onServer("drop database if exists " + name + " with (force)");
    }

    private void onServer(String sql) {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + host + ":" + port + " as " + user + ": " + e.getMessage(), e);
        }
    }

    private Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "dbmigrate-test");
        String urlHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + urlHost + ":" + port + "/" + database, p);
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + host + ":" + port + " as " + user + "]";
    }
}
