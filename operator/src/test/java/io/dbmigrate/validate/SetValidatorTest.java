package io.dbmigrate.validate;

import static io.dbmigrate.testing.Sets.list;
import static io.dbmigrate.testing.Sets.rollout;
import static io.dbmigrate.testing.Sets.secrets;
import static io.dbmigrate.testing.Sets.set;
import static io.dbmigrate.testing.Sets.target;
import static io.dbmigrate.testing.Sets.targets;
import static io.dbmigrate.testing.Sets.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.CanarySpec;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.testing.Resources;
import io.dbmigrate.testing.Sets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetValidatorTest {

    private static List<String> problems(RolloutSpec rollout, GeneratorSpec... generators) {
        return SetValidator.problems(set(rollout, generators));
    }

    @Test
    void aListWithACanaryAndAGateIsValid() {
        assertEquals(List.of(), problems(rollout(1, new RolloutGateSpec(true, null), 8, 2, false),
                list(targets("acme", "globex", "initech"))));
        assertEquals(List.of(), problems(null, secrets(Map.of("cnpg.io/reload", "true"))));
    }

    @Test
    void targetNamesAreUniqueAcrossGenerators() {
        assertEquals(List.of("spec.generators[1].list[0].name: \"acme\" is used by an earlier target"),
                problems(null, list(targets("acme", "globex")), list(targets("acme"))));
        assertEquals(List.of("spec.generators[0].list[1].name: \"acme\" is used by an earlier target"),
                problems(null, list(targets("acme", "acme"))));
    }

    @Test
    void targetNamesAndDatabasesAreCheckedWithTheirField() {
        TargetSpec badName = new TargetSpec("Acme_Corp", target("acme").database());
        TargetSpec noHost = new TargetSpec("globex", new DatabaseSpec(null, 5432, "globex", null,
                target("globex").database().credentialsSecret()));
        TargetSpec noName = new TargetSpec(null, target("initech").database());
        assertEquals(List.of(
                        "spec.generators[0].list[0].name: \"Acme_Corp\" must be lowercase letters, digits, '-' and '.', at most 253",
                        "spec.generators[0].list[1].database.host is required",
                        "spec.generators[0].list[2].name is required"),
                problems(null, list(List.of(badName, noHost, noName))));
    }

    @Test
    void aQueryNamesItsCatalogItsSqlAndAnInterval() {
        QueryGeneratorSpec query = Sets.catalogQuery("select host, dbname from tenants");
        assertEquals(List.of(), problems(null, GeneratorSpec.of(query)));
        List<String> problems = problems(null, GeneratorSpec.of(new QueryGeneratorSpec(new DatabaseSpec(null, 5432,
                "catalog", null, query.catalog().credentialsSecret()), " ", new CredentialsSecretRef("", null, null), null,
                "soon")));
        assertEquals(List.of("spec.generators[0].query.catalog.host is required",
                "spec.generators[0].query.sql is required",
                "spec.generators[0].query.credentialsSecret.name is required"), problems.subList(0, 3));
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(3).startsWith("spec.generators[0].query.interval 'soon' is not a duration"), problems.get(3));
        assertEquals(List.of("spec.generators[0].query.sql: at most 10000 characters, got 10001"),
                problems(null, GeneratorSpec.of(Sets.catalogQuery("x".repeat(10_001)))));
    }

    @Test
    void aListTargetNamesItsSchemaThroughItsDatabase() {
        TargetSpec tenantA = new TargetSpec("tenant-a", target("shared").database().withSchema("tenant_a"));
        TargetSpec tenantB = new TargetSpec("tenant-b", target("shared").database().withSchema("tenant_b"));
        TargetSpec catalog = new TargetSpec("catalog", target("shared").database().withSchema("pg_catalog"));
        assertEquals(List.of(), problems(null, list(List.of(tenantA, tenantB))));
        assertEquals(List.of("spec.generators[0].list[2].database.schema: 'pg_catalog' is a system schema (pg_* and"
                        + " information_schema are PostgreSQL's own)"),
                problems(null, list(List.of(tenantA, tenantB, catalog))));
    }

    @Test
    void eachGeneratorIsOneKind() {
        assertEquals(List.of("spec.generators[0]: set exactly one of list, secrets or query"),
                problems(null, new GeneratorSpec(targets("acme"), secrets(Map.of("a", "b")).secrets(), null)));
        assertEquals(List.of("spec.generators[0]: set exactly one of list, secrets or query"),
                problems(null, new GeneratorSpec(null, null, null)));
        assertEquals(List.of("spec.generators[0]: set exactly one of list, secrets or query"),
                problems(null, new GeneratorSpec(null, secrets(Map.of("a", "b")).secrets(), Sets.catalogQuery("select 1"))));
        assertEquals(List.of("spec.generators: between 1 and 10 generators, got 0"), problems(null));
        assertEquals(List.of("spec.generators[0].list: between 1 and 1000 targets, got 0"), problems(null, list(List.of())));
    }

    @Test
    void aSecretsSelectorNeedsValidLabelsAndAtLeastOne() {
        assertEquals(List.of("spec.generators[0].secrets.matchLabels: at least one label (an empty selector matches every "
                + "Secret)"), problems(null, secrets(Map.of())));
        assertEquals(List.of("spec.generators[0].secrets.matchLabels: \"bad key!\" is not a label key ([prefix/]name, the "
                + "name at most 63 characters)"), problems(null, secrets(Map.of("bad key!", "x"))));
        assertEquals(List.of("spec.generators[0].secrets.matchLabels[tier]: \"-db\" is not a label value (at most 63 "
                + "letters, digits, '-', '_' and '.')"), problems(null, secrets(Map.of("tier", "-db"))));
    }

    @Test
    void canaryIsACountOrAPercentage() {
        GeneratorSpec list = list(targets("acme"));
        assertEquals(List.of("spec.rollout.canary.percentage: must be between 1 and 100, got 150"),
                problems(new RolloutSpec(new CanarySpec(null, 150), null, null, null, null), list));
        assertEquals(List.of("spec.rollout.canary.percentage: must be between 1 and 100, got 0"),
                problems(new RolloutSpec(new CanarySpec(null, 0), null, null, null, null), list));
        assertEquals(List.of("spec.rollout.canary: set exactly one of count or percentage"),
                problems(new RolloutSpec(new CanarySpec(1, 10), null, null, null, null), list));
        assertEquals(List.of("spec.rollout.canary.count: must be at least 1, got 0"),
                problems(new RolloutSpec(new CanarySpec(0, null), null, null, null, null), list));
    }

    @Test
    void aGateFollowsACanaryAndIsAnApprovalOrAPause() {
        GeneratorSpec list = list(targets("acme"));
        assertEquals(List.of("spec.rollout.gate: a gate waits after the canary; set spec.rollout.canary too"),
                problems(rollout(null, new RolloutGateSpec(true, null), null, null, null), list));
        assertEquals(List.of("spec.rollout.gate: set exactly one of approval or pause"),
                problems(rollout(1, new RolloutGateSpec(true, "10m"), null, null, null), list));
        assertEquals(List.of(), problems(rollout(1, new RolloutGateSpec(null, "1h30m"), null, null, null), list));
        assertEquals(1, problems(rollout(1, new RolloutGateSpec(null, "soon"), null, null, null), list).size());
        assertEquals(true, problems(rollout(1, new RolloutGateSpec(null, "soon"), null, null, null), list).get(0)
                .startsWith("spec.rollout.gate.pause 'soon' is not a duration"), "the field named once");
    }

    @Test
    void parallelismAndFailureBudgetAreBounded() {
        GeneratorSpec list = list(targets("acme"));
        assertEquals(List.of("spec.rollout.maxParallel: must be between 1 and 100, got 0",
                        "spec.rollout.maxFailures: must be at least 0, got -1"),
                problems(rollout(null, null, 0, -1, null), list));
        assertEquals(5, RolloutSpec.DEFAULT.maxParallelOrDefault());
        assertEquals(0, RolloutSpec.DEFAULT.maxFailuresOrDefault());
    }

    @Test
    void theTemplateIsCheckedUnderItsOwnFieldAndHasNoDatabase() {
        DatabaseMigrationSetSpec withDatabase = new DatabaseMigrationSetSpec(
                template().withDatabase(target("acme").database()), List.of(list(targets("acme"))), null);
        assertEquals(List.of("spec.template.database: each target gives its own database; leave it out of the template"),
                SetValidator.problems(set(withDatabase, 1L, Map.of(), null)));

        DatabaseMigrationSetSpec bad = new DatabaseMigrationSetSpec(
                Resources.migration().targetRevision("head; rm -rf /").historyLimit(500).build().getSpec().withDatabase(null),
                List.of(list(targets("acme"))), null);
        assertEquals(List.of("spec.template.targetRevision: \"head; rm -rf /\" is not an Alembic revision spec (head, a "
                        + "revision id, branch@head, +N)", "spec.template.historyLimit: must be between 0 and 100, got 500"),
                SetValidator.problems(set(bad, 1L, Map.of(), null)));
        // Every field a problem names is the template's, also within the sentence; a quoted value is left as it is.
        DatabaseMigrationSetSpec noVolume = new DatabaseMigrationSetSpec(Resources.migration().targetRevision("spec.x y")
                .backup(new BackupSpec(BackupSpec.BackupMode.Required, null, null, null, null)).build().getSpec()
                .withDatabase(null), List.of(list(targets("acme"))), null);
        assertEquals(List.of("spec.template.targetRevision: \"spec.x y\" is not an Alembic revision spec (head, a "
                        + "revision id, branch@head, +N)", "spec.template.backup.volume.persistentVolumeClaim is required "
                        + "when spec.template.backup.mode is Required"),
                SetValidator.problems(set(noVolume, 1L, Map.of(), null)));
        assertEquals(List.of("spec.template is required"),
                SetValidator.problems(set(new DatabaseMigrationSetSpec(null, List.of(list(targets("a"))), null), 1L,
                        Map.of(), null)));
    }

    @Test
    void theNameLabelsTheChildrenAndAnnotationsAreOneLine() {
        DatabaseMigrationSet set = set(null, list(targets("acme")));
        set.getMetadata().setName("t".repeat(64));
        set.getMetadata().setAnnotations(Map.of(DatabaseMigrationSet.RETRY_ANNOTATION, "acme\nglobex",
                Gates.APPROVE_ANNOTATION, "canary"));
        assertEquals(List.of("metadata.name: at most 63 characters for a DatabaseMigrationSet (it is the dbmigrate.io/set "
                        + "label of its DatabaseMigrations), got 64",
                "metadata.annotations[dbmigrate.io/retry]: \"acme?globex\" must be one line without control characters, at "
                        + "most 1024"),
                SetValidator.problems(set));
    }

    @Test
    void aSetWithoutSpecSaysSo() {
        assertEquals(List.of("spec is required"), SetValidator.problems(set(null, 1L, Map.of(), null)));
    }
}
