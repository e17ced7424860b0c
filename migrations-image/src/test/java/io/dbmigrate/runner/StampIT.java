package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.MigrationLock;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.StampRequest;
import io.dbmigrate.contract.StampResult;
import io.dbmigrate.contract.UpgradeResult;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code stamp}: real /usr/bin/alembic against a fresh database per test. Schemas made "without Alembic" are made
 * with SQL; what alembic_version holds is read with SQL, and that no migration ran is read from the schema.
 */
class StampIT extends ProjectFixture {

    StampIT() {
        super("stamp", AlembicProject::withPhone);
    }

    private StampResult stamp(String revision, boolean adopt) throws RunnerException {
        return Stamp.run(Databases.settings(db), AlembicProject.tools(), new StampRequest(project.dir(), revision, adopt),
                Duration.ofSeconds(5), Clock.systemUTC(), logStream());
    }

    private CommandLineRun runner(String... args) throws IOException {
        CommandLineRun r = CommandLineRun.run(tmp, db.env(), args);
        assertFalse(r.out().contains(db.env().get("PGPASSWORD")) || r.err().contains(db.env().get("PGPASSWORD")),
                "the password was printed");
        return r;
    }

    private CommandLineRun stampCommand(String revision, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("stamp", "--migrations", project.dir().toString(),
                "--revision", revision, "--lock-wait", "5s"));
        args.addAll(List.of(more));
        return runner(args.toArray(String[]::new));
    }

    /** The columns of customers, in order: what the migrations change. */
    private List<String> customerColumns() throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select column_name from information_schema.columns"
                     + " where table_name = 'customers' order by ordinal_position")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }

    @Test
    void repairReplacesWrongAndUnknownRowsWithoutRunningAMigration() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0002_email");
        db.execute("insert into alembic_version values ('deadbeef_gone')");
        List<String> schema = customerColumns();
        assertEquals(List.of("id", "name", "email"), schema);

        CommandLineRun r = stampCommand("0001_init");

        assertEquals(0, r.exit(), r.err());
        assertEquals("stamp", r.result().command());
        assertEquals(List.of("0001_init"), db.alembicVersion());
        // 0002_email's downgrade drops email, 0003_phone's upgrade adds phone: neither ran.
        assertEquals(schema, customerColumns());
        StampResult s = r.result().stamp();
        assertEquals(new StampResult("0001_init", "0002_email,deadbeef_gone", "0001_init", false, true,
                s.startedAt(), s.finishedAt()), s);
        assertEquals("stamp succeeded: database '" + db.name() + "' stamped 0001_init: alembic_version went from"
                + " 0002_email,deadbeef_gone to 0001_init; no migration ran\n", r.out());
        assertTrue(r.err().contains("command=\"alembic stamp --purge 0001_init\""), r.err());
        assertTrue(r.err().contains("msg=\"stamp: alembic_version read under the migration lock\""
                + " revisions=0002_email,deadbeef_gone"), r.err());
        assertTrue(r.err().contains("msg=stamped from=0002_email,deadbeef_gone to=0001_init"), r.err());
        assertTrue(r.err().contains("rows=deadbeef_gone"), "the unknown row is named: " + r.err());
        assertTrue(r.err().contains("alembic: INFO  [alembic.runtime.migration]"), "Alembic's output is logged: "
                + r.err());

        // And on from there, as if 0001_init had been the truth: 0002_email's add_column fails on the column.
        RunnerException e = assertThrows(RunnerException.class, () -> Upgrade.run(Databases.settings(db),
                AlembicProject.tools(), Requests.upgrade(project.dir(), "head", Duration.ZERO, Duration.ofSeconds(5)),
                Clock.systemUTC(), logStream()));
        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("revision 0002_email failed"), e.getMessage());
    }

    @Test
    void repairOfADatabaseWithoutRevisionsAndSeveralHeadsAsSeveralArguments() throws Exception {
        project.revision("0003_tags", "0002_email", "add tags",
                "op.add_column('customers', sa.Column('tags', sa.Text))");
        db.execute("create table customers (id integer primary key, name text not null)");

        StampResult s = stamp("0003_phone,0003_tags", false);

        assertEquals(List.of("0003_phone", "0003_tags"), db.alembicVersion());
        assertEquals("base", s.fromRevision());
        assertEquals("0003_phone,0003_tags", s.toRevision());
        assertTrue(s.stamped());
        assertEquals(List.of("id", "name"), customerColumns());
        assertTrue(log().contains("command=\"alembic stamp --purge 0003_phone 0003_tags\""), log());
    }

    @Test
    void anUnknownRevisionFailsAndLeavesAlembicVersionAsItWas() throws Exception {
        // With a transaction per migration, `alembic stamp --purge nosuchrev` itself commits the purge before it
        // fails: the runner must not get that far.
        project.transactionPerMigration();
        project.alembicByHand(db.env(), "upgrade", "0001_init");
        db.execute("insert into alembic_version values ('zz_bogus')");

        RunnerException e = assertThrows(RunnerException.class, () -> stamp("nosuchrev", false));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertEquals("cannot stamp nosuchrev: Can't locate revision identified by 'nosuchrev'; nothing was stamped,"
                + " alembic_version still holds 0001_init,zz_bogus", e.getMessage());
        assertEquals(List.of("0001_init", "zz_bogus"), db.alembicVersion());
        StampResult s = e.stampResult().orElseThrow();
        assertEquals("0001_init,zz_bogus", s.fromRevision());
        assertEquals("0001_init,zz_bogus", s.toRevision());
        assertFalse(s.stamped());
        assertFalse(log().contains("msg=stamping"), "alembic stamp never ran: " + log());

        CommandLineRun r = stampCommand("nosuchrev");
        assertEquals(21, r.exit(), r.err());
        assertEquals("MigrationFailed", r.result().reason());
        assertEquals("0001_init,zz_bogus", r.result().stamp().toRevision());
        assertEquals(List.of("0001_init", "zz_bogus"), db.alembicVersion());
    }

    @Test
    void adoptStampsADatabaseWithoutAlembicVersionAndAnUpgradeAppliesOnlyTheLaterRevisions() throws Exception {
        // The schema 0002_email makes, made without Alembic.
        db.execute("create table customers (id integer primary key, name text not null, email text)");

        CommandLineRun r = stampCommand("0002_email", "--adopt");

        assertEquals(0, r.exit(), r.err());
        StampResult s = r.result().stamp();
        assertEquals(new StampResult("0002_email", "base", "0002_email", true, true, s.startedAt(), s.finishedAt()),
                s);
        assertEquals(List.of("0002_email"), db.alembicVersion());
        assertEquals("stamp succeeded: database '" + db.name() + "' stamped 0002_email as its baseline:"
                + " alembic_version went from base to 0002_email; no migration ran\n", r.out());
        assertTrue(r.err().contains("command=\"alembic stamp 0002_email\""), "no --purge with --adopt: " + r.err());

        UpgradeResult u = Upgrade.run(Databases.settings(db), AlembicProject.tools(),
                Requests.upgrade(project.dir(), "head", Duration.ZERO, Duration.ofSeconds(5)), Clock.systemUTC(),
                logStream());
        assertEquals(List.of("0003_phone"), u.appliedRevisions());
        assertEquals(List.of("id", "name", "email", "phone"), customerColumns());
    }

    @Test
    void adoptStampsAnEmptyAlembicVersion() throws Exception {
        db.execute("create table customers (id integer primary key, name text not null)",
                "create table alembic_version (version_num varchar(32) not null primary key)");

        StampResult s = stamp("0001_init", true);

        assertEquals("base", s.fromRevision());
        assertEquals("0001_init", s.toRevision());
        assertTrue(s.stamped());
        assertTrue(s.adopt());
        assertEquals(List.of("0001_init"), db.alembicVersion());
        assertEquals(List.of("id", "name"), customerColumns());
    }

    @Test
    void adoptLeavesADatabaseAtTheBaselineOrPastItAsItIs() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0002_email");

        CommandLineRun at = stampCommand("0002_email", "--adopt");
        assertEquals(0, at.exit(), at.err());
        assertEquals("Succeeded", at.result().reason());
        assertEquals("database '" + db.name() + "' is already versioned at 0002_email, which includes baseline"
                + " 0002_email; nothing was stamped", at.result().message());
        assertEquals(new StampResult("0002_email", "0002_email", "0002_email", true, false,
                at.result().stamp().startedAt(), at.result().stamp().finishedAt()), at.result().stamp());
        assertFalse(at.err().contains("msg=stamping"), "alembic stamp never ran: " + at.err());

        StampResult past = stamp("0001_init", true);
        assertFalse(past.stamped());
        assertEquals("0002_email", past.fromRevision());
        assertEquals("0002_email", past.toRevision());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }

    @Test
    void adoptRefusesADatabaseAtAnOlderOrAnUnrelatedRevision() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0001_init");

        CommandLineRun older = stampCommand("0002_email", "--adopt");

        assertEquals(28, older.exit(), older.err());
        assertEquals("BaselineRefused", older.result().reason());
        assertEquals("alembic_version holds 0001_init, which does not include baseline 0002_email: spec.baseline"
                + " adopts only a database without alembic_version (or with an empty one); nothing was stamped",
                older.result().message());
        assertEquals("0001_init", older.result().stamp().fromRevision());
        assertEquals("0001_init", older.result().stamp().toRevision());
        assertFalse(older.result().stamp().stamped());
        assertTrue(older.err().contains("retryable=false"), older.err());
        assertEquals(List.of("0001_init"), db.alembicVersion());

        db.execute("update alembic_version set version_num = 'legacy_42'");
        RunnerException e = assertThrows(RunnerException.class, () -> stamp("0001_init", true));
        assertEquals(ExitCode.BASELINE_REFUSED, e.exitCode());
        assertTrue(e.getMessage().startsWith("alembic_version holds legacy_42, which does not include baseline"
                + " 0001_init"), e.getMessage());
        assertEquals(List.of("legacy_42"), db.alembicVersion());
        assertEquals(List.of("id", "name"), customerColumns());
    }

    @Test
    void adoptOfAnUnknownRevisionFailsWithAlembicsErrorAndCreatesNothing() throws Exception {
        RunnerException e = assertThrows(RunnerException.class, () -> stamp("0009_future", true));

        assertEquals(ExitCode.MIGRATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("Can't locate revision identified by '0009_future'"), e.getMessage());
        assertFalse(db.tableExists("alembic_version"), "alembic_version was not created");
    }

    @Test
    void aStampWaitsForTheMigrationLock() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0001_init");
        db.execute("insert into alembic_version values ('zz_bogus')");
        try (Connection other = db.connect(); Statement st = other.createStatement()) {
            st.execute("select pg_advisory_lock(" + MigrationLock.KEY + ", hashtext(current_database()))");

            long start = System.nanoTime();
            CommandLineRun r = runner("stamp", "--migrations", project.dir().toString(), "--revision", "0001_init",
                    "--lock-wait", "1s");
            long waitedMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(20, r.exit(), r.err());
            assertEquals("LockNotAcquired", r.result().reason());
            assertTrue(r.result().message().contains("another migration holds the lock of database '" + db.name()
                    + "'"), r.result().message());
            assertTrue(waitedMs >= 1000, "waited " + waitedMs + "ms");
            assertEquals(List.of("0001_init", "zz_bogus"), db.alembicVersion());

            // Released while the stamp waits: it goes through then.
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                    st.execute("select pg_advisory_unlock(" + MigrationLock.KEY + ", hashtext(current_database()))");
                } catch (InterruptedException | SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            start = System.nanoTime();
            release.start();
            StampResult s = stamp("0001_init", false);
            waitedMs = (System.nanoTime() - start) / 1_000_000;
            release.join();
            assertTrue(waitedMs >= 1500, "waited " + waitedMs + "ms");
            assertEquals("0001_init", s.toRevision());
            assertEquals(List.of("0001_init"), db.alembicVersion());
        }
    }
}
