package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.testing.TestDatabase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code upgrade --expect-from}: a gated step's Job runs only from the revision its approved plan started from. The
 * plan is made by the real plan command, the database is moved behind its back with Alembic itself, and the upgrade is
 * run through the command line as the Job runs it.
 */
class ExpectFromIT {

    @TempDir
    Path tmp;

    private TestDatabase db;
    private AlembicProject project;

    private record Run(int exit, String out, String err, RunnerResult result) {
    }

    @BeforeEach
    void createDatabase() throws SQLException, IOException {
        db = TestDatabase.create("expectfrom");
        project = AlembicProject.create(tmp.resolve("m"), true)
                .withPhone();
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        db.close();
    }

    private Run runner(String... args) throws IOException {
        Path resultFile = tmp.resolve("result-" + System.nanoTime() + ".json");
        Map<String, String> env = new HashMap<>(db.env());
        env.put("DBMIGRATE_ALEMBIC", AlembicProject.ALEMBIC);
        env.put("DBMIGRATE_RESULT_PATH", resultFile.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RunnerMain.execute(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                RunnerJson.read(Files.readString(resultFile)));
    }

    private PlanResult plan(String target) throws IOException {
        Run r = runner("plan", "--migrations", project.dir().toString(), "--target", target);
        assertEquals(0, r.exit, r.err);
        return r.result.plan();
    }

    private Run upgradeExpecting(String target, String expectFrom) throws IOException {
        return runner("upgrade", "--migrations", project.dir().toString(), "--target", target,
                "--lock-wait", "5s", "--expect-from", expectFrom);
    }

    /** Someone running alembic by hand: no lock, no dbmigrate. */
    private void alembicByHand(String command, String revision) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AlembicProject.ALEMBIC, "-c", "alembic.ini", command, revision)
                .directory(project.dir().toFile()).redirectErrorStream(true);
        pb.environment().putAll(db.env());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
    }

    private List<String> versionRows() throws SQLException {
        try (Connection c = db.connect()) {
            return AlembicVersion.current(c);
        }
    }

    private boolean columnExists(String column) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from information_schema.columns"
                     + " where table_name = 'customers' and column_name = '" + column + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    void aDatabaseMovedSinceThePlanIsRefusedAndLeftAsItIs() throws Exception {
        alembicByHand("upgrade", "0001_init");
        PlanResult approved = plan("head");
        assertEquals("0001_init", approved.fromRevision());
        assertEquals(List.of("0002_email", "0003_phone"), approved.pendingRevisions());

        alembicByHand("upgrade", "0002_email");
        Run r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(25, r.exit, r.err);
        assertEquals(ExitCode.PLAN_OUTDATED.code(), r.result.exitCode());
        assertEquals("PlanOutdated", r.result.reason());
        assertFalse(ExitCode.PLAN_OUTDATED.retryable());
        String message = r.result.message();
        assertTrue(message.contains("the database is at 0002_email, not at 0001_init where the approved plan"
                + " started"), message);
        assertTrue(message.contains("nothing was run"), message);
        assertTrue(message.contains("plan again"), message);
        assertTrue(r.out.contains("upgrade failed: PlanOutdated (exit 25)"), r.out);
        UpgradeResult u = r.result.upgrade();
        assertEquals("0001_init", u.expectedFrom());
        assertEquals("0002_email", u.fromRevision());
        assertEquals("0002_email", u.toRevision());
        assertEquals(List.of(), u.appliedRevisions());
        assertEquals(0, u.lockAttempts());
        assertNull(u.failedRevision());
        // Nothing ran: not the revision nobody reviewed, not even the route check's Alembic.
        assertEquals(List.of("0002_email"), versionRows());
        assertFalse(columnExists("phone"));
        assertFalse(r.err.contains("alembic: "), r.err);
    }

    @Test
    void aDatabaseMovedDownIsRefusedToo() throws Exception {
        alembicByHand("upgrade", "0002_email");
        PlanResult approved = plan("head");
        alembicByHand("downgrade", "base");

        Run r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(25, r.exit, r.err);
        assertTrue(r.result.message().contains("the database is at base, not at 0002_email"), r.result.message());
        assertEquals(List.of(), versionRows());
    }

    @Test
    void atThePlansRevisionTheUpgradeRuns() throws Exception {
        alembicByHand("upgrade", "0001_init");
        PlanResult approved = plan("head");

        Run r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(0, r.exit, r.err);
        UpgradeResult u = r.result.upgrade();
        assertEquals("0001_init", u.fromRevision());
        assertEquals("0003_phone", u.toRevision());
        assertEquals(approved.pendingRevisions(), u.appliedRevisions());
        assertEquals("0001_init", u.expectedFrom());
        assertEquals(List.of("0003_phone"), versionRows());
        assertTrue(columnExists("phone"));
    }

    @Test
    void fromBaseTheExpectedRevisionIsBase() throws Exception {
        PlanResult approved = plan("0002_email");
        assertEquals("base", approved.fromRevision());

        Run r = upgradeExpecting("0002_email", approved.fromRevision());

        assertEquals(0, r.exit, r.err);
        assertEquals(List.of("0001_init", "0002_email"), r.result.upgrade().appliedRevisions());
        // The plan's revision is base no more: the same command now refuses.
        Run again = upgradeExpecting("0002_email", approved.fromRevision());
        assertEquals(25, again.exit, again.err);
        assertEquals(List.of("0002_email"), versionRows());
    }

    @Test
    void severalHeadsMustAllMatchInAnyOrder() throws Exception {
        project.revision("0003_left", "0002_email", "left", "op.execute('select 1')", "pass")
                .revision("0003_right", "0002_email", "right", "op.execute('select 2')", "pass");
        Files.delete(project.dir().resolve("versions").resolve("0003_phone.py"));
        project.revision("0004_merge", null, "merge", "pass");
        Files.writeString(project.dir().resolve("versions").resolve("0004_merge.py"),
                Files.readString(project.dir().resolve("versions").resolve("0004_merge.py"))
                        .replace("down_revision = None", "down_revision = ('0003_left', '0003_right')"));
        alembicByHand("upgrade", "0003_left");
        alembicByHand("upgrade", "0003_right");
        assertEquals(List.of("0003_left", "0003_right"), versionRows());
        PlanResult approved = plan("head");
        assertEquals("0003_left,0003_right", approved.fromRevision());

        Run missingOne = upgradeExpecting("head", "0003_left");
        assertEquals(25, missingOne.exit, missingOne.err);
        assertEquals(List.of("0003_left", "0003_right"), versionRows());

        Run r = upgradeExpecting("head", "0003_right,0003_left");
        assertEquals(0, r.exit, r.err);
        assertEquals(List.of("0004_merge"), versionRows());
    }

    @Test
    void theRequestInProcessChecksToo() throws Exception {
        alembicByHand("upgrade", "0002_email");
        UpgradeRequest request = Requests.upgrade(project.dir(), "head",
                new LockSafety(Duration.ZERO, 0, Duration.ZERO, Duration.ofSeconds(5)), List.of(), OnFailure.DOWNGRADE,
                false).expectingFrom("0001_init");
        RunnerException e = assertThrows(RunnerException.class, () -> Upgrade.run(Databases.settings(db),
                AlembicProject.tools(), request, Clock.systemUTC(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertEquals(ExitCode.PLAN_OUTDATED, e.exitCode());
        assertEquals("0002_email", e.upgradeResult().orElseThrow().toRevision());
        assertNull(e.upgradeResult().orElseThrow().rolledBackTo());
        assertEquals(List.of("0002_email"), versionRows());
    }
}
