package io.dbmigrate.plan;

import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepRehearsalSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.testing.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runner's command line for a step, from the spec: what a Job's container and local mode run. */
class StepCommandTest {
    private static final StepSpec CONTRACT = new StepSpec("contract", "head", null,
            List.of(new VerifyQuerySpec("no-legacy", "select count(*) = 0 from information_schema.columns "
                    + "where column_name = 'legacy_score'")), null);

    private static StepCommand command(Resources.Migration migration, int step) {
        DatabaseMigrationSpec spec = migration.spec();
        return StepCommand.of(spec, spec.stepsOrSingle().get(step));
    }

    @Test
    void defaultsAreSpelledOut() {
        assertEquals(List.of("upgrade", "--migrations", "/migrations", "--target", "head",
                        "--lock-timeout", "1s", "--lock-retries", "10", "--statement-timeout", "0s", "--on-failure", "halt",
                        "--expect-backup"),
                command(migration(), 0).upgradeArguments("/migrations"));
    }

    @Test
    void theUpgradeExpectsTheRevisionOfTheBackupBeforeItOnlyWhenThereIsOne() {
        assertTrue(command(migration(), 0).upgradeArguments("/m").contains("--expect-backup"));
        assertFalse(command(migration().backupDisabled("scratch database"), 0).upgradeArguments("/m")
                .contains("--expect-backup"));
        // The rehearsal runs on a copy restored from that backup: nothing to expect there.
        assertFalse(command(migration(), 0).rehearseArguments("/m", "/backups", "crm", "g1",
                new RehearsalSpec(RehearsalSpec.RehearsalMode.Required, false, null))
                .contains("--expect-backup"));
    }

    @Test
    void theLockBudgetIsPassedToTheRehearsalInTheModesOrderAndAStepsOwnReplacesTheSpecs() {
        Resources.Migration migration = migration().rehearsal(new RehearsalSpec(RehearsalSpec.RehearsalMode.Required,
                false, null, Map.of("Share", "30s", "AccessExclusive", "1.5s")));
        DatabaseMigrationSpec spec = migration.spec();
        StepSpec step = spec.stepsOrSingle().get(0);

        List<String> args = command(migration, 0).rehearseArguments("/m", "/backups", "crm", "g1",
                spec.rehearsalOf(step));

        int first = args.indexOf("--max-lock-hold");
        assertEquals(List.of("--max-lock-hold", "Share=30s", "--max-lock-hold", "AccessExclusive=1.5s"),
                args.subList(first, first + 4));
        assertFalse(args.contains("--lock-sample-interval"), "the runner's default interval");
        StepSpec own = new StepSpec("expand", "head", null, null, new StepRehearsalSpec(null, null,
                Map.of("AccessExclusive", "200ms")));
        assertEquals(Map.of(LockMode.AccessExclusive, Duration.ofMillis(200)), command(migration, 0)
                .rehearsalRequest(Path.of("/m"), Path.of("/backups/crm.dump"), "crm", spec.rehearsalOf(own))
                .maxLockHold());
        StepSpec none = new StepSpec("expand", "head", null, null, new StepRehearsalSpec(null, null, Map.of()));
        assertFalse(command(migration, 0).rehearseArguments("/m", "/backups", "crm", "g1", spec.rehearsalOf(none))
                .contains("--max-lock-hold"));
    }

    @Test
    void safetyFromTheSpec() {
        List<String> args = command(migration().safety(new SafetySpec("200ms", 3, "1m30s")), 0).upgradeArguments("/m");

        assertEquals("200ms", args.get(args.indexOf("--lock-timeout") + 1));
        assertEquals("3", args.get(args.indexOf("--lock-retries") + 1));
        assertEquals("1m30s", args.get(args.indexOf("--statement-timeout") + 1));
    }

    @Test
    void zeroLockTimeoutAndZeroRetriesArePassedOn() {
        List<String> args = command(migration().safety(new SafetySpec("0", 0, null)), 0).upgradeArguments("/m");

        assertEquals("0s", args.get(args.indexOf("--lock-timeout") + 1));
        assertEquals("0", args.get(args.indexOf("--lock-retries") + 1));
    }

