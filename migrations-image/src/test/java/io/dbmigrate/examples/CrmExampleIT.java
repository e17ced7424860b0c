package io.dbmigrate.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CRM example (examples/crm) on a real PostgreSQL with the real Alembic: the whole chain upgrades, the
 * computed_score backfill leaves no row behind, and the chain downgrades to base. Each test gets its own database.
 */
class CrmExampleIT {

    private static final String HEAD = "vwx234yz567";
    private static final long ALEMBIC_TIMEOUT_SECONDS = 120;

    private static String host;
    private static String port;
    private static String user;
    private static String password;
    private static String maintenanceDb;
    private static Path crmDir;
    private static String alembic;

    private String database;

    @BeforeAll
    static void locateServerAndProject() {
        host = requiredEnv("PGHOST");
        port = requiredEnv("PGPORT");
        user = requiredEnv("PGUSER");
        password = requiredEnv("PGPASSWORD");
        String pgDatabase = System.getenv("PGDATABASE");
        maintenanceDb = pgDatabase == null || pgDatabase.isBlank() ? "postgres" : pgDatabase;

        String root = System.getProperty("dbmigrate.repo.root");
        if (root == null || root.isBlank()) {
            fail("system property dbmigrate.repo.root is not set (the module's failsafe configuration sets it)");
        }
        crmDir = Path.of(root).resolve("examples/crm").toAbsolutePath().normalize();
        if (!Files.isRegularFile(crmDir.resolve("alembic.ini"))) {
            fail("no alembic.ini in " + crmDir);
        }
        // Debian's alembic: the python3 first on PATH may lack alembic and psycopg2.
        String configured = System.getenv("DBMIGRATE_ALEMBIC");
        alembic = configured == null || configured.isBlank() ? "/usr/bin/alembic" : configured;
        if (!Files.isExecutable(Path.of(alembic))) {
            fail(alembic + " is not executable: install Debian's alembic and python3-psycopg2 "
                    + "(scripts/test.sh does), or point DBMIGRATE_ALEMBIC at an alembic that has psycopg2");
        }
    }

    private static String requiredEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail(name + " is not set. CrmExampleIT needs a PostgreSQL server given by PGHOST, PGPORT, PGUSER and "
                    + "PGPASSWORD (a superuser, to create and drop databases); scripts/test.sh starts one and sets them.");
        }
        return value;
    }

    @BeforeEach
    void createDatabase() throws SQLException {
        database = "dbm_crm_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect(maintenanceDb); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        if (database == null) {
            return;
        }
        try (Connection c = connect(maintenanceDb); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void upgradeHeadCreatesTheWholeSchema() throws Exception {
        String output = alembic("upgrade", "head");

        // The runner reads these lines; alembic.ini must log them.
        assertTrue(output.contains("Running upgrade  -> xyz789uvw012"), output);
        assertTrue(output.contains("Running upgrade mno345pqr678 -> stu901vwx234"), output);
        assertTrue(output.contains("Running upgrade stu901vwx234 -> " + HEAD), output);

        try (Connection c = connect(database)) {
            assertEquals(List.of(HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertEquals(List.of("alembic_version", "customers", "knowledge_base_articles", "messages",
                            "ticket_status_changes", "tickets"),
                    strings(c, "SELECT table_name FROM information_schema.tables"
                            + " WHERE table_schema = 'public' ORDER BY table_name"));
            assertTrue(columnExists(c, "customers", "computed_score"), "customers.computed_score");
            assertTrue(columnExists(c, "tickets", "new_status"), "tickets.new_status");
        }
    }

    @Test
    void backfillLeavesNoRowBehind() throws Exception {
        alembic("upgrade", "mno345pqr678");
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            // 5,500 customers: the seed's OFFSET paging left 2,500 of these NULL.
            s.execute("INSERT INTO customers (email, name)"
                    + " SELECT 'c' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 5500) g");
            // Customer cN@example.com gets N % 4 messages: a quarter of them none.
            s.execute("INSERT INTO messages (customer_id, body)"
                    + " SELECT c.id, 'message ' || g"
                    + " FROM (SELECT id, split_part(substr(email, 2), '@', 1)::int AS n FROM customers) c"
                    + " CROSS JOIN LATERAL generate_series(1, c.n % 4) g");
        }

        alembic("upgrade", "stu901vwx234");

        try (Connection c = connect(database)) {
            assertEquals(5500L, number(c, "SELECT count(*) FROM customers"));
            assertEquals(0L, number(c, "SELECT count(*) FROM customers WHERE computed_score IS NULL"));
            assertEquals(0L, number(c, "SELECT count(*) FROM customers c WHERE abs(c.computed_score"
                    + " - 0.1 * (SELECT count(*) FROM messages m WHERE m.customer_id = c.id)) > 1e-9"));
            // customer 7 has 3 messages, customer 8 none
            assertEquals(0.3, score(c, "c7@example.com"), 1e-9);
            assertEquals(0.0, score(c, "c8@example.com"), 0.0);
        }
    }

    @Test
    void downgradeBaseFromHeadLeavesOnlyAlembicVersion() throws Exception {
        alembic("upgrade", "head");
        String output = alembic("downgrade", "base");
        assertTrue(output.contains("Running downgrade xyz789uvw012 -> "), output);

        try (Connection c = connect(database)) {
            assertEquals(List.of("alembic_version"), strings(c, "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name"));
            assertEquals(0L, number(c, "SELECT count(*) FROM alembic_version"));
        }
    }

    @Test
    void offlineModeRendersTheChainAsOneTransaction() throws Exception {
        String sql = alembic("upgrade", "head", "--sql");

        assertTrue(sql.startsWith("BEGIN;") || sql.contains("\nBEGIN;"), sql);
        assertTrue(sql.contains("UPDATE customers c SET computed_score ="), sql);
        assertTrue(sql.contains("UPDATE alembic_version SET version_num='" + HEAD + "'"), sql);
        assertEquals(1, sql.split("\nCOMMIT;", -1).length - 1, "exactly one COMMIT:\n" + sql);
        try (Connection c = connect(database)) {
            assertEquals(0L, number(c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"),
                    "--sql must not touch the database");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Runs alembic in examples/crm against this test's database; returns its output, failing on a non-zero exit. */
    private String alembic(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(alembic, "-c", "alembic.ini"));
        command.addAll(List.of(args));
        // Output to a file, not a pipe: a hung alembic cannot then block the read, and the timeout holds.
        Path log = Files.createTempFile("crm-alembic-", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(crmDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("PGDATABASE", database);
            env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the repository
            env.remove("DBMIGRATE_SQLALCHEMY_URL");  // it would point env.py somewhere else
            Process process = pb.start();
            process.getOutputStream().close();
            if (!process.waitFor(ALEMBIC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("alembic " + String.join(" ", args) + " did not finish in " + ALEMBIC_TIMEOUT_SECONDS + " s:\n"
                        + Files.readString(log));
            }
            String output = Files.readString(log);
            assertEquals(0, process.exitValue(), () -> "alembic " + String.join(" ", args) + " failed:\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Connection connect(String db) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + db, props);
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private static double score(Connection c, String email) throws SQLException {
        try (var ps = c.prepareStatement("SELECT computed_score FROM customers WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no customer " + email);
                double value = rs.getDouble(1);
                assertFalse(rs.wasNull(), "computed_score of " + email + " is NULL");
                return value;
            }
        }
    }

    private static boolean columnExists(Connection c, String table, String column) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM information_schema.columns"
                + " WHERE table_schema = 'public' AND table_name = ? AND column_name = ?")) {
            ps.setString(1, table);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
