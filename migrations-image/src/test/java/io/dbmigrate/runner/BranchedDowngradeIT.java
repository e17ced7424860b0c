package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/crm's branches: expand (yza890bcd123, cde012fgh345) and contract (ijk678lmn901, which depends on
 * cde012fgh345). From ijk678lmn901, Alembic 1.8.1 refuses {@code alembic downgrade cde012fgh345} ("not a valid
 * downgrade target from current head(s)"); {@code ijk678lmn901@-1} does it, but writes vwx234yz567 beside
 * cde012fgh345 in alembic_version (sqlalchemy/alembic#1373) unless env.py deletes it, as examples/crm's does.
 */
class BranchedDowngradeIT {

    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String CONTRACT = "ijk678lmn901";

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("branched_down");
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** examples/crm, copied; without its alembic#1373 repair when {@code repairHook} is false, as most env.py are. */
    private Path crmProject(boolean repairHook) throws IOException {
        Path copy = Examples.copy("crm", tmp.resolve("crm"));
        if (!repairHook) {
            Path env = copy.resolve("env.py");
            String text = Files.readString(env);
            String call = "            drop_ancestor_version_rows(connection)\n";
            assertTrue(text.contains(call), "examples/crm/env.py calls its repair hook");
            Files.writeString(env, text.replace(call, ""));
        }
        return copy;
    }

    private UpgradeResult upgrade(Path project, String target, List<VerifyQuery> verify, OnFailure onFailure,
                                  boolean allowDowngrade) throws RunnerException {
        return Upgrade.run(Databases.settings(db), AlembicProject.tools(), Requests.upgrade(project, target,
                LockSafety.DEFAULT, verify, onFailure, allowDowngrade), Clock.systemUTC(),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "env.py repairs alembic#1373 itself: {0}")
    @ValueSource(booleans = {false, true})
    void aFailedVerificationOfTheContractStepGoesBackToTheExpandHead(boolean repairHook) throws Exception {
        Path project = crmProject(repairHook);
        upgrade(project, EXPAND_HEAD, List.of(), OnFailure.HALT, false);

        RunnerException e = assertThrows(RunnerException.class, () -> upgrade(project, "contract@head",
                List.of(new VerifyQuery("never", "select false")), OnFailure.DOWNGRADE, false));

        assertEquals(ExitCode.VERIFICATION_FAILED, e.exitCode());
        assertEquals("verification never returned false; downgraded to " + EXPAND_HEAD, e.getMessage());
        UpgradeResult r = e.upgradeResult().orElseThrow();
        assertEquals(List.of(CONTRACT), r.appliedRevisions());
        assertEquals(EXPAND_HEAD, r.rolledBackTo());
        assertEquals(EXPAND_HEAD, r.toRevision());
        assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), "exactly the revision the run started from");
        assertTrue(db.columnExists("tickets", "status"), "the contract step was undone");
        // And the database can go on: Alembic 1.8.1 fails every upgrade while the ancestor row is there.
        assertEquals(CONTRACT, upgrade(project, "contract@head", List.of(), OnFailure.HALT, false).toRevision());
    }

    @ParameterizedTest(name = "env.py repairs alembic#1373 itself: {0}")
    @ValueSource(booleans = {false, true})
    void anExplicitDowngradeFromTheContractStepToTheExpandHead(boolean repairHook) throws Exception {
        Path project = crmProject(repairHook);
        upgrade(project, "contract@head", List.of(), OnFailure.HALT, false);
        assertEquals(List.of(CONTRACT), db.alembicVersion());

        RunnerException refused = assertThrows(RunnerException.class,
                () -> upgrade(project, EXPAND_HEAD, List.of(), OnFailure.HALT, false));
        assertEquals(ExitCode.DOWNGRADE_NOT_ALLOWED, refused.exitCode());

        UpgradeResult r = upgrade(project, EXPAND_HEAD, List.of(), OnFailure.HALT, true);

        assertEquals("downgrade", r.direction());
        assertEquals(List.of(CONTRACT), r.appliedRevisions());
        assertEquals(CONTRACT, r.fromRevision());
        assertEquals(EXPAND_HEAD, r.toRevision());
        assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
        assertTrue(db.columnExists("tickets", "status"));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("Running downgrade " + CONTRACT + " -> "),
                log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTargetNamedByItsBranchHeadIsNotADowngrade() throws Exception {
        Path project = crmProject(true);
        upgrade(project, "contract@head", List.of(), OnFailure.HALT, false);

        UpgradeResult r = upgrade(project, "expand@head", List.of(), OnFailure.HALT, false);

        assertEquals(0, r.lockAttempts());
        assertEquals(List.of(CONTRACT), db.alembicVersion());
    }

    @Test
    void thePlanOfThatDowngradeHasAlembicsSql() throws Exception {
        Path project = crmProject(false);
        upgrade(project, "contract@head", List.of(), OnFailure.HALT, false);
        ByteArrayOutputStream sqlOut = new ByteArrayOutputStream();

        PlanResult plan = Plan.run(Databases.settings(db), AlembicProject.tools(), new PlanRequest(project, EXPAND_HEAD, true),
                new PrintStream(log, true, StandardCharsets.UTF_8), new PrintStream(sqlOut, true, StandardCharsets.UTF_8));

        assertEquals("downgrade", plan.direction());
        assertEquals(List.of(CONTRACT), plan.pendingRevisions());
        assertEquals(null, plan.sqlUnavailable());
        String sql = CompressedSql.decode(plan.sqlGzipBase64());
        assertEquals(sql, sqlOut.toString(StandardCharsets.UTF_8).stripTrailing() + "\n");
        assertTrue(sql.contains("UPDATE alembic_version SET version_num='" + EXPAND_HEAD + "' WHERE"
                + " alembic_version.version_num = '" + CONTRACT + "'"), sql);
        assertTrue(sql.contains("ALTER TABLE tickets ADD COLUMN status"), sql);
        assertTrue(sql.contains("-- dbmigrate-runner: Alembic < 1.13.1 leaves alembic_version row(s) vwx234yz567"
                + " beside " + EXPAND_HEAD), sql);
        assertEquals(List.of(CONTRACT), db.alembicVersion(), "a plan writes nothing");
    }

    @Test
    void theGraphNamesTheArgumentAlembicAccepts() throws Exception {
        Path project = crmProject(true);

        RevisionGraph.Classification down = RevisionGraph.classify(AlembicProject.tools(), project, EXPAND_HEAD,
                List.of(CONTRACT), null);
        assertEquals(Direction.DOWNGRADE, down.direction());
        assertEquals(CONTRACT + "@-1", down.argument());
        assertEquals(List.of(EXPAND_HEAD), down.expected());
        assertEquals(List.of("vwx234yz567"), down.extraRows());

        RevisionGraph.Classification back = RevisionGraph.restore(AlembicProject.tools(), project,
                List.of("vwx234yz567"), List.of(CONTRACT), null);
        assertEquals(List.of(CONTRACT, EXPAND_HEAD, "yza890bcd123"), back.revisions());
        assertEquals("vwx234yz567", back.argument(), "Alembic accepts the revision itself here");
        assertFalse(back.expected().isEmpty());
    }
}
