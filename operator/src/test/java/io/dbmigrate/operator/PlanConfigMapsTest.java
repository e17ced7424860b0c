package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.entry;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ConfigMap a reviewer reads before approving a step. */
class PlanConfigMapsTest {
    private static final String SQL = "BEGIN;\nALTER TABLE customers DROP COLUMN legacy_score;\n"
            + "UPDATE alembic_version SET version_num='f7a8' WHERE alembic_version.version_num = 'e5f6';\nCOMMIT;\n";

    private static final DatabaseMigration RESOURCE = migration().generation(5L)
            .steps(step("expand", "expand@head"), approvalStep("contract", "head", null)).build();

    private static StepEntry contract() {
        return entry(observe(RESOURCE, List.of()), 1);
    }

    private static PlanResult plan(String sqlGzipBase64, long bytes, Boolean complete, String unavailable) {
        return new PlanResult("head", "e5f6", "upgrade", List.of("f7a8", "a9b0"), sqlGzipBase64, bytes, complete, unavailable);
    }

    @Test
    void holdsTheSqlTheRevisionsAndASummary() {
        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(), plan(CompressedSql.encode(SQL), SQL.length(), true, null));

        assertEquals(SQL, configMap.getData().get(PlanConfigMaps.KEY_SQL), "decoded from gzip+base64, as it was");
        assertEquals("f7a8\na9b0\n", configMap.getData().get(PlanConfigMaps.KEY_REVISIONS));
        String summary = configMap.getData().get(PlanConfigMaps.KEY_SUMMARY);
        assertTrue(summary.contains("step contract of crm"), summary);
        assertTrue(summary.contains("generation 5"), summary);
        assertTrue(summary.contains("upgrade from e5f6 to head"), summary);
        assertEquals(3, configMap.getData().size(), configMap.getData().keySet().toString());
    }

    @Test
    void holdsEveryLintFindingAsJson() {
        LintFinding drop = new LintFinding("ban-drop-column", "f7a8", LintFinding.WARNING,
                "Dropping a column may break existing clients.", "ALTER TABLE customers DROP COLUMN legacy_score;", 2);
        PlanResult linted = plan(CompressedSql.encode(SQL), SQL.length(), true, null)
                .withLint(LintReport.of("squawk 2.66.0", List.of(drop)));

        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(), linted);

        LintReport read = RunnerJson.read(configMap.getData().get(PlanConfigMaps.KEY_LINT), LintReport.class);
        assertEquals(linted.lint(), read);
        assertTrue(configMap.getData().get(PlanConfigMaps.KEY_LINT).contains("\"rule\" : \"ban-drop-column\""),
                "indented, for people");
    }

    @Test
    void isNamedForTheStepAndOwnedByTheResource() {
        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(), plan(CompressedSql.encode(SQL), SQL.length(), true, null));

        assertEquals(JobNames.planConfigMap("crm", Resources.UID, "contract"), configMap.getMetadata().getName());
        assertEquals("crm", configMap.getMetadata().getNamespace());
        assertEquals("contract", configMap.getMetadata().getLabels().get(JobFactory.LABEL_STEP));
        assertEquals("crm", configMap.getMetadata().getLabels().get(JobFactory.LABEL_MIGRATION));
        assertEquals("dbmigrate", configMap.getMetadata().getLabels().get(JobFactory.LABEL_MANAGED_BY));
        JobFactoryTest.assertControlledByTheResource(configMap.getMetadata());
    }

    @Test
    void sqlCutShortSaysSoAndWhereTheRestIs() {
        String cut = SQL.substring(0, 40);
        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(), plan(CompressedSql.encode(cut), 2_000_000L, false, null));

        String sql = configMap.getData().get(PlanConfigMaps.KEY_SQL);
        assertTrue(sql.startsWith(cut), sql);
        assertTrue(sql.contains("-- cut: 2000000 bytes in all"), sql);
        assertTrue(sql.contains("kubectl logs job/" + JobNames.forPlan("crm", Resources.UID, 5, "contract")), sql);
    }

    @Test
    void noSqlSaysWhy() {
        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(),
                plan(null, 0, null, "revision f7a8 reads the database (op.get_bind())"));

        String sql = configMap.getData().get(PlanConfigMaps.KEY_SQL);
        assertTrue(sql.startsWith("-- "), "a SQL comment, so the key still reads as SQL: " + sql);
        assertTrue(sql.contains("revision f7a8 reads the database (op.get_bind())"), sql);
        assertEquals("f7a8\na9b0\n", configMap.getData().get(PlanConfigMaps.KEY_REVISIONS), "the revisions are known anyway");
    }

    @Test
    void nothingToApplyIsAnEmptyPlan() {
        PlanResult none = new PlanResult("head", "f7a8", PlanResult.NONE, List.of(), null, 0L, true, null);

        ConfigMap configMap = PlanConfigMaps.build(RESOURCE, contract(), none);

        assertEquals("", configMap.getData().get(PlanConfigMaps.KEY_SQL));
        assertTrue(configMap.getData().get(PlanConfigMaps.KEY_SUMMARY).contains("none from f7a8"),
                configMap.getData().get(PlanConfigMaps.KEY_SUMMARY));
    }
}
