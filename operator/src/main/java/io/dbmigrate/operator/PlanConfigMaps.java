package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.decide.StepEntry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ConfigMap a reviewer reads before approving a step: its pending revisions, their SQL and its lint. Pure. */
public final class PlanConfigMaps {
    public static final String KEY_SQL = "upgrade.sql";
    public static final String KEY_REVISIONS = "revisions";
    public static final String KEY_SUMMARY = "summary";
    /** The lint report: every finding the plan Job's result held (rule, revision, severity, message, statement). */
    public static final String KEY_LINT = "lint.json";

    private PlanConfigMaps() {
    }

    public static ConfigMap build(DatabaseMigration resource, StepEntry step, PlanResult plan) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(KEY_SUMMARY, "step " + step.name() + " of " + resource.getMetadata().getName() + ", generation "
                + resource.getMetadata().getGeneration() + ": " + plan.direction() + " from " + plan.fromRevision() + " to "
                + plan.target() + "\n");
        data.put(KEY_REVISIONS, String.join("\n", plan.pendingRevisions() == null ? java.util.List.of() : plan.pendingRevisions())
                + "\n");
        String sql = plan.sqlGzipBase64() == null ? "" : CompressedSql.decode(plan.sqlGzipBase64());
        if (plan.sqlUnavailable() != null) {
            sql = "-- Alembic's offline mode could not produce SQL for this step: " + plan.sqlUnavailable() + "\n";
        } else if (Boolean.FALSE.equals(plan.sqlComplete())) {
            sql += "\n-- cut: " + plan.sqlBytes() + " bytes in all; `kubectl logs job/" + step.planJobName()
                    + "` has the whole SQL\n";
        }
        data.put(KEY_SQL, sql);
        if (plan.lint() != null) {
            data.put(KEY_LINT, RunnerJson.writePretty(plan.lint()));
        }
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(step.planConfigMap())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .addToLabels(JobFactory.LABEL_MANAGED_BY, JobFactory.MANAGED_BY)
                    .addToLabels(JobFactory.LABEL_MIGRATION, resource.getMetadata().getName())
                    .addToLabels(JobFactory.LABEL_STEP, step.name())
                    .withOwnerReferences(JobFactory.controllerReference(resource))
                .endMetadata()
                .withData(data)
                .build();
    }
}
