package io.dbmigrate.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dbmigrate.contract.SqlStatements;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CRM example (examples/crm) on a real PostgreSQL with the real Alembic: the seed's chain upgrades, the
 * computed_score backfill leaves no row behind, the expand and contract branches of the ticket status change do what
 * they say while an old and a new application write, and everything downgrades to base. Each test gets its own
 * database.
 */
class CrmExampleIT {

    /** The end of the seed's chain, and the branch point of expand and contract. */
    private static final String SEED_END = "vwx234yz567";
    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String CONTRACT_HEAD = "ijk678lmn901";
    private static final long ALEMBIC_TIMEOUT_SECONDS = 120;

    private static Path crmDir;
    private static String alembic;

    private TestDatabase database;

    @BeforeAll
    static void locateProject() {
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

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.create("crm_it");
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void upgradeToTheSeedsChainCreatesTheWholeSchema() throws Exception {
        String output = alembic("upgrade", SEED_END);

        // The runner reads these lines; alembic.ini must log them.
        assertTrue(output.contains("Running upgrade  -> xyz789uvw012"), output);
        assertTrue(output.contains("Running upgrade mno345pqr678 -> stu901vwx234"), output);
        assertTrue(output.contains("Running upgrade stu901vwx234 -> " + SEED_END), output);

        try (Connection c = database.connect()) {
            assertEquals(List.of(SEED_END), strings(c, "SELECT version_num FROM alembic_version"));
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
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
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

        try (Connection c = database.connect()) {
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
    void downgradeBaseFromBothHeadsLeavesOnlyAlembicVersion() throws Exception {
        alembic("upgrade", "heads");
        String output = alembic("downgrade", "base");
        assertTrue(output.contains("Running downgrade " + CONTRACT_HEAD + " -> " + SEED_END), output);
        assertTrue(output.contains("Running downgrade xyz789uvw012 -> "), output);

        try (Connection c = database.connect()) {
            assertEquals(List.of("alembic_version"), strings(c, "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name"));
            assertEquals(0L, number(c, "SELECT count(*) FROM alembic_version"));
        }
    }

    @Test
    void offlineModeRendersTheExpandBranchAsAScriptThatRuns() throws Exception {
        AlembicRun run = runAlembic(Map.of(), "upgrade", "expand@head", "--sql");
        assertEquals(0, run.exitCode(), run::output);
        String sql = run.stdout();

        assertTrue(sql.startsWith("BEGIN;") || sql.contains("\nBEGIN;"), sql);
        assertTrue(sql.contains("UPDATE customers c SET computed_score ="), sql);
        assertTrue(sql.contains("CREATE TRIGGER tickets_sync_status"), sql);
        // No loop offline: the backfill is one statement.
        assertTrue(sql.contains("UPDATE tickets SET new_status = status WHERE new_status IS DISTINCT FROM status;"), sql);
        assertTrue(sql.contains("UPDATE alembic_version SET version_num='" + EXPAND_HEAD + "'"), sql);
        assertFalse(sql.contains("DROP COLUMN status"), "contract is not part of expand@head:\n" + sql);
        // One transaction, but for the index built CONCURRENTLY between its autocommit block's COMMIT and BEGIN.
        assertEquals(2, sql.split("\nCOMMIT;", -1).length - 1, "two COMMITs:\n" + sql);
        assertTrue(sql.contains("COMMIT;\n\nDROP INDEX CONCURRENTLY IF EXISTS idx_active_tickets_new_status;\n\n"
                + "CREATE INDEX CONCURRENTLY idx_active_tickets_new_status ON tickets (customer_id, new_status)"), sql);
        try (Connection c = database.connect()) {
            assertEquals(0L, number(c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"),
                    "--sql must not touch the database");
        }

        // The script is valid SQL for PostgreSQL (dollar-quoted function body included), and it installs a working
        // trigger, as a DBA who applies it by hand would find: run statement by statement, as psql runs a file (one
        // multi-statement query would be one implicit transaction, where CREATE INDEX CONCURRENTLY cannot run).
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (String statement : SqlStatements.split(sql, true).statements()) {
                s.execute(statement);
            }
            assertTrue(indexExists(c, "idx_active_tickets_new_status"), "built outside the transaction");
            assertEquals(List.of(EXPAND_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            s.execute("INSERT INTO customers (email) VALUES ('offline@example.com')");
            s.execute("INSERT INTO tickets (customer_id, subject, status)"
                    + " SELECT id, 'offline', 'in_progress' FROM customers");
            assertEquals(List.of("in_progress"), strings(c, "SELECT new_status FROM tickets"));
        }
    }

    @Test
    void twoHeadsSoHeadIsRefusedAndHeadsAppliesExpandBeforeContract() throws Exception {
        String heads = alembic("heads");
        assertTrue(heads.contains(EXPAND_HEAD + " (expand)"), heads);
        assertTrue(heads.contains(CONTRACT_HEAD + " (contract) (head)"), heads);

        AlembicRun head = runAlembic(Map.of(), "upgrade", "head");
        assertNotEquals(0, head.exitCode(), head::output);
        assertTrue(head.output().contains("Multiple head revisions are present"), head.output());

        String output = alembic("upgrade", "heads");
        int expand = output.indexOf("Running upgrade yza890bcd123 -> " + EXPAND_HEAD);
        int contract = output.indexOf("Running upgrade " + SEED_END + " -> " + CONTRACT_HEAD);
        assertTrue(expand >= 0 && contract > expand, "contract depends on expand, so it runs after it:\n" + output);
        try (Connection c = database.connect()) {
            // One row: the contract head; expand's head is implied by contract's dependency on it.
            assertEquals(List.of(CONTRACT_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertFalse(columnExists(c, "tickets", "status"), "tickets.status is dropped");
        }
    }

    @Test
    void expandBackfillsEveryTicketInKeysetBatchesThenTheTriggerFollowsTheOldApplication() throws Exception {
        alembic("upgrade", SEED_END);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            insertTickets(s, 2500);
            // The first 1,000 tickets in id order already agree, so the first batch updates nothing: the backfill
            // must go on to the next batch rather than stop there. Ten further ones hold a stale value.
            s.execute("UPDATE tickets SET new_status = status WHERE id IN (SELECT id FROM tickets ORDER BY id LIMIT 1000)");
            s.execute("UPDATE tickets SET new_status = 'stale'"
                    + " WHERE id IN (SELECT id FROM tickets ORDER BY id OFFSET 1500 LIMIT 10)");
        }

        String output = alembic("upgrade", "expand@head");

        assertTrue(output.contains("new_status backfilled for 1500 tickets"), output);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            assertEquals(List.of(EXPAND_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertEquals(2500L, number(c, "SELECT count(*) FROM tickets"));
            assertEquals(0L, outOfSync(c));
            assertTrue(indexExists(c, "idx_active_tickets_new_status"), "the queue index on new_status");

            // The old application knows only status.
            UUID customer = customerId(c);
            UUID inserted = insertTicket(c, customer, "old app insert", "status", "in_progress");
            assertEquals("in_progress", newStatus(c, inserted));
            s.execute("INSERT INTO tickets (customer_id, subject) VALUES ('" + customer + "', 'old app default')");
            assertEquals(List.of("new"), strings(c, "SELECT new_status FROM tickets WHERE subject = 'old app default'"));
            update(c, "UPDATE tickets SET status = 'closed' WHERE id = ?", inserted);
            assertEquals("closed", newStatus(c, inserted));
            int moved = s.executeUpdate("UPDATE tickets SET status = 'closed' WHERE status = 'waiting_for_customer'");
            assertTrue(moved > 600, "a bulk update of " + moved + " rows");
            assertEquals(0L, number(c, "SELECT count(*) FROM tickets WHERE new_status = 'waiting_for_customer'"));
            s.executeUpdate("UPDATE tickets SET subject = subject || ' (edited)' WHERE status = 'new'");
            assertEquals(0L, outOfSync(c));
        }
    }

    @Test
    void theTriggerCopiesTheNewApplicationsWritesBackToStatus() throws Exception {
        expandedWithTickets(10);

        try (Connection c = database.connect()) {
            UUID customer = customerId(c);
            // The new application knows only new_status; status must not keep its default 'new'.
            UUID inserted = insertTicket(c, customer, "new app insert", "new_status", "in_progress");
            assertEquals("in_progress", status(c, inserted));
            update(c, "UPDATE tickets SET new_status = 'closed' WHERE id = ?", inserted);
            assertEquals("closed", status(c, inserted));
            // An old pod, still running during the rollout, reopens it.
            update(c, "UPDATE tickets SET status = 'in_progress' WHERE id = ?", inserted);
            assertEquals("in_progress", newStatus(c, inserted));
            assertEquals(0L, outOfSync(c));
        }
    }

    @Test
    void contractDropsStatusAndTheTriggerAndItsDowngradeRestoresStatusFromNewStatus() throws Exception {
        expandedWithTickets(40);

        String output = alembic("upgrade", "contract@head");

        assertTrue(output.contains("Running upgrade " + SEED_END + " -> " + CONTRACT_HEAD), output);
        assertFalse(output.contains("Running upgrade yza890bcd123"), "expand ran before, not again:\n" + output);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            assertEquals(List.of(CONTRACT_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertFalse(columnExists(c, "tickets", "status"), "tickets.status is dropped");
            assertEquals(0L, number(c, "SELECT count(*) FROM pg_trigger WHERE tgname = 'tickets_sync_status'"));
            assertEquals(0L, number(c, "SELECT count(*) FROM pg_proc WHERE proname = 'tickets_sync_status'"));
            assertFalse(indexExists(c, "idx_active_tickets"), "the index on status is dropped");
            assertTrue(indexExists(c, "idx_active_tickets_new_status"), "its twin on new_status stays");
            // new_status now carries what status promised.
            s.execute("INSERT INTO tickets (customer_id, subject) SELECT id, 'after contract' FROM customers LIMIT 1");
            assertEquals(List.of("new"), strings(c, "SELECT new_status FROM tickets WHERE subject = 'after contract'"));
            // The new application goes on writing; the downgrade must restore these values, not older ones.
            assertTrue(s.executeUpdate("UPDATE tickets SET new_status = 'closed' WHERE new_status = 'in_progress'") > 0);
        }
        List<String> expected;
        try (Connection c = database.connect()) {
            expected = strings(c, "SELECT id || '=' || new_status FROM tickets ORDER BY id");
        }

        String down = alembic("downgrade", "contract@-1");

        assertTrue(down.contains("Running downgrade " + CONTRACT_HEAD + " -> " + SEED_END), down);
        assertFalse(down.contains("Running downgrade " + EXPAND_HEAD), "expand stays:\n" + down);
        try (Connection c = database.connect()) {
            assertTrue(columnExists(c, "tickets", "status"), "tickets.status is back");
            assertEquals(expected, strings(c, "SELECT id || '=' || status FROM tickets ORDER BY id"));
            assertEquals(0L, outOfSync(c));
            assertEquals(List.of("NO"), strings(c, "SELECT is_nullable FROM information_schema.columns"
                    + " WHERE table_name = 'tickets' AND column_name = 'status'"));
            assertTrue(indexExists(c, "idx_active_tickets"), "the index on status is back");
            // And the trigger: the old application may run again.
            UUID inserted = insertTicket(c, customerId(c), "old app after downgrade", "status", "waiting_for_customer");
            assertEquals("waiting_for_customer", newStatus(c, inserted));
        }
    }

    @Test
    void afterDowngradingContractTheDatabaseUpgradesAgain() throws Exception {
        alembic("upgrade", "contract@head");
        alembic("downgrade", "contract@-1");

        // Alembic before 1.13.1 (sqlalchemy/alembic#1373) wrote vwx234yz567 next to cde012fgh345 here, one its
        // ancestor, and then refused every upgrade ("Requested revision cde012fgh345 overlaps with other requested
        // revisions vwx234yz567"). env.py drops such a row.
        try (Connection c = database.connect()) {
            assertEquals(List.of(EXPAND_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
        }
        String again = alembic("upgrade", "contract@head");
        assertTrue(again.contains("Running upgrade " + SEED_END + " -> " + CONTRACT_HEAD), again);

        // The same through the expand branch: downgrading it takes contract down first.
        alembic("downgrade", "yza890bcd123");
        try (Connection c = database.connect()) {
            assertEquals(List.of("yza890bcd123"), strings(c, "SELECT version_num FROM alembic_version"));
        }
        alembic("upgrade", "heads");
        try (Connection c = database.connect()) {
            assertEquals(List.of(CONTRACT_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
        }
    }

    @Test
    void aContractStoppedByARowWithoutNewStatusDropsNothingAndRunsAgainOnceTheRowIsFixed() throws Exception {
        expandedWithTickets(20);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            // A row neither the backfill nor the trigger reached (written with the trigger off).
            s.execute("ALTER TABLE tickets DISABLE TRIGGER tickets_sync_status");
            s.execute("UPDATE tickets SET new_status = NULL WHERE id = (SELECT id FROM tickets ORDER BY id LIMIT 1)");
            s.execute("ALTER TABLE tickets ENABLE TRIGGER tickets_sync_status");
        }

        AlembicRun stopped = runAlembic(Map.of(), "upgrade", "contract@head");

        assertNotEquals(0, stopped.exitCode(), stopped.output());
        assertTrue(stopped.output().contains("ck_tickets_new_status_not_null"), stopped.output());
        try (Connection c = database.connect()) {
            assertEquals(List.of(EXPAND_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertTrue(columnExists(c, "tickets", "status"), "nothing is dropped before the check is validated");
            assertEquals(1L, number(c, "SELECT count(*) FROM pg_trigger WHERE tgname = 'tickets_sync_status'"));
            assertTrue(indexExists(c, "idx_active_tickets"), "the index on status stays");
            // The autocommit block committed the check before VALIDATE failed: it is left, not validated.
            assertEquals(List.of("false"), strings(c, "SELECT convalidated::text FROM pg_constraint"
                    + " WHERE conname = 'ck_tickets_new_status_not_null'"));
        }
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE tickets SET new_status = status WHERE new_status IS NULL");
        }

        String again = alembic("upgrade", "contract@head");

        assertTrue(again.contains("Running upgrade " + SEED_END + " -> " + CONTRACT_HEAD), again);
        try (Connection c = database.connect()) {
            assertEquals(List.of(CONTRACT_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertEquals(0L, number(c, "SELECT count(*) FROM pg_constraint"
                    + " WHERE conname = 'ck_tickets_new_status_not_null'"));
            assertEquals(List.of("NO"), strings(c, "SELECT is_nullable FROM information_schema.columns"
                    + " WHERE table_name = 'tickets' AND column_name = 'new_status'"));
        }
    }

    @Test
    void anExpandWhoseConcurrentIndexBuildWasCancelledRunsAgainAsItIs() throws Exception {
        alembic("upgrade", SEED_END);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            insertTickets(s, 20);
        }
        try (Connection reader = database.connect()) {
            // A transaction with an older snapshot: CREATE INDEX CONCURRENTLY waits for it before it marks the index
            // valid, and the statement timeout cancels it there, after the index was made.
            reader.setAutoCommit(false);
            reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = reader.createStatement()) {
                s.executeQuery("SELECT count(*) FROM customers").close();
            }
            AlembicRun cancelled = runAlembic(Map.of("PGOPTIONS", "-c statement_timeout=3s"), "upgrade",
                    "expand@head");
            assertNotEquals(0, cancelled.exitCode(), cancelled.output());
            assertTrue(cancelled.output().contains("statement timeout"), cancelled.output());
            reader.rollback();
        }
        try (Connection c = database.connect()) {
            // The block committed the run so far (the trigger's revision, the backfill), and the build left an
            // INVALID index.
            assertEquals(List.of("yza890bcd123"), strings(c, "SELECT version_num FROM alembic_version"));
            assertEquals(List.of("false"), strings(c, "SELECT indisvalid::text FROM pg_index"
                    + " WHERE indexrelid = 'idx_active_tickets_new_status'::regclass"));
        }

        String again = alembic("upgrade", "expand@head");

        assertTrue(again.contains("Running upgrade yza890bcd123 -> " + EXPAND_HEAD), again);
        try (Connection c = database.connect()) {
            assertEquals(List.of(EXPAND_HEAD), strings(c, "SELECT version_num FROM alembic_version"));
            assertEquals(List.of("true"), strings(c, "SELECT indisvalid::text FROM pg_index"
                    + " WHERE indexrelid = 'idx_active_tickets_new_status'::regclass"));
            assertEquals(0L, outOfSync(c));
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** One alembic run: its exit code, stdout (the SQL of --sql, the text of heads) and stderr (the log). */
    private record AlembicRun(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    /** The seed's end with {@code tickets} tickets, then expand: where the old and the new application both run. */
    private void expandedWithTickets(int tickets) throws Exception {
        alembic("upgrade", SEED_END);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            insertTickets(s, tickets);
        }
        alembic("upgrade", "expand@head");
    }

    /** Runs alembic in examples/crm against this test's database; returns its output, failing on a non-zero exit. */
    private String alembic(String... args) throws IOException, InterruptedException {
        AlembicRun run = runAlembic(Map.of(), args);
        assertEquals(0, run.exitCode(), () -> "alembic " + String.join(" ", args) + " failed:\n" + run.output());
        return run.output();
    }

    /** The same with {@code extra} in its environment, whatever its exit code. */
    private AlembicRun runAlembic(Map<String, String> extra, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(alembic, "-c", "alembic.ini"));
        command.addAll(List.of(args));
        // Output to files, not pipes: a hung alembic cannot then block the read, and the timeout holds.
        Path out = Files.createTempFile("crm-alembic-", ".out");
        Path err = Files.createTempFile("crm-alembic-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(crmDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.putAll(database.env());
            env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the repository
            env.remove("DBMIGRATE_SQLALCHEMY_URL");  // it would point env.py somewhere else
            env.putAll(extra);
            Process process = pb.start();
            process.getOutputStream().close();
            if (!process.waitFor(ALEMBIC_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("alembic " + String.join(" ", args) + " did not finish in " + ALEMBIC_TIMEOUT_SECONDS + " s:\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new AlembicRun(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Five customers and n tickets over four statuses (a quarter each), all with new_status NULL. */
    private static void insertTickets(Statement s, int n) throws SQLException {
        s.execute("INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 5) g");
        s.execute("INSERT INTO tickets (customer_id, subject, status)"
                + " SELECT (SELECT id FROM customers ORDER BY email LIMIT 1 OFFSET g % 5), 'ticket ' || g,"
                + " (ARRAY['new', 'in_progress', 'waiting_for_customer', 'closed'])[1 + g % 4]"
                + " FROM generate_series(1, " + n + ") g");
    }

    /** Inserts a ticket as an application that writes only {@code column} (status or new_status) would. */
    private static UUID insertTicket(Connection c, UUID customer, String subject, String column, String value)
            throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO tickets (customer_id, subject, " + column + ")"
                + " VALUES (?, ?, ?) RETURNING id")) {
            ps.setObject(1, customer);
            ps.setString(2, subject);
            ps.setString(3, value);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static void update(Connection c, String sql, UUID id) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            assertEquals(1, ps.executeUpdate(), sql);
        }
    }

    private static UUID customerId(Connection c) throws SQLException {
        return UUID.fromString(strings(c, "SELECT id FROM customers ORDER BY email LIMIT 1").get(0));
    }

    private static String status(Connection c, UUID ticket) throws SQLException {
        return strings(c, "SELECT status FROM tickets WHERE id = '" + ticket + "'").get(0);
    }

    private static String newStatus(Connection c, UUID ticket) throws SQLException {
        return strings(c, "SELECT new_status FROM tickets WHERE id = '" + ticket + "'").get(0);
    }

    private static long outOfSync(Connection c) throws SQLException {
        return number(c, "SELECT count(*) FROM tickets WHERE new_status IS DISTINCT FROM status");
    }

    private static boolean indexExists(Connection c, String name) throws SQLException {
        return number(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = '" + name + "'") == 1;
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
