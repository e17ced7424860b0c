package io.dbmigrate.validate;

import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.step;
import static io.dbmigrate.testing.Resources.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupCompressionSpec;
import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupVolume;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.DeploymentRolloutGate;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepRehearsalSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.testing.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

    private static List<String> problems(Resources.Migration migration) {
        return SpecValidator.problems(migration.spec());
    }

    /** Exactly one problem, about this field. */
    private static String onlyProblem(Resources.Migration migration, String field) {
        List<String> problems = problems(migration);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(field), "names " + field + ": " + problems.get(0));
        return problems.get(0);
    }

    @Test
    void theExampleSpecIsValid() {
        assertEquals(List.of(), problems(migration()));
    }

    @Test
    void noSpec() {
        assertEquals(List.of("spec is required"), problems(migration().withoutSpec()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"head", "heads", "base", "ae1027a6acf", "expand@head", "+2", "ae10+2", "expand@+1", "0001_init"})
    void revisionSpecsAlembicUnderstandsAreAdmitted(String revision) {
        assertEquals(List.of(), problems(migration().targetRevision(revision)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"head; rm -rf /", "$(id)", "-1", "a b", "../x", "`id`", "head\n", "head'", "x@y@z", "--help"})
    void anythingElseIsRefused(String revision) {
        onlyProblem(migration().targetRevision(revision), "spec.targetRevision");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void targetRevisionIsRequired(String revision) {
        assertEquals("spec.targetRevision is required (or spec.steps)",
                onlyProblem(migration().targetRevision(revision), "spec.targetRevision"));
    }

    @Test
    void targetRevisionIsAtMost64Characters() {
        String longest = "a".repeat(64);
        // 65 characters the pattern alone would admit (60 + "+1234"): only the length check refuses it.
        String tooLong = "a".repeat(60) + "+1234";

        assertEquals(List.of(), problems(migration().targetRevision(longest)));
        onlyProblem(migration().targetRevision("a".repeat(65)), "spec.targetRevision");
        onlyProblem(migration().targetRevision(tooLong), "spec.targetRevision");
    }

    @Test
    void refusedValuesAreEchoedWithoutControlCharactersOrUnboundedLength() {
        String problem = onlyProblem(migration().targetRevision("head\u001b[31m" + "x".repeat(500)), "spec.targetRevision");

        assertTrue(!problem.contains("\u001b"), problem);
        assertTrue(problem.length() < 250, problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"database", "migrations"})
    void sectionsAreRequired(String section) {
        Resources.Migration without = section.equals("database") ? migration().withoutDatabase()
                : migration().withoutMigrations();
        assertEquals(List.of("spec." + section + " is required"), problems(without));
    }

    @Test
    void hostIsRequiredAndAHostName() {
        onlyProblem(migration().host(null), "spec.database.host is required");
        onlyProblem(migration().host("db.example.com;id"), "spec.database.host");
        onlyProblem(migration().host("-db"), "spec.database.host");
        assertEquals(List.of(), problems(migration().host("10.0.0.7")));
        assertEquals(List.of(), problems(migration().host("fd00::7")));
    }

    @Test
    void portIsBetween1And65535() {
        onlyProblem(migration().port(0), "spec.database.port");
        onlyProblem(migration().port(65536), "spec.database.port");
        assertEquals(List.of(), problems(migration().port(null)));
        assertEquals(List.of(), problems(migration().port(65535)));
    }

    @Test
    void databaseNameIsRequiredAndPlain() {
        onlyProblem(migration().databaseName(""), "spec.database.name is required");
        onlyProblem(migration().databaseName("crm prod"), "spec.database.name");
        onlyProblem(migration().databaseName("x".repeat(64)), "spec.database.name");
        assertEquals(List.of(), problems(migration().databaseName("crm_prod-2")));
    }

    @Test
    void schemaIsAPlainIdentifierAndNoSystemSchema() {
        assertEquals(List.of(), problems(migration().schema("tenant_a")));
        assertEquals(List.of(), problems(migration().schema(null)));
        for (String bad : List.of("Tenant", "tenant-a", "1tenant", "t;drop", "x".repeat(64), "")) {
            onlyProblem(migration().schema(bad), "spec.database.schema: '");
        }
        for (String system : List.of("pg_catalog", "pg_toast", "information_schema")) {
            String problem = onlyProblem(migration().schema(system), "spec.database.schema: '" + system + "'");
            assertTrue(problem.contains("system schema"), problem);
        }
    }

    @Test
    void theRehearsalServerTakesNoSchemaOfItsOwn() {
        onlyProblem(migration().schema("tenant_a").rehearsal(new RehearsalSpec(RehearsalSpec.RehearsalMode.Required,
                false, new DatabaseSpec("scratch-db.svc", 5432, "postgres", null, new CredentialsSecretRef("scratch",
                        null, null), "tenant_b"))), "spec.rehearsal.database.schema: the copy is migrated in");
    }

    private static RehearsalSpec budget(Map<String, String> maxLockHold) {
        return new RehearsalSpec(RehearsalSpec.RehearsalMode.Required, false, null, maxLockHold);
    }

    @Test
    void aLockBudgetNamesLockModesWithPositiveDurations() {
        assertEquals(List.of(), problems(migration().rehearsal(budget(Map.of("AccessExclusive", "2s",
                "ShareUpdateExclusive", "1m30s")))));
        String mode = onlyProblem(migration().rehearsal(budget(Map.of("accessExclusive", "2s"))),
                "spec.rehearsal.maxLockHold: \"accessExclusive\" is not a lock mode (one of AccessShare, RowShare,");
        assertTrue(mode.contains("AccessExclusive)"), mode);
        onlyProblem(migration().rehearsal(budget(Map.of("AccessExclusive", "2 seconds"))),
                "spec.rehearsal.maxLockHold.AccessExclusive: spec.rehearsal.maxLockHold.AccessExclusive '2 seconds' is"
                        + " not a duration");
        onlyProblem(migration().rehearsal(budget(Map.of("Share", "0"))),
                "spec.rehearsal.maxLockHold.Share: must be longer than 0");
    }

    @Test
    void aLockBudgetWhereNothingRehearsesIsAProblem() {
        onlyProblem(migration().rehearsal(new RehearsalSpec(RehearsalSpec.RehearsalMode.Disabled, false, null,
                Map.of("AccessExclusive", "2s"))), "spec.rehearsal.maxLockHold: a lock budget is checked in a rehearsal");
        // A step's own budget, on a step that rehearses only by its own mode, is fine; on one that does not, it is not.
        StepSpec rehearsed = new StepSpec("expand", "head", null, null,
                new StepRehearsalSpec(RehearsalSpec.RehearsalMode.Required, null, Map.of("AccessExclusive", "500ms")));
        assertEquals(List.of(), problems(migration().steps(rehearsed)));
        StepSpec not = new StepSpec("contract", "head", null, null,
                new StepRehearsalSpec(null, null, Map.of("AccessExclusive", "500ms")));
        onlyProblem(migration().steps(rehearsed, not),
                "spec.steps[1].rehearsal.maxLockHold: a lock budget is checked in a rehearsal, and this step does not");
        onlyProblem(migration().steps(new StepSpec("expand", "head", null, null,
                        new StepRehearsalSpec(RehearsalSpec.RehearsalMode.Required, null, Map.of("Exclusive", "-1s")))),
                "spec.steps[0].rehearsal.maxLockHold.Exclusive: ");
    }

    @Test
    void credentialsSecretIsRequiredAndASecretName() {
        onlyProblem(migration().withoutCredentialsSecret(), "spec.database.credentialsSecret is required");
        onlyProblem(migration().secret(null), "spec.database.credentialsSecret.name is required");
        onlyProblem(migration().secret("Crm_DB"), "spec.database.credentialsSecret.name");
    }

    @Test
    void imageIsRequiredWithoutWhiteSpace() {
        onlyProblem(migration().image(null), "spec.migrations.image is required");
        onlyProblem(migration().image("registry.example.com/crm:1 --privileged"), "spec.migrations.image");
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry.example.com/crm:1;id", "registry.example.com/crm:$(id)", "régistry.example.com/crm:1",
            "registry.example.com/crm:1\u200b", "-registry/crm"})
    void imageIsAReferenceOfPlainCharacters(String image) {
        onlyProblem(migration().image(image), "spec.migrations.image");
    }

    @Test
    void imageIsAtMost512Characters() {
        String image = "registry.example.com/" + "a".repeat(512);
        onlyProblem(migration().image(image), "spec.migrations.image");
        assertEquals(List.of(), problems(migration().image("registry.example.com:5000/team/crm-migrations:1.4.0@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
    }

    @Test
    void pathIsAbsoluteWithoutDotDot() {
        onlyProblem(migration().path("migrations"), "spec.migrations.path");
        onlyProblem(migration().path("/migrations/../etc"), "spec.migrations.path: must not contain ..");
        onlyProblem(migration().path("/mig rations"), "spec.migrations.path");
        assertEquals(List.of(), problems(migration().path(null)));
        assertEquals(List.of(), problems(migration().path("/app/db/alembic")));
    }

    @Test
    void requiredBackupNeedsAVolumeClaim() {
        onlyProblem(migration().backup(null), "spec.backup.volume.persistentVolumeClaim is required");
        onlyProblem(migration().backup(new BackupSpec(null, null, null, null, null)), "spec.backup.volume.persistentVolumeClaim");
        onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, new BackupVolume(null), null, null)),
                "spec.backup.volume.persistentVolumeClaim");
        onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume(" "), null, null)),
                "spec.backup.volume.persistentVolumeClaim.claimName");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../crm-backups", "crm/backups", "CRM-backups", "crm-backups-", "crm..backups", " crm"})
    void claimNameIsAPersistentVolumeClaimName(String claim) {
        onlyProblem(migration().backup(new BackupSpec(null, null, volume(claim), null, null)),
                "spec.backup.volume.persistentVolumeClaim.claimName");
    }

    @Test
    void claimNameIsAtMost253Characters() {
        onlyProblem(migration().backup(new BackupSpec(null, null, volume("a".repeat(10_000)), null, null)),
                "spec.backup.volume.persistentVolumeClaim.claimName");
        assertEquals(List.of(), problems(migration().backup(new BackupSpec(null, null, volume("a".repeat(253)), null, null))));
        assertEquals(List.of(), problems(migration().backup(new BackupSpec(null, null, volume("crm.backups-1"), null, null))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no backups\u0000", "ok\u001b[31m red", "a\rb"})
    void backupReasonHasNoControlCharacters(String reason) {
        String problem = onlyProblem(migration().backupDisabled(reason), "spec.backup.reason");
        assertTrue(!problem.contains("\u0000") && !problem.contains("\u001b"), problem);
    }

    @Test
    void backupReasonMayHaveLinesAndIsBounded() {
        assertEquals(List.of(), problems(migration().backupDisabled("scratch database,\n\trecreated nightly\n")));
        onlyProblem(migration().backupDisabled("x".repeat(1025)), "spec.backup.reason");
    }

    @Test
    void disabledBackupNeedsAReasonAndNoVolume() {
        onlyProblem(migration().backupDisabled(null), "spec.backup.reason");
        onlyProblem(migration().backupDisabled(" "), "spec.backup.reason");
        assertEquals(List.of(), problems(migration().backupDisabled("scratch database, recreated nightly")));
    }

    @Test
    void retainIsBetween1And100() {
        onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume("c"), 0, null)), "spec.backup.retain");
        onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume("c"), 101, null)), "spec.backup.retain");
        assertEquals(List.of(), problems(migration().backup(new BackupSpec(null, null, volume("c"), 100, null))));
    }

    @Test
    void backupCompressionLevelsAreTheMethods() {
        for (String bad : List.of("gzip:10", "lz4:13", "zstd:23", "none:1")) {
            String[] parts = bad.split(":");
            BackupCompressionSpec c = new BackupCompressionSpec(
                    BackupCompression.Method.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)), Integer.valueOf(parts[1]));
            onlyProblem(migration().backup(new BackupSpec(null, null, volume("c"), null, c)),
                    "spec.backup.compression '" + bad + "': " + parts[0]);
        }
        for (BackupCompressionSpec ok : List.of(new BackupCompressionSpec(null, 9),
                new BackupCompressionSpec(BackupCompression.Method.ZSTD, 22),
                new BackupCompressionSpec(BackupCompression.Method.LZ4, null),
                new BackupCompressionSpec(BackupCompression.Method.NONE, null))) {
            // The client's version is the runner's to check: lz4 passes here.
            assertEquals(List.of(), problems(migration().backup(new BackupSpec(null, null, volume("c"), null, ok))));
        }
    }

    @Test
    void backoffLimitIsBetween0And10() {
        onlyProblem(migration().backoffLimit(-1), "spec.backoffLimit");
        onlyProblem(migration().backoffLimit(11), "spec.backoffLimit");
        assertEquals(List.of(), problems(migration().backoffLimit(0)));
        assertEquals(List.of(), problems(migration().backoffLimit(10)));
    }

    @Test
    void activeDeadlineIsAtLeastOneSecond() {
        onlyProblem(migration().jobTemplate(new JobTemplateSpec(null, null, null, null, 0L, null, null)),
                "spec.jobTemplate.activeDeadlineSeconds");
        assertEquals(List.of(), problems(migration().jobTemplate(new JobTemplateSpec(null, null, null, null, 1L, null, null))));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> problems = problems(migration().host("").databaseName("").image("").targetRevision("$(id)").backoffLimit(99));

        assertEquals(5, problems.size(), problems.toString());
    }

    // Steps, safety, verification.

    @Test
    void stepsAreValidInsteadOfATargetRevision() {
        assertEquals(List.of(), problems(migration().steps(step("expand", "expand@head"), step("contract", "head"))));
    }

    @Test
    void targetRevisionAndStepsTogetherAreRefused() {
        Resources.Migration both = migration().steps(step("expand", "expand@head")).targetRevision("head");

        onlyProblem(both, "spec.targetRevision and spec.steps");
    }

    @Test
    void anEmptyListOfStepsIsRefused() {
        onlyProblem(migration().steps(), "spec.steps");
    }

    @Test
    void elevenStepsAreTooMany() {
        StepSpec[] steps = new StepSpec[11];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = step("s" + i, "head");
        }
        onlyProblem(migration().steps(steps), "spec.steps");
        assertEquals(List.of(), problems(migration().steps(java.util.Arrays.copyOf(steps, 10))));
    }

    @Test
    void stepNamesAreUnique() {
        String problem = onlyProblem(migration().steps(step("expand", "expand@head"), step("expand", "head")),
                "spec.steps[1].name");

        assertTrue(problem.contains("used by an earlier step"), problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$(touch x)", "crm_api", "Crm-api", "crm-api/x", " crm-api"})
    void rolloutGateNamesADeployment(String name) {
        onlyProblem(migration().steps(Resources.rolloutStep("contract", "head", name)),
                "spec.steps[0].gate.deploymentRollout.name");
    }

    @Test
    void aStepsVerifyNameMustNotRepeatOneOfSpecVerify() {
        StepSpec contract = new StepSpec("contract", "head", null, List.of(new VerifyQuerySpec("no-nulls", "select true")),
                null);
        String problem = onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", "select 1 = 1")).steps(contract),
                "spec.steps[0].verify[0].name");
        assertTrue(problem.contains("spec.verify too"), problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dbmigrate.io/approve", "dbmigrate.io/stamp"})
    void annotationsThatAskForSomethingAreOneLine(String key) {
        List<String> problems = SpecValidator.problems(migration().annotation(key, "contract\nexpand").build());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("metadata.annotations[" + key + "]"), problems.get(0));
        assertEquals(List.of(), SpecValidator.problems(migration().annotation(key, "contract").build()));
        assertEquals(1, SpecValidator.problems(migration().annotation(key, "x".repeat(1025)).build()).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Expand", "expand_1", "-expand", "expand-", "ex pand", "a23456789012345678901", "ex.pand"})
    void badStepNamesAreRefused(String name) {
        onlyProblem(migration().steps(step(name, "head")), "spec.steps[0].name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "expand", "contract-2", "a2345678901234567890"})
    void goodStepNamesAreAdmitted(String name) {
        assertEquals(List.of(), problems(migration().steps(step(name, "head"))));
    }

    @Test
    void aStepWithoutANameOrTargetIsRefused() {
        onlyProblem(migration().steps(step(null, "head")), "spec.steps[0].name is required");
        onlyProblem(migration().steps(step("expand", null)), "spec.steps[0].targetRevision is required");
        onlyProblem(migration().steps(step("expand", "head; drop table x")), "spec.steps[0].targetRevision");
    }

    @Test
    void aRolloutGateNamesItsDeployment() {
        StepSpec gated = new StepSpec("contract", "head", new GateSpec(null, new DeploymentRolloutGate(" "), null), null,
                null);

        onlyProblem(migration().steps(gated), "spec.steps[0].gate.deploymentRollout.name is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "200ms", "1s", "1m30s", "1.5s", "2h"})
    void goodDurationsAreAdmitted(String duration) {
        assertEquals(List.of(), problems(migration().safety(new SafetySpec(duration, null, duration))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "-1s", "1d", "s", "one second", "1s;", ""})
    void badLockTimeoutsAreRefused(String duration) {
        onlyProblem(migration().safety(new SafetySpec(duration, null, null)), "spec.safety.lockTimeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "-1s", "1d", "forever"})
    void badStatementTimeoutsAreRefused(String duration) {
        onlyProblem(migration().safety(new SafetySpec(null, null, duration)), "spec.safety.statementTimeout");
    }

    @Test
    void lockRetriesAreBetween0And100() {
        onlyProblem(migration().safety(new SafetySpec(null, -1, null)), "spec.safety.lockRetries");
        onlyProblem(migration().safety(new SafetySpec(null, 101, null)), "spec.safety.lockRetries");
        assertEquals(List.of(), problems(migration().safety(new SafetySpec(null, 0, null))));
        assertEquals(List.of(), problems(migration().safety(new SafetySpec(null, 100, null))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ban-Drop-Column", "ban_drop_column", "-ban", "ban drop", "ban-", "", "ban,drop"})
    void lintIgnoreNamesSquawkRules(String rule) {
        String problem = onlyProblem(migration().safety(new SafetySpec(null, null, null,
                new LintSpec(LintSpec.LintMode.Block, List.of("ban-drop-column", rule)))), "spec.safety.lint.ignore[1]");
        assertTrue(problem.contains("is not a squawk rule name"), problem);
    }

    @Test
    void lintIgnoreAdmitsRuleNames() {
        assertEquals(List.of(), problems(migration().safety(new SafetySpec(null, null, null, new LintSpec(null,
                List.of("require-concurrent-index-creation", "adding-field-with-default", "ban-drop-column"))))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"No-Nulls", "no_nulls", "-no-nulls", "no nulls"})
    void verifyNamesFollowThePattern(String name) {
        onlyProblem(migration().verify(new VerifyQuerySpec(name, "select true")), "spec.verify[0].name");
    }

    @Test
    void verifyNamesAreAtMost63Characters() {
        assertEquals(List.of(), problems(migration().verify(new VerifyQuerySpec("a".repeat(63), "select true"))));
        onlyProblem(migration().verify(new VerifyQuerySpec("a".repeat(64), "select true")), "spec.verify[0].name");
        onlyProblem(migration().verify(new VerifyQuerySpec(null, "select true")), "spec.verify[0].name");
    }

    @Test
    void verifyNamesAreUnique() {
        String problem = onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", "select true"),
                new VerifyQuerySpec("no-nulls", "select 1 = 1")), "spec.verify[1].name");

        assertTrue(problem.contains("used twice"), problem);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void verifySqlIsRequired(String sql) {
        onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", sql)), "spec.verify[0].sql is required");
    }

    @Test
    void aStepsOwnVerifyQueriesAreCheckedToo() {
        StepSpec withVerify = new StepSpec("contract", "head", null,
                List.of(new VerifyQuerySpec("Bad Name", "select true")), null);

        onlyProblem(migration().steps(withVerify), "spec.steps[0].verify[0].name");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "set transaction read write; insert into audit values (3); select true",
            "set default_transaction_read_only = off; commit; insert into audit values (3); select true",
            "select true; select true"})
    void verifySqlIsOneStatement(String sql) {
        String problem = onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", sql)),
                "spec.verify[0].sql: must be one statement, found ");

        assertTrue(problem.contains("read-only"), problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"select true;", "select count(*) = 0 from t where note like '%;%';  -- a ; in a comment",
            "select $$;$$ = ';'", "/* ; */ select \"a;b\" is null from t"})
    void semicolonsInQuotesCommentsOrAtTheEndAreFine(String sql) {
        assertEquals(List.of(), problems(migration().verify(new VerifyQuerySpec("no-nulls", sql))));
    }

    @Test
    void verifySqlIsNotOnlyCommentsNorOpenQuotes() {
        onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", "-- select true")),
                "spec.verify[0].sql: has no SQL statement");
        onlyProblem(migration().verify(new VerifyQuerySpec("no-nulls", "select 'true")),
                "spec.verify[0].sql: has a '...' string that is never closed");
    }

    @Test
    void aStepsVerifyQueryIsOneStatementToo() {
        StepSpec withVerify = new StepSpec("contract", "head", null,
                List.of(new VerifyQuerySpec("ok", "select true"), new VerifyQuerySpec("sneaky", "commit; select true")), null);

        onlyProblem(migration().steps(withVerify), "spec.steps[0].verify[1].sql: must be one statement");
    }
}