    @Test
    void onFailureDowngradeIsLowerCase() {
        List<String> args = command(migration().onFailure(OnFailure.DOWNGRADE), 0).upgradeArguments("/m");

        assertEquals("downgrade", args.get(args.indexOf("--on-failure") + 1));
    }

    @Test
    void verifyQueriesAreOneArgumentEachSpecFirstThenTheSteps() {
        String sql = "select count(*) = 0 from customers where computed_score is null and note <> 'it''s; $(id)'";
        StepCommand command = command(migration().verify(new VerifyQuerySpec("no-nulls", sql))
                .steps(step("expand", "expand@head"), CONTRACT), 1);

        List<String> args = command.upgradeArguments("/m");

        int first = args.indexOf("--verify");
        assertEquals("no-nulls=" + sql, args.get(first + 1), "the SQL as one argument, untouched: no shell to quote for");
        assertEquals("--verify", args.get(first + 2));
        assertEquals("no-legacy=" + CONTRACT.verify().get(0).sql(), args.get(first + 3));
        assertEquals(2, args.stream().filter("--verify"::equals).count());
        assertEquals("head", args.get(args.indexOf("--target") + 1), "the step's own target");
    }

    @Test
    void anotherStepsVerifyQueriesAreNotRun() {
        List<String> expand = command(migration().steps(step("expand", "expand@head"), CONTRACT), 0).upgradeArguments("/m");

        assertFalse(expand.contains("--verify"), expand.toString());
    }

    @Test
    void allowDowngradeIsAFlagOnlyWhenAllowed() {
        assertFalse(command(migration(), 0).upgradeArguments("/m").contains("--allow-downgrade"));
        assertFalse(command(migration().allowDowngrade(false), 0).upgradeArguments("/m").contains("--allow-downgrade"));
        List<String> args = command(migration().allowDowngrade(true), 0).upgradeArguments("/m");
        assertEquals("--allow-downgrade", args.get(args.size() - 1));
    }

    @Test
    void planArgumentsNameTheTargetAndNothingThatChangesTheDatabase() {
        StepCommand command = command(migration().verify(new VerifyQuerySpec("no-nulls", "select true"))
                .safety(new SafetySpec("200ms", 3, "5s")).onFailure(OnFailure.DOWNGRADE)
                .steps(step("expand", "expand@head"), CONTRACT), 1);

        assertEquals(List.of("plan", "--migrations", "/app/alembic", "--target", "head", "--lint"),
                command.planArguments("/app/alembic"));
    }

    @Test
    void planArgumentsAllowADowngradeWhenTheSpecDoes() {
        assertEquals(List.of("plan", "--migrations", "/m", "--target", "ae10", "--allow-downgrade", "--lint"),
                command(migration().targetRevision("ae10").allowDowngrade(true), 0).planArguments("/m"));
    }

    @Test
    void aPlanIsLintedUnlessLintIsOffAndIgnoresWhatTheSpecIgnores() {
        assertEquals(List.of("plan", "--migrations", "/m", "--target", "head"), command(migration()
                .safety(new SafetySpec(null, null, null, new LintSpec(LintSpec.LintMode.Off, List.of("ban-drop-column")))),
                0).planArguments("/m"));
        assertEquals(List.of("plan", "--migrations", "/m", "--target", "head", "--lint", "--lint-ignore",
                "ban-drop-column,adding-field-with-default"), command(migration().safety(new SafetySpec(null, null, null,
                new LintSpec(LintSpec.LintMode.Block, List.of("ban-drop-column", "adding-field-with-default")))), 0)
                .planArguments("/m"));

        PlanRequest local = command(migration().safety(new SafetySpec(null, null, null,
                new LintSpec(null, List.of("ban-drop-column")))), 0).planRequest(Path.of("/m"));
        assertTrue(local.lint(), "Warn by default");
        assertEquals(List.of("ban-drop-column"), local.lintIgnore());
    }

