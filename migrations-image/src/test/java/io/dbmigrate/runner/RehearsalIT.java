package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rehearsals on the test server: the source database is backed up with the real Backup, restored by the real
 * pg_restore into a scratch database, and migrated there by the real Alembic. After every test the source must be as
 * it was and no scratch database of its key may be left.
 */
class RehearsalIT extends RehearsalFixture {

    RehearsalIT() {
        super("rehearse", "crm", "0001_init");
    }

    @BeforeEach
    void createSource() throws Exception {
        db.execute("insert into customers (name) values ('ada'), ('grace'), ('edsger')");
    }

    private BackupResult backup(String label, Instant at) throws RunnerException {
        return Backup.run(Databases.settings(db), AlembicProject.tools(), new BackupRequest(backups, name, label, 10),
                Clock.fixed(at, ZoneOffset.UTC));
    }

    private BackupResult backup() throws RunnerException {
        return backup("g2", Instant.now());
    }

    private static UpgradeRequest upgradeTo(AlembicProject project, String target, VerifyQuery... verify) {
        return Requests.upgrade(project.dir(), target, LockSafety.DEFAULT, List.of(verify), OnFailure.HALT, false);
    }

    private RehearsalResult rehearse(UpgradeRequest upgrade, boolean roundTrip) throws RunnerException {
        return rehearse(server(), new RehearsalRequest(null, backups, name, "g2", upgrade, roundTrip));
    }

    private RehearsalResult rehearse(ConnectionSettings server, RehearsalRequest request) throws RunnerException {
        return Rehearsal.run(server, AlembicProject.tools(), request, Clock.systemUTC(), logStream());
    }

    /** The key of this test's rehearsals, from the metadata Backup wrote (every archive of the source has it). */
    private String key() throws IOException {
        Path sidecar;
        try (var files = Files.list(backups)) {
            sidecar = files.filter(p -> p.getFileName().toString().startsWith(name + "_")
                    && p.toString().endsWith(".dump.json")).findFirst().orElseThrow();
        }
        BackupMetadata metadata = RunnerJson.read(Files.readString(sidecar), BackupMetadata.class);
        assertEquals(db.name(), metadata.database());
        return Rehearsal.key(name, Optional.of(metadata));
    }

