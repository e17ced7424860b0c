package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code upgrade --expect-from}: a gated step's Job runs only from the revision its approved plan started from. The
 * plan is made by the real plan command, the database is moved behind its back with Alembic itself, and the upgrade is
 * run through the command line as the Job runs it.
 */
class ExpectFromIT extends ProjectFixture {

    ExpectFromIT() {
        super("expectfrom", AlembicProject::withPhone);
    }

    private CommandLineRun runner(String... args) throws IOException {
        return CommandLineRun.run(tmp, db.env(), args);
    }

    private PlanResult plan(String target) throws IOException {
        CommandLineRun r = runner("plan", "--migrations", project.dir().toString(), "--target", target);
        assertEquals(0, r.exit(), r.err());
        return r.result().plan();
    }

    private CommandLineRun upgradeExpecting(String target, String expectFrom) throws IOException {
        return runner("upgrade", "--migrations", project.dir().toString(), "--target", target,
                "--lock-wait", "5s", "--expect-from", expectFrom);
    }

    @Test
    void aDatabaseMovedSinceThePlanIsRefusedAndLeftAsItIs() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0001_init");
        PlanResult approved = plan("head");
        assertEquals("0001_init", approved.fromRevision());
        assertEquals(List.of("0002_email", "0003_phone"), approved.pendingRevisions());

        project.alembicByHand(db.env(), "upgrade", "0002_email");
        CommandLineRun r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(25, r.exit(), r.err());
        assertEquals(ExitCode.PLAN_OUTDATED.code(), r.result().exitCode());
        assertEquals("PlanOutdated", r.result().reason());
        assertFalse(ExitCode.PLAN_OUTDATED.retryable());
        String message = r.result().message();
        assertTrue(message.contains("the database is at 0002_email, not at 0001_init where the approved plan"
                + " started"), message);
        assertTrue(message.contains("nothing was run"), message);
        assertTrue(message.contains("plan again"), message);
        assertTrue(r.out().contains("upgrade failed: PlanOutdated (exit 25)"), r.out());
        UpgradeResult u = r.result().upgrade();
        assertEquals("0001_init", u.expectedFrom());
        assertEquals("0002_email", u.fromRevision());
        assertEquals("0002_email", u.toRevision());
        assertEquals(List.of(), u.appliedRevisions());
        assertEquals(0, u.lockAttempts());
        assertNull(u.failedRevision());
        // Nothing ran: not the revision nobody reviewed, not even the route check's Alembic.
        assertEquals(List.of("0002_email"), db.alembicVersion());
        assertFalse(db.columnExists("customers", "phone"));
        assertFalse(r.err().contains("alembic: "), r.err());
    }

    @Test
    void aDatabaseMovedDownIsRefusedToo() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0002_email");
        PlanResult approved = plan("head");
        project.alembicByHand(db.env(), "downgrade", "base");

        CommandLineRun r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(25, r.exit(), r.err());
        assertTrue(r.result().message().contains("the database is at base, not at 0002_email"), r.result().message());
        assertEquals(List.of(), db.alembicVersion());
    }

    @Test
    void atThePlansRevisionTheUpgradeRuns() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0001_init");
        PlanResult approved = plan("head");

        CommandLineRun r = upgradeExpecting("head", approved.fromRevision());

        assertEquals(0, r.exit(), r.err());
        UpgradeResult u = r.result().upgrade();
        assertEquals("0001_init", u.fromRevision());
        assertEquals("0003_phone", u.toRevision());
        assertEquals(approved.pendingRevisions(), u.appliedRevisions());
        assertEquals("0001_init", u.expectedFrom());
        assertEquals(List.of("0003_phone"), db.alembicVersion());
        assertTrue(db.columnExists("customers", "phone"));
    }

    @Test
    void fromBaseTheExpectedRevisionIsBase() throws Exception {
        PlanResult approved = plan("0002_email");
        assertEquals("base", approved.fromRevision());

        CommandLineRun r = upgradeExpecting("0002_email", approved.fromRevision());

        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0001_init", "0002_email"), r.result().upgrade().appliedRevisions());
        // The plan's revision is base no more: the same command now refuses.
        CommandLineRun again = upgradeExpecting("0002_email", approved.fromRevision());
        assertEquals(25, again.exit(), again.err());
        assertEquals(List.of("0002_email"), db.alembicVersion());
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
        project.alembicByHand(db.env(), "upgrade", "0003_left");
        project.alembicByHand(db.env(), "upgrade", "0003_right");
        assertEquals(List.of("0003_left", "0003_right"), db.alembicVersion());
        PlanResult approved = plan("head");
        assertEquals("0003_left,0003_right", approved.fromRevision());

        CommandLineRun missingOne = upgradeExpecting("head", "0003_left");
        assertEquals(25, missingOne.exit(), missingOne.err());
        assertEquals(List.of("0003_left", "0003_right"), db.alembicVersion());

        CommandLineRun r = upgradeExpecting("head", "0003_right,0003_left");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("0004_merge"), db.alembicVersion());
    }

    @Test
    void theRequestInProcessChecksToo() throws Exception {
        project.alembicByHand(db.env(), "upgrade", "0002_email");
        UpgradeRequest request = Requests.upgrade(project.dir(), "head",
                new LockSafety(Duration.ZERO, 0, Duration.ZERO, Duration.ofSeconds(5)), List.of(), OnFailure.DOWNGRADE,
                false).expectingFrom("0001_init");
        RunnerException e = assertThrows(RunnerException.class, () -> Upgrade.run(Databases.settings(db),
                AlembicProject.tools(), request, Clock.systemUTC(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertEquals(ExitCode.PLAN_OUTDATED, e.exitCode());
        assertEquals("0002_email", e.upgradeResult().orElseThrow().toRevision());
        assertNull(e.upgradeResult().orElseThrow().rolledBackTo());
        assertEquals(List.of("0002_email"), db.alembicVersion());
    }
}