    @Test
    void localModeGetsTheSameRequest() {
        StepCommand command = command(migration().safety(new SafetySpec("250ms", 4, "30s")).onFailure(OnFailure.DOWNGRADE)
                .allowDowngrade(true).verify(new VerifyQuerySpec("no-nulls", "select true")), 0);

        UpgradeRequest request = command.request(Path.of("/m"));

        assertEquals("head", request.target());
        assertEquals(new LockSafety(Duration.ofMillis(250), 4, Duration.ofSeconds(30), LockSafety.DEFAULT_LOCK_WAIT),
                request.safety());
        assertEquals(List.of(new VerifyQuery("no-nulls", "select true")), request.verify());
        assertEquals(OnFailure.DOWNGRADE, request.onFailure());
        assertTrue(request.allowDowngrade());
    }

    // A gated step runs from where its approved plan started, and only from there.

    private static final StepSpec CONTRACT_APPROVAL = Resources.approvalStep("contract", "head", null);

    private static PlanStatus recordedPlan(String fromRevision) {
        return new PlanStatus("crm-plan-contract", "3f9c0a1b2c4d", "crm.contract.plan", fromRevision, "upgrade",
                List.of("f7a8"), 48L, true, null);
    }

    private static StepEntry entry(StepSpec step, PlanStatus plan) {
        return new StepEntry(1, step, "crm-g3-contract", "crm-plan-contract", "crm.contract.plan", "fp",
                plan == null ? null : Resources.stepStatus(step.name(), step.targetRevision(), Phase.Pending, 3L, null, "fp",
                        plan), null, null, List.of(), null);
    }

    @Test
    void aGatedStepWithARecordedPlanExpectsThePlansRevision() {
        DatabaseMigrationSpec spec = migration().steps(step("expand", "expand@head"), CONTRACT_APPROVAL).spec();

        StepCommand command = StepCommand.of(spec, entry(CONTRACT_APPROVAL, recordedPlan("e5f6")));

        List<String> args = command.upgradeArguments("/m");
        assertEquals(List.of("--expect-from", "e5f6"), args.subList(args.size() - 2, args.size()));
        assertEquals("e5f6", command.request(Path.of("/m")).expectFrom(), "local mode checks it too");
        assertFalse(command.planArguments("/m").contains("--expect-from"), "a plan is made from wherever it is");
    }

    @Test
    void severalHeadsAndBaseArePassedAsThePlanShowsThem() {
        DatabaseMigrationSpec spec = migration().steps(CONTRACT_APPROVAL).spec();

        for (String from : List.of("base", "a1b2,c3d4")) {
            List<String> args = StepCommand.of(spec, entry(CONTRACT_APPROVAL, recordedPlan(from))).upgradeArguments("/m");
            assertEquals(from, args.get(args.indexOf("--expect-from") + 1));
        }
    }

    @Test
    void anUngatedStepExpectsNothing() {
        DatabaseMigrationSpec spec = migration().steps(step("expand", "expand@head"), CONTRACT).spec();

        // Even with a plan left in its status (the step was gated in an earlier spec).
        StepCommand command = StepCommand.of(spec, entry(CONTRACT, recordedPlan("e5f6")));

        assertFalse(command.upgradeArguments("/m").contains("--expect-from"));
        assertNull(command.request(Path.of("/m")).expectFrom());
        assertNull(StepCommand.of(spec, entry(CONTRACT, null)).expectFrom());
    }

    @Test
    void aGatedStepWithoutARecordedPlanExpectsNothing() {
        // The planner never builds its Job then (plan, publish, approve first); nothing to expect from.
        DatabaseMigrationSpec spec = migration().steps(CONTRACT_APPROVAL).spec();

        assertNull(StepCommand.of(spec, entry(CONTRACT_APPROVAL, null)).expectFrom());
        assertNull(StepCommand.of(spec, CONTRACT_APPROVAL).expectFrom());
    }
}