    private static List<String> databasesStartingWith(String prefix) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = TestDatabase.connectTo("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select datname from pg_database order by 1")) {
            while (rs.next()) {
                if (rs.getString(1).startsWith(prefix)) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static void createDatabase(String database) throws SQLException {
        try (Connection c = TestDatabase.connectTo("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + database);
        }
    }

    private static void dropDatabase(String database) throws SQLException {
        try (Connection c = TestDatabase.connectTo("postgres"); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + database + " with (force)");
        }
    }

    /** The source is where it was before the rehearsal: at 0001_init with its three rows and no email column. */
    private void assertSourceUntouched() throws SQLException {
        try (Connection c = db.connect()) {
            assertEquals(List.of("0001_init"), AlembicVersion.current(c, "alembic_version"));
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "select (select count(*) from customers),"
                            + " (select count(*) from information_schema.columns where table_name = 'customers'),"
                            + " (select count(*) from information_schema.tables where table_schema = 'public')")) {
                rs.next();
                assertEquals(3, rs.getInt(1), "rows");
                assertEquals(2, rs.getInt(2), "columns of customers: id, name");
                assertEquals(2, rs.getInt(3), "tables: alembic_version, customers");
            }
        }
    }

    private void assertNoScratchLeft() throws Exception {
        assertEquals(List.of(), databasesStartingWith(Rehearsal.PREFIX + key() + "_"));
    }

    private AlembicProject withPhone(String downgradeBody) throws IOException {
        return project.revision("0003_phone", "0002_email", "add phone",
                "op.add_column('customers', sa.Column('phone', sa.Text))", downgradeBody);
    }

    // (a)
    @Test
    void aPassingRehearsalWithRoundTripLeavesProductionAndTheServerAsTheyWere() throws Exception {
        withPhone("op.drop_column('customers', 'phone')");
        BackupResult b = backup();

        RehearsalResult r = rehearse(upgradeTo(project, "head",
                new VerifyQuery("restored-rows", "select count(*) = 3 from customers"),
                new VerifyQuery("has-phone", "select count(*) = 1 from information_schema.columns"
                        + " where table_name = 'customers' and column_name = 'phone'")), true);

        assertTrue(r.passed(), r.toString());
        assertNull(r.failedPhase());
        assertNull(r.error());
        assertTrue(r.roundTrip());
        assertEquals(b.file(), r.archive());
        assertTrue(r.scratchDatabase().startsWith(Rehearsal.PREFIX + key() + "_"), r.scratchDatabase());
        assertTrue(r.scratchDatabase().matches("dbmigrate_rehearsal_[0-9a-f]{8}_[0-9]{17}"), r.scratchDatabase());
        assertEquals(server().host() + ":" + server().port(), r.server());
        assertEquals("0001_init", r.fromRevision());
        assertEquals("0003_phone", r.toRevision());
        assertEquals(List.of("0002_email", "0003_phone"), r.appliedRevisions());
        assertEquals(List.of("restored-rows", "has-phone"), r.verified());
        assertNotNull(r.upgradeMillis());
        assertTrue(r.upgradeMillis() > 0 && r.upgradeMillis() < 120_000, "upgradeMillis " + r.upgradeMillis());
        assertFalse(r.finishedAt().isBefore(r.startedAt()));
        assertTrue(r.dropped());
        // The round trip really went down to 0001_init and up again.
        assertTrue(log().contains("Running downgrade 0002_email -> 0001_init"), log());
        assertEquals(2, log().split("Running upgrade 0002_email -> 0003_phone", -1).length - 1, log());
        assertFalse(log().contains(TestDatabase.serverEnvironment().get("PGPASSWORD")));

        assertSourceUntouched();
        assertNoScratchLeft();
        assertEquals("rehearsal on a restored copy passed: the copy went from 0001_init to 0003_phone (applied"
                + " 0002_email, 0003_phone) in " + Durations.format(Duration.ofMillis(r.upgradeMillis()))
                + "; verified restored-rows, has-phone; round trip back to 0001_init and up again passed;"
                + " scratch database dropped", Rehearsal.summary(r));
    }

    // (b)
    @Test
    void aRevisionRaisingNameErrorFailsTheRehearsalAndNamesTheRevision() throws Exception {
        project.revision("0003_score", "0002_email", "backfill score", """
                op.add_column('customers', sa.Column('score', sa.Float))
                conn = op.get_bind()
                conn.execute(sa.text("update customers set score = 0"))
                compute_scores(conn)
                """);
        backup();

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head"), true));

        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("rehearsal on a restored copy failed: revision 0003_score failed:"
                + " NameError: name 'compute_scores' is not defined"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; production was not touched"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was applied, the copy is still at"), "where the failure left the "
                + "copy, not words on-call could read as production's: " + e.getMessage());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertFalse(r.passed());
        assertEquals(RehearsalResult.UPGRADE, r.failedPhase());
        assertEquals("0003_score", r.failedRevision());
        assertEquals("MigrationFailed", r.failureReason());
        assertTrue(r.error().contains("NameError: name 'compute_scores' is not defined"), r.error());
        assertFalse(r.error().contains("the database is"), "status shows the copy's state as the copy's: " + r.error());
        assertEquals("0001_init", r.fromRevision());
        assertEquals("0001_init", r.toRevision(), "one transaction: the copy is back where it started");
        assertNotNull(r.upgradeMillis());
        assertTrue(r.dropped());
        assertSourceUntouched();
        assertNoScratchLeft();
    }

    // (c)
    @Test
    void aDowngradeThatCannotRunFailsTheRoundTripOnly() throws Exception {
        withPhone("op.drop_column('customers', 'no_such_column')");
        backup();

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head"), true));

        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(RehearsalResult.DOWNGRADE, r.failedPhase());
        assertEquals("0003_phone", r.failedRevision());
        assertEquals("MigrationFailed", r.failureReason());
        assertTrue(r.error().contains("no_such_column"), r.error());
        assertEquals(List.of("0002_email", "0003_phone"), r.appliedRevisions(), "the upgrade itself passed");
        assertNotNull(r.upgradeMillis());
        assertEquals("0003_phone", r.toRevision(), "the failed downgrade was rolled back");
        assertTrue(e.getMessage().startsWith("rehearsal on a restored copy failed: the round trip's way back: the"
                + " downgrade from 0003_phone to 0001_init failed: the downgrade of revision 0003_phone failed: "),
                e.getMessage());
        assertTrue(r.dropped());
        assertSourceUntouched();
        assertNoScratchLeft();

        RehearsalResult oneWay = rehearse(upgradeTo(project, "head"), false);
        assertTrue(oneWay.passed(), oneWay.toString());
        assertFalse(oneWay.roundTrip());
        assertEquals("0003_phone", oneWay.toRevision());
        assertSourceUntouched();
        assertNoScratchLeft();
    }

    @Test
    void aSecondUpgradeThatFailsIsTheUpgradeAgainPhase() throws Exception {
        // The downgrade "forgets" to drop the column: it runs, but the upgrade cannot add it again.
        withPhone("pass");
        backup();

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head"), true));

        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        assertEquals(RehearsalResult.UPGRADE_AGAIN, r.failedPhase());
        assertEquals("0003_phone", r.failedRevision());
        assertTrue(r.error().contains("already exists"), r.error());
        assertTrue(e.getMessage().contains("the round trip's second upgrade, after the downgrade back to"
                + " 0001_init: revision 0003_phone failed"), e.getMessage());
        assertTrue(r.dropped());
        assertSourceUntouched();
        assertNoScratchLeft();
    }

    // (d)
    @Test
    void aVerificationFalseOnTheCopyFailsTheRehearsal() throws Exception {
        backup();

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head",
                new VerifyQuery("rows-kept", "select count(*) = 3 from customers"),
                new VerifyQuery("emails-filled", "select count(*) = 0 from customers where email is null")), true));

        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(RehearsalResult.UPGRADE, r.failedPhase());
        assertEquals("VerificationFailed", r.failureReason());
        assertNull(r.failedRevision());
        assertEquals(List.of("rows-kept"), r.verified());
        assertEquals(List.of("0002_email"), r.appliedRevisions());
        assertEquals("0002_email", r.toRevision(), "halt: the copy stays where the upgrade took it");
        assertTrue(e.getMessage().contains("verification emails-filled returned false"), e.getMessage());
        assertTrue(r.dropped());
        assertSourceUntouched();
        assertNoScratchLeft();
    }

    // (e)
    @Test
    void aScratchDatabaseAKilledRehearsalLeftIsDroppedByTheNext() throws Exception {
        backup();
        String leftover = Rehearsal.PREFIX + key() + "_20000101000000000";
        String someoneElses = Rehearsal.PREFIX + Rehearsal.key("other-" + name, Optional.empty())
                + "_20000101000000000";
        createDatabase(leftover);
        createDatabase(someoneElses);
        // A backend of the killed rehearsal still connected: only DROP DATABASE ... WITH (FORCE) gets rid of it.
        try (Connection stillThere = TestDatabase.connectTo(leftover)) {
            RehearsalResult r = rehearse(upgradeTo(project, "head"), false);

            assertTrue(r.passed(), r.toString());
            assertTrue(stillThere.isValid(2) == false, "the leftover's session was terminated");
            assertTrue(log().contains("left behind"), log());
            assertTrue(log().contains(leftover), log());
            assertNoScratchLeft();
            assertEquals(List.of(someoneElses), databasesStartingWith(someoneElses), "another key's is not ours");
        } finally {
            dropDatabase(leftover);
            dropDatabase(someoneElses);
        }
    }

    // (f)
    @Test
    void theNewestArchiveOfNameAndLabelIsRestored() throws Exception {
        BackupResult older = backup("g2", Instant.parse("2026-11-27T01:00:00Z"));
        upgradeDatabaseTo("0002_email");
        BackupResult newest = backup("g2", Instant.parse("2026-11-27T02:00:00Z"));
        db.execute("delete from alembic_version", "insert into alembic_version values ('0001_init')",
                "alter table customers drop column email");
        // Newer, but not it: another label, another resource, and a backup still being written.
        backup("g3", Instant.parse("2026-11-27T03:00:00Z"));
        Files.copy(Path.of(older.file()), backups.resolve("x" + name + "_20261127T040000000Z_g2.dump"));
        Files.copy(Path.of(older.file()), backups.resolve(name + "_20261127T050000000Z_g2.dump.partial"));

        RehearsalResult r = rehearse(upgradeTo(project, "head"), false);

        assertEquals(newest.file(), r.archive());
        assertEquals("0002_email", r.fromRevision(), "restored from the newest g2 archive");
        assertEquals(List.of(), r.appliedRevisions());
        assertTrue(r.passed());
        assertSourceUntouched();
        assertNoScratchLeft();

        RehearsalResult given = rehearse(server(), new RehearsalRequest(Path.of(older.file()), null, name, null,
                upgradeTo(project, "head"), false));
        assertEquals(older.file(), given.archive());
        assertEquals("0001_init", given.fromRevision());
        assertEquals(List.of("0002_email"), given.appliedRevisions());
    }

    @Test
    void noArchiveIsARestoreFailureThatCreatesNothing() throws Exception {
        backup("g1", Instant.now());

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head"), true));

        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        assertEquals("rehearsal on a restored copy failed: no archive of " + name + " labelled g2 in " + backups
                + " (" + name + "_<time>_g2.dump; the backup runs before the rehearsal); production was not touched",
                e.getMessage());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(RehearsalResult.RESTORE, r.failedPhase());
        assertEquals(Rehearsal.RESTORE_FAILED, r.failureReason());
        assertNull(r.scratchDatabase());
        assertNull(r.archive());
        assertNull(r.upgradeMillis());
        assertTrue(r.dropped(), "nothing was left behind");
    }

    @Test
    void anArchivePgRestoreCannotReadIsARestoreFailureAndTheScratchIsDropped() throws Exception {
        BackupResult b = backup();
        Files.write(Path.of(b.file()), "PGDMP but not really".getBytes(StandardCharsets.UTF_8));

        RunnerException e = assertThrows(RunnerException.class, () -> rehearse(upgradeTo(project, "head"), false));

        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
        assertEquals(RehearsalResult.RESTORE, r.failedPhase());
        assertTrue(r.error().contains("pg_restore exit"), r.error());
        assertNotNull(r.scratchDatabase());
        assertTrue(r.dropped());
        assertNoScratchLeft();
    }

    @Test
    void aUserWithoutCreatedbIsToldWhatToDo() throws Exception {
        backup();
        String role = "dbm_it_nocreatedb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        try (Connection c = TestDatabase.connectTo("postgres"); Statement st = c.createStatement()) {
            st.execute("create role " + role + " login nocreatedb password '" + password + "'");
        }
        try {
            ConnectionSettings server = server();
            ConnectionSettings weak = new ConnectionSettings(server.host(), server.port(), "postgres", role, password,
                    server.sslMode());

            RunnerException e = assertThrows(RunnerException.class, () -> rehearse(weak,
                    new RehearsalRequest(null, backups, name, "g2", upgradeTo(project, "head"), false)));

            assertEquals(ExitCode.REHEARSAL_FAILED, e.exitCode());
            assertTrue(e.getMessage().contains("user '" + role + "' may not create databases"), e.getMessage());
            assertTrue(e.getMessage().contains("CREATEDB"), e.getMessage());
            assertTrue(e.getMessage().contains("spec.rehearsal.database"), e.getMessage());
            assertEquals(RehearsalResult.RESTORE, e.rehearsalResult().orElseThrow().failedPhase());
            assertFalse(e.getMessage().contains(password));
        } finally {
            try (Connection c = TestDatabase.connectTo("postgres"); Statement st = c.createStatement()) {
                st.execute("drop role if exists " + role);
            }
        }
    }

    @Test
    void aCopyAtAnotherRevisionThanThePlansIsPlanOutdatedNotARehearsalFailure() throws Exception {
        backup();

        RunnerException e = assertThrows(RunnerException.class,
                () -> rehearse(upgradeTo(project, "head").expectingFrom("0002_email"), true));

        assertEquals(ExitCode.PLAN_OUTDATED, e.exitCode());
        assertTrue(e.getMessage().contains("the copy is at 0001_init, not at 0002_email"), e.getMessage());
        RehearsalResult r = e.rehearsalResult().orElseThrow();
        assertFalse(r.passed());
        assertEquals("PlanOutdated", r.failureReason());
        assertTrue(r.dropped());
        assertSourceUntouched();
        assertNoScratchLeft();
    }

    // ---- the command line: rehearse writes the rehearsal file, upgrade reads it ----

    private CommandLineRun runner(Map<String, String> connection, Path rehearsalFile, String... args)
            throws IOException {
        return CommandLineRun.run(tmp, connection, Map.of(PodFile.REHEARSAL_FILE_VARIABLE, rehearsalFile.toString()),
                args);
    }

    @Test
    void rehearseWritesTheFileTheWindowGuardOfUpgradeReads() throws Exception {
        withPhone("op.drop_column('customers', 'phone')");
        backup();
        Path rehearsalFile = tmp.resolve("rehearsal.json");
        Map<String, String> maintenance = new HashMap<>(TestDatabase.serverEnvironment());
        maintenance.put("PGDATABASE", "postgres");

        CommandLineRun rehearsal = runner(maintenance, rehearsalFile, "rehearse", "--dir", backups.toString(),
                "--name", name, "--label", "g2", "--migrations", project.dir().toString(), "--target", "head",
                "--round-trip", "--verify", "rows=select count(*) = 3 from customers", "--lock-timeout", "2s");

        assertEquals(0, rehearsal.exit(), rehearsal.err());
        assertEquals("rehearse", rehearsal.result().command());
        assertTrue(rehearsal.out().startsWith("rehearse succeeded: rehearsal on a restored copy passed:"),
                rehearsal.out());
        RehearsalResult h = rehearsal.result().rehearsal();
        assertTrue(h.passed() && h.roundTrip() && h.dropped(), h.toString());
        assertEquals(List.of("rows"), h.verified());
        assertEquals(rehearsal.result(), RunnerJson.read(Files.readString(rehearsalFile)), "the same result");
        assertSourceUntouched();
        assertNoScratchLeft();

        // The migrate container: a window with a minute left, and the rehearsal's measured duration (made an hour
        // here, so that the refusal does not depend on how fast this machine is).
        String closes = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        Files.writeString(rehearsalFile, RunnerJson.write(rehearsal.result().withRehearsal(new RehearsalResult(
                h.scratchDatabase(), h.server(), h.archive(), h.fromRevision(), h.toRevision(), h.appliedRevisions(),
                h.roundTrip(), true, null, null, null, null, h.verified(), Duration.ofHours(1).toMillis(),
                h.startedAt(), h.finishedAt(), true))));
        CommandLineRun refused = runner(db.env(), rehearsalFile, "upgrade", "--migrations",
                project.dir().toString(), "--target", "head", "--window-closes-at", closes);
        assertEquals(27, refused.exit(), refused.err());
        assertTrue(refused.result().message().endsWith("expected to take 1h0m0s (its rehearsal); nothing was run"),
                refused.result().message());
        assertSourceUntouched();

        // The real measurement fits in half an hour.
        Files.writeString(rehearsalFile, RunnerJson.write(rehearsal.result()));
        CommandLineRun ran = runner(db.env(), rehearsalFile, "upgrade", "--migrations", project.dir().toString(),
                "--target", "head", "--window-closes-at", closes);
        assertEquals(0, ran.exit(), ran.err());
        assertTrue(ran.err().contains("expected duration: this pod's rehearsal"), ran.err());
        assertEquals(List.of("0002_email", "0003_phone"), ran.result().upgrade().appliedRevisions());
    }

    @Test
    void aFailedRehearseStillWritesTheRehearsalFile() throws Exception {
        project.revision("0003_bad", "0002_email", "bad", "undefined_helper()");
        backup();
        Path rehearsalFile = tmp.resolve("rehearsal.json");
        Map<String, String> maintenance = new HashMap<>(TestDatabase.serverEnvironment());
        maintenance.put("PGDATABASE", "postgres");

        CommandLineRun r = runner(maintenance, rehearsalFile, "rehearse", "--dir", backups.toString(), "--name", name,
                "--label", "g2", "--migrations", project.dir().toString(), "--target", "head");

        assertEquals(26, r.exit(), r.err());
        assertEquals("RehearsalFailed", r.result().reason());
        assertEquals("0003_bad", r.result().rehearsal().failedRevision());
        assertEquals(r.result(), RunnerJson.read(Files.readString(rehearsalFile)));
        assertFalse(r.out().contains(maintenance.get("PGPASSWORD")) || r.err().contains(maintenance.get("PGPASSWORD")));
        assertSourceUntouched();
        assertNoScratchLeft();
    }
}
