package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.MigrationLock;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real /usr/bin/alembic against a fresh database per test. */
class UpgradeIT {

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("upgrade");
    private final ByteArrayOutputStream alembicOutput = new ByteArrayOutputStream();

    private UpgradeResult upgrade(AlembicProject project, String target, Duration lockTimeout, Duration lockWait)
            throws RunnerException {
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(),
                Requests.upgrade(project.dir(), target, lockTimeout, lockWait), Clock.systemUTC(),
                new PrintStream(alembicOutput, true, StandardCharsets.UTF_8));
    }

    private UpgradeResult run(UpgradeRequest request) throws RunnerException {
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(), request, Clock.systemUTC(),
                new PrintStream(alembicOutput, true, StandardCharsets.UTF_8));
    }

    private static UpgradeRequest request(AlembicProject project, String target, LockSafety safety,
                                          List<VerifyQuery> verify, OnFailure onFailure, boolean allowDowngrade) {
        return Requests.upgrade(project.dir(), target, safety, verify, onFailure, allowDowngrade);
    }

    private static LockSafety safety(Duration lockTimeout, int retries, Duration statementTimeout) {
        return new LockSafety(lockTimeout, retries, statementTimeout, Duration.ofSeconds(5));
    }

    private String output() {
        return alembicOutput.toString(StandardCharsets.UTF_8);
    }

    @Test
    void upgradesFromBaseToHead() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_phone", "0002_email", "add phone", "op.add_column('customers', sa.Column('phone', sa.Text))");

        UpgradeResult r = upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5));

        assertEquals("head", r.target());
        assertEquals("base", r.fromRevision());
        assertEquals("0003_phone", r.toRevision());
        assertEquals(List.of("0001_init", "0002_email", "0003_phone"), r.appliedRevisions());
        assertNull(r.failedRevision());
        assertFalse(r.finishedAt().isBefore(r.startedAt()));
        assertEquals(List.of("0003_phone"), db.alembicVersion());
        assertTrue(output().contains("alembic: INFO  [alembic.runtime.migration] Running upgrade 0002_email -> 0003_phone"),
                output());
        assertFalse(output().contains(db.env().get("PGPASSWORD")));

        // Again: nothing to do, nothing applied.
        UpgradeResult again = upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals("0003_phone", again.fromRevision());
        assertEquals("0003_phone", again.toRevision());
        assertEquals(List.of(), again.appliedRevisions());
    }

    @Test
    void upgradesToAnIntermediateRevisionAndOnFromThere() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        assertEquals(List.of("0001_init"), upgrade(project, "0001_init", Duration.ZERO, Duration.ZERO).appliedRevisions());
        UpgradeResult r = upgrade(project, "+1", Duration.ZERO, Duration.ZERO);
        assertEquals("0001_init", r.fromRevision());
        assertEquals("0002_email", r.toRevision());
        assertEquals(List.of("0002_email"), r.appliedRevisions());
    }

    @Test
    void aTargetBelowTheCurrentRevisionIsRefusedWithoutAllowDowngrade() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withPhone();
        upgrade(project, "head", Duration.ZERO, Duration.ZERO);
        alembicOutput.reset();

        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "0001_init",
                LockSafety.DEFAULT, List.of(), OnFailure.HALT, false)));

        assertEquals(ExitCode.DOWNGRADE_NOT_ALLOWED, e.exitCode());
        assertFalse(e.exitCode().retryable());
        assertEquals("target 0001_init is below the current revision 0003_phone: it would undo 2 revisions"
                + " (0003_phone, 0002_email); set spec.allowDowngrade: true (--allow-downgrade) to allow it;"
                + " nothing was run", e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(UpgradeResult.DOWNGRADE, r.direction());
        assertEquals("0003_phone", r.fromRevision());
        assertEquals("0003_phone", r.toRevision());
        assertEquals(List.of(), r.appliedRevisions());
        assertEquals(0, r.lockAttempts());
        assertEquals(List.of("0003_phone"), db.alembicVersion());
        assertTrue(db.columnExists("customers", "phone"));
        assertFalse(output().contains("Running downgrade"), output());
        assertLockReleased();
    }

    @Test
    void anAllowedDowngradeUndoesTheRevisionsAboveTheTarget() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withPhone();
        upgrade(project, "head", Duration.ZERO, Duration.ZERO);

        UpgradeResult r = run(request(project, "0001_init", LockSafety.DEFAULT, List.of(), OnFailure.HALT, true));

        assertEquals(UpgradeResult.DOWNGRADE, r.direction());
        assertEquals("0003_phone", r.fromRevision());
        assertEquals("0001_init", r.toRevision());
        assertEquals(List.of("0003_phone", "0002_email"), r.appliedRevisions());
        assertEquals(1, r.lockAttempts());
        assertEquals(List.of("0001_init"), db.alembicVersion());
        assertFalse(db.columnExists("customers", "phone"));
        assertFalse(db.columnExists("customers", "email"));
        assertTrue(db.columnExists("customers", "name"));

        // And on to base, which empties alembic_version.
        UpgradeResult toBase = run(request(project, "base", LockSafety.DEFAULT, List.of(), OnFailure.HALT, true));
        assertEquals("base", toBase.toRevision());
        assertEquals(List.of("0001_init"), toBase.appliedRevisions());
        assertEquals(List.of(), db.alembicVersion());
    }

    @Test
    void atTheTargetAlembicDoesNotRun() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        upgrade(project, "head", Duration.ZERO, Duration.ZERO);
        alembicOutput.reset();
        UpgradeResult r = upgrade(project, "0002_email", Duration.ZERO, Duration.ZERO);
        assertEquals(UpgradeResult.UPGRADE, r.direction());
        assertEquals(0, r.lockAttempts());
        assertEquals("0002_email", r.toRevision());
        assertEquals("", output());
    }

    @Test
    void aFalseVerificationIsVerificationFailedAndNamesTheQuery() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        List<VerifyQuery> verify = List.of(
                new VerifyQuery("has-email", "select count(*) = 1 from information_schema.columns"
                        + " where table_name = 'customers' and column_name = 'email'"),
                new VerifyQuery("has-customers", "select count(*) > 0 from customers"),
                new VerifyQuery("never-run", "select true"));

        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                LockSafety.DEFAULT, verify, OnFailure.HALT, false)));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode());
        assertFalse(e.exitCode().retryable());
        assertEquals("verification has-customers returned false; the database is at 0002_email", e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(List.of("has-email"), r.verified());
        assertEquals("has-customers", r.failedVerification());
        assertEquals(List.of("0001_init", "0002_email"), r.appliedRevisions());
        assertNull(r.failedRevision());
        assertNull(r.rolledBackTo());
        // Halt: the migration stays applied.
        assertEquals(List.of("0002_email"), db.alembicVersion());
        assertLockReleased();

        // All true: the names are reported, also when there was nothing left to apply.
        db.execute("insert into customers (name) values ('a')");
        UpgradeResult ok = run(request(project, "head", LockSafety.DEFAULT, verify, OnFailure.HALT, false));
        assertEquals(List.of("has-email", "has-customers", "never-run"), ok.verified());
        assertEquals(0, ok.lockAttempts());
    }

    @Test
    void aFailedVerificationWithOnFailureDowngradeGoesBackToWhereTheRunStarted() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .withPhone();
        List<VerifyQuery> verify = List.of(new VerifyQuery("has-customers", "select count(*) > 0 from customers"));

        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                LockSafety.DEFAULT, verify, OnFailure.DOWNGRADE, false)));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode(), "the original failure is kept");
        assertEquals("verification has-customers returned false; downgraded to base", e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals("base", r.fromRevision());
        assertEquals("base", r.rolledBackTo());
        assertEquals("base", r.toRevision());
        assertEquals(List.of("0001_init", "0002_email", "0003_phone"), r.appliedRevisions());
        assertEquals("has-customers", r.failedVerification());
        assertEquals(List.of(), db.alembicVersion());
        assertFalse(db.tableExists("customers"), "the schema is really back at base");
        assertTrue(output().contains("Running downgrade 0001_init -> "), output());
        assertLockReleased();
    }

    @Test
    void aPartlyAppliedMigrationWithOnFailureDowngradeGoesBackToWhereTheRunStarted() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).transactionPerMigration()
                .withBrokenRevision();
        upgrade(project, "0001_init", Duration.ZERO, Duration.ZERO);

        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                LockSafety.DEFAULT, List.of(), OnFailure.DOWNGRADE, false)));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("revision 0003_broken failed: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; downgraded to 0001_init"), e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals("0003_broken", r.failedRevision());
        // 0002_email was committed on its own before 0003 failed ...
        assertEquals(List.of("0002_email"), r.appliedRevisions());
        assertTrue(output().contains("Running downgrade 0002_email -> 0001_init"), output());
        // ... and undone again.
        assertEquals("0001_init", r.rolledBackTo());
        assertEquals(List.of("0001_init"), db.alembicVersion());
        assertFalse(db.columnExists("customers", "email"));
    }

    @Test
    void partlyAppliedWithHaltStaysWhereItStopped() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).transactionPerMigration()
                .withBrokenRevision();
        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                LockSafety.DEFAULT, List.of(), OnFailure.HALT, false)));
        assertTrue(e.getMessage().endsWith("; the database is at 0002_email"), e.getMessage());
        assertNull(e.upgradeResult().orElseThrow().rolledBackTo());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }

    @Test
    void aDowngradeThatFailsTooIsReportedAfterTheOriginalFailure() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_oneway", "0002_email", "one way",
                        "op.add_column('customers', sa.Column('phone', sa.Text))",
                        "raise NotImplementedError('0003_oneway cannot be undone')");
        upgrade(project, "0002_email", Duration.ZERO, Duration.ZERO);

        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                LockSafety.DEFAULT, List.of(new VerifyQuery("never", "select false")), OnFailure.DOWNGRADE, false)));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode());
        assertEquals("verification never returned false; the database is at 0003_oneway; the downgrade to"
                + " 0002_email failed: the downgrade of revision 0003_oneway failed: NotImplementedError: 0003_oneway"
                + " cannot be undone", e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertNull(r.rolledBackTo());
        assertEquals("0003_oneway", r.toRevision());
        assertEquals(List.of("0003_oneway"), db.alembicVersion());
    }

    @Test
    void raisingRevisionIsAMigrationFailureAndTheDatabaseStaysWhereItWas() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).withBrokenRevision();

        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5)));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("0003_broken"), e.getMessage());
        assertTrue(e.getMessage().contains("relation \"no_such_table\" does not exist"), e.getMessage());
        UpgradeResult partial = e.upgradeResult().orElseThrow();
        assertEquals("0003_broken", partial.failedRevision());
        assertEquals("base", partial.fromRevision());
        // One transaction for the whole upgrade: 0001 and 0002 were rolled back with 0003.
        assertEquals("base", partial.toRevision());
        assertEquals(List.of(), partial.appliedRevisions());
        assertEquals(List.of(), db.alembicVersion());
        assertLockReleased();
    }

    @Test
    void failureAfterGoodRevisionsKeepsThePreviousRevision() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), false)
                .revision("0003_nameerror", "0002_email", "typo", "op.add_column('customers', sb.Column('phone', sa.Text))");
        upgrade(project, "0002_email", Duration.ZERO, Duration.ZERO);

        // No logging configured in this project: the failing revision comes from the traceback.
        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "heads", Duration.ZERO, Duration.ZERO));
        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        UpgradeResult partial = e.upgradeResult().orElseThrow();
        assertEquals("0003_nameerror", partial.failedRevision());
        assertEquals("0002_email", partial.fromRevision());
        assertEquals("0002_email", partial.toRevision());
        assertTrue(e.getMessage().contains("NameError: name 'sb' is not defined"), e.getMessage());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }

    @Test
    void withTheAlembicLoggerAtWarnTheAppliedRevisionsComeFromTheRevisionGraph() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).withPhone().alembicLoggerAtWarn();

        UpgradeResult r = upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5));

        assertFalse(output().contains("Running upgrade"), output());
        assertEquals("base", r.fromRevision());
        assertEquals("0003_phone", r.toRevision());
        assertEquals(List.of("0001_init", "0002_email", "0003_phone"), r.appliedRevisions());
    }

    @Test
    void withoutLogLinesAFailedRunStillReportsTheRevisionsItCommitted() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).transactionPerMigration()
                .alembicLoggerAtWarn()
                .withBrokenRevision();

        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5)));

        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(List.of("0001_init", "0002_email"), r.appliedRevisions());
        assertEquals("0003_broken", r.failedRevision(), "named by the traceback");
        assertEquals("0002_email", r.toRevision());
    }

    @Test
    void aFailingRevisionWithAnAutocommitBlockSaysItMayHaveLeftChanges() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_index", "0002_email", "index concurrently, then fail", """
                        with op.get_context().autocommit_block():
                            op.create_index("customers_email", "customers", ["email"], postgresql_concurrently=True)
                        op.execute("select * from no_such_table")
                        """);

        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5)));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("revision 0003_index uses autocommit_block: what it ran there was"
                + " committed outside the migration's transaction, so it may have left non-transactional changes"),
                e.getMessage());
        assertEquals("0003_index", e.upgradeResult().orElseThrow().failedRevision());
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_indexes where indexname = 'customers_email'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the index built in the autocommit block stayed");
        }
    }

    @Test
    void aFailingRevisionWithoutAnAutocommitBlockSaysNothingAboutIt() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true).withBrokenRevision();

        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(5)));

        assertFalse(e.getMessage().contains("autocommit_block"), e.getMessage());
    }

    @Test
    void unknownTargetIsBadInputNamingTheHeads() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        RunnerException e = assertThrows(RunnerException.class,
                () -> upgrade(project, "nosuchrev", Duration.ZERO, Duration.ZERO));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("target revision 'nosuchrev' is not in the migrations: Can't locate revision"
                + " identified by 'nosuchrev' (their head is 0002_email)"), e.getMessage());
        assertNull(e.upgradeResult().orElseThrow().failedRevision());
    }

    @Test
    void lockHeldByAnotherSessionIsLockNotAcquiredAndAlembicNeverRuns() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        try (Connection other = db.connect(); Statement st = other.createStatement()) {
            st.execute("select pg_advisory_lock(" + MigrationLock.KEY + ", hashtext(current_database()))");
            int holder;
            try (ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                holder = rs.getInt(1);
            }

            long start = System.nanoTime();
            // Longer than one report interval: the wait is reported when it starts and again while it goes on.
            Duration wait = AdvisoryLock.REPORT_EVERY.plusSeconds(1);
            RunnerException e = assertThrows(RunnerException.class,
                    () -> upgrade(project, "head", Duration.ofSeconds(1), wait));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(ExitCode.LOCK_NOT_ACQUIRED, e.exitCode());
            assertTrue(e.exitCode().retryable());
            assertTrue(e.getMessage().contains("another migration holds the lock of database '" + db.name() + "'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(TestDatabase.APPLICATION_NAME), "names the holder: " + e.getMessage());
            assertTrue(waitedMs >= wait.toMillis(), "waited " + waitedMs + "ms");
            List<String> reports = output().lines().filter(l -> l.contains("msg=\"waiting for the migration lock\""))
                    .toList();
            assertEquals(2, reports.size(), output());
            for (String report : reports) {
                assertTrue(report.contains("backend pid " + holder + ", application '"
                        + TestDatabase.APPLICATION_NAME + "'"), report);
                assertTrue(report.contains("connected since "), report);
            }
            assertFalse(output().contains("alembic:"), "alembic never ran: " + output());
            assertEquals(List.of(), db.alembicVersion());
        }
        // Released by the other session: now it goes through.
        assertEquals("0002_email", upgrade(project, "head", Duration.ofSeconds(1), Duration.ofSeconds(1)).toRevision());
    }

    /** An application session that reads customers in a transaction, holding ACCESS SHARE until it ends. */
    private final class TableReader implements AutoCloseable {
        private final Connection connection;
        final int pid;

        TableReader() throws SQLException {
            connection = db.connect();
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
                // The literal stands for data the report must never show.
                st.executeQuery("select * from customers where name = 'secret-literal-4711'").close();
            }
        }

        /**
         * Commits {@code holdFor} after the migration first gave up on the lock, on another thread. Counting from the
         * start instead would race with the runner's start-up (the revision graph and Alembic each start a Python).
         */
        Thread releaseAfterFirstLockTimeout(Duration holdFor) {
            Thread t = new Thread(() -> {
                try {
                    while (!output().contains("msg=\"lock_timeout, retrying\" attempt=1")) {
                        Thread.sleep(10);
                    }
                    Thread.sleep(holdFor.toMillis());
                    connection.commit();
                } catch (InterruptedException | SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    @Test
    void aTableLockHeldForTwoSecondsIsWaitedOutByRetrying() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        upgrade(project, "0001_init", Duration.ZERO, Duration.ZERO);
        try (TableReader reader = new TableReader()) {
            long start = System.nanoTime();
            Thread release = reader.releaseAfterFirstLockTimeout(Duration.ofSeconds(2));

            UpgradeResult r = run(request(project, "head", safety(Duration.ofMillis(100), 10, Duration.ZERO),
                    List.of(), OnFailure.HALT, false));

            long tookMs = (System.nanoTime() - start) / 1_000_000;
            release.join();
            assertTrue(r.lockAttempts() > 1, "attempts: " + r.lockAttempts());
            assertEquals("0002_email", r.toRevision());
            assertEquals(List.of("0002_email"), r.appliedRevisions());
            assertEquals(List.of("0002_email"), db.alembicVersion());
            assertTrue(output().contains("msg=\"lock_timeout, retrying\" attempt=1"), output());
            assertTrue(output().contains("holder=\"pid " + reader.pid + " "), output());
            System.out.println("measured: 2 s table lock, lock_timeout 100ms: " + r.lockAttempts() + " attempts, "
                    + tookMs + " ms");
        }
    }

    @Test
    void lockTimeoutOnEveryAttemptIsLockTimeoutNamingTheHolder() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        upgrade(project, "0001_init", Duration.ZERO, Duration.ZERO);
        try (TableReader reader = new TableReader()) {
            // Held until the runner gave up: no race with the retries.
            RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                    safety(Duration.ofMillis(100), 1, Duration.ZERO), List.of(), OnFailure.HALT, false)));

            assertEquals(ExitCode.LOCK_TIMEOUT, e.exitCode());
            assertFalse(e.exitCode().retryable());
            String m = e.getMessage();
            assertTrue(m.startsWith("revision 0002_email could not lock a table within lock_timeout 100ms on any of"
                    + " 2 attempts; blocked by pid " + reader.pid + " (user "), m);
            assertTrue(m.contains("application '" + TestDatabase.APPLICATION_NAME + "'"), m);
            assertTrue(m.contains("idle in transaction"), m);
            assertTrue(m.contains("holding AccessShareLock on customers"), m);
            assertTrue(m.endsWith("; nothing was applied, the database is still at 0001_init"), m);
            assertFalse(m.contains("secret-literal") || m.contains("select"), "no query text: " + m);
            UpgradeResult partial = e.upgradeResult().orElseThrow();
            assertEquals(2, partial.lockAttempts());
            assertEquals("0002_email", partial.failedRevision());
            assertEquals(List.of(), partial.appliedRevisions());
        }
        assertEquals(List.of("0001_init"), db.alembicVersion());
        assertFalse(db.columnExists("customers", "email"));
        assertLockReleased();
    }

    @Test
    void withoutRetriesTheFirstLockTimeoutEndsTheRun() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true);
        upgrade(project, "0001_init", Duration.ZERO, Duration.ZERO);
        try (TableReader reader = new TableReader()) {
            RunnerException e = assertThrows(RunnerException.class,
                    () -> upgrade(project, "head", Duration.ofMillis(300), Duration.ZERO));
            assertEquals(ExitCode.LOCK_TIMEOUT, e.exitCode());
            assertTrue(e.getMessage().contains("within lock_timeout 300ms on its only attempt"), e.getMessage());
            assertEquals(1, e.upgradeResult().orElseThrow().lockAttempts());
        }
        assertEquals(List.of("0001_init"), db.alembicVersion());
    }

    @Test
    void statementTimeoutIsAMigrationFailureThatSaysSo() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("m"), true)
                .revision("0003_slow", "0002_email", "slow", "op.execute('select pg_sleep(30)')");
        RunnerException e = assertThrows(RunnerException.class, () -> run(request(project, "head",
                safety(Duration.ofSeconds(1), 3, Duration.ofMillis(200)), List.of(), OnFailure.HALT, false)));
        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("revision 0003_slow ran into statement_timeout 200ms: "
                + "sqlalchemy.exc.OperationalError: (psycopg2.errors.QueryCanceled) canceling statement due to"
                + " statement timeout; nothing was applied, the database is still at base"), e.getMessage());
        assertEquals(1, e.upgradeResult().orElseThrow().lockAttempts(), "a statement timeout is not retried");
        assertEquals(List.of(), db.alembicVersion());
    }

    @Test
    void missingAlembicIniIsBadInput() {
        RunnerException e = assertThrows(RunnerException.class,
                () -> Upgrade.run(Databases.settings(db), AlembicProject.tools(),
                        Requests.upgrade(tmp, "head", Duration.ZERO, Duration.ZERO), Clock.systemUTC()));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("alembic.ini"), e.getMessage());
    }

    private void assertLockReleased() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + MigrationLock.KEY
                     + ", hashtext(current_database()))")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the migration lock was released");
        }
    }
}
