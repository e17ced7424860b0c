package io.dbmigrate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.contract.RevisionSpec;
import io.dbmigrate.contract.SchemaName;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.status.TransitionEvent;
import io.dbmigrate.testing.Kstatus;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed CRD, as `kubectl apply` installs it: what `kubectl explain`, `kubectl get` and the API server see. */
class CrdSchemaTest {
    private static JsonNode crd;
    private static JsonNode version;
    private static JsonNode schema;

    @BeforeAll
    static void load() {
        crd = CommittedCrd.read("databasemigrations.dbmigrate.io-v1.yaml");
        assertEquals("CustomResourceDefinition", crd.path("kind").asText());
        assertEquals(1, crd.path("spec").path("versions").size(), "one version, v1alpha1");
        version = crd.path("spec").path("versions").get(0);
        schema = version.path("schema").path("openAPIV3Schema");
    }

    private static JsonNode property(String dottedPath) {
        JsonNode node = schema;
        for (String name : dottedPath.split("\\.")) {
            node = node.path("properties").path(name);
            assertFalse(node.isMissingNode(), "no property " + dottedPath);
        }
        return node;
    }

    /** Collects every property below this schema node, into objects, array items and map values. */
    private static void walk(String path, JsonNode node, Map<String, JsonNode> into) {
        Iterator<Map.Entry<String, JsonNode>> properties = node.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String childPath = path + "." + property.getKey();
            into.put(childPath, property.getValue());
            walk(childPath, property.getValue(), into);
        }
        if (node.has("items")) {
            walk(path + "[]", node.get("items"), into);
        }
        if (node.path("additionalProperties").isObject()) {
            walk(path + "{}", node.get("additionalProperties"), into);
        }
    }

    @Test
    void everyFieldOfSpecAndStatusIsDescribed() {
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        properties.put("spec", property("spec"));
        properties.put("status", property("status"));
        walk("spec", property("spec"), properties);
        walk("status", property("status"), properties);
        List<String> undescribed = new ArrayList<>();
        properties.forEach((path, node) -> {
            if (node.path("description").asText().isBlank()) {
                undescribed.add(path);
            }
        });

        assertTrue(properties.size() > 50, "walked the whole schema: " + properties.keySet());
        assertTrue(properties.containsKey("spec.jobTemplate.tolerations[].tolerationSeconds"), properties.keySet().toString());
        assertTrue(properties.containsKey("status.conditions[].lastTransitionTime"), properties.keySet().toString());
        assertEquals(List.of(), undescribed, "kubectl explain shows nothing for these");
    }

    @Test
    void printerColumnsAreWhatOnCallReads() {
        JsonNode columns = version.path("additionalPrinterColumns");
        List<String> names = new ArrayList<>();
        for (JsonNode column : columns) {
            names.add(column.path("name").asText());
        }

        assertEquals(List.of("Database", "Current", "Target", "Phase", "Step", "Last Backup", "Age", "Message"), names);
        for (JsonNode column : columns) {
            int expected = column.path("name").asText().equals("Message") ? 1 : 0;
            assertEquals(expected, column.path("priority").asInt(0), column.toString());
        }
        assertEquals(".spec.database.name", columns.get(0).path("jsonPath").asText());
        assertEquals(".status.currentRevision", columns.get(1).path("jsonPath").asText());
        // From status: with steps, spec.targetRevision is absent; status.targetRevision is the last step's.
        assertEquals(".status.targetRevision", columns.get(2).path("jsonPath").asText());
        assertEquals(".status.phase", columns.get(3).path("jsonPath").asText());
        assertEquals(".status.currentStep", columns.get(4).path("jsonPath").asText());
        assertEquals(".status.lastBackup.finishedAt", columns.get(5).path("jsonPath").asText());
        assertEquals("date", columns.get(5).path("type").asText());
        assertEquals(".metadata.creationTimestamp", columns.get(6).path("jsonPath").asText());
        assertEquals(".status.message", columns.get(7).path("jsonPath").asText());
    }

    @Test
    void printerColumnsPointAtFieldsThatExist() {
        for (JsonNode column : version.path("additionalPrinterColumns")) {
            String jsonPath = column.path("jsonPath").asText();
            if (jsonPath.startsWith(".metadata.")) {
                continue;
            }
            property(jsonPath.substring(1));
        }
    }

    @Test
    void namesAndShortNames() {
        JsonNode names = crd.path("spec").path("names");

        assertEquals("databasemigrations.dbmigrate.io", crd.path("metadata").path("name").asText());
        assertEquals("dbmigrate.io", crd.path("spec").path("group").asText());
        assertEquals("Namespaced", crd.path("spec").path("scope").asText());
        assertEquals("DatabaseMigration", names.path("kind").asText());
        assertEquals("databasemigrations", names.path("plural").asText());
        assertEquals(Set.of("dbmigration", "dbmigrations", "dbm"), new HashSet<>(CommittedCrd.strings(names.path("shortNames"))));
        assertEquals("v1alpha1", version.path("name").asText());
        assertTrue(version.path("served").asBoolean());
        assertTrue(version.path("storage").asBoolean());
    }

    @Test
    void statusIsASubresource() {
        // Without it, a status write could change the spec and every spec write could reset the status.
        assertTrue(version.path("subresources").path("status").isObject(), version.path("subresources").toString());
    }

    @Test
    void targetRevisionHasTheRunnersPattern() {
        JsonNode target = property("spec.targetRevision");

        assertEquals(RevisionSpec.PATTERN, target.path("pattern").asText());
        Pattern pattern = Pattern.compile(target.path("pattern").asText());
        for (String good : List.of("head", "heads", "base", "ae1027a6acf", "expand@head", "+2", "ae10+2")) {
            assertTrue(pattern.matcher(good).matches(), good);
        }
        for (String bad : List.of("head; rm -rf /", "$(id)", "-1", "a b", "../x", "")) {
            assertFalse(pattern.matcher(bad).matches(), bad);
        }
    }

    @Test
    void aSchemaIsAPlainIdentifierAndNoSystemSchemaForTheApiServerToo() {
        JsonNode schemaName = property("spec.database.schema");
        assertEquals(SchemaName.PATTERN, schemaName.path("pattern").asText());
        assertEquals(63, schemaName.path("maxLength").asInt(-1));
        Pattern pattern = Pattern.compile(schemaName.path("pattern").asText());
        assertTrue(pattern.matcher("tenant_a").matches());
        for (String bad : List.of("Tenant", "tenant-a", "1a", "a;b", "")) {
            assertFalse(pattern.matcher(bad).matches(), bad);
        }
        List<String> rules = new ArrayList<>();
        property("spec.database").path("x-kubernetes-validations").forEach(rule -> rules.add(rule.path("rule").asText()));
        assertEquals(List.of(DatabaseSpec.NOT_A_SYSTEM_SCHEMA), rules);
        assertFalse(property("spec.database").path("required").toString().contains("schema"), "optional");
    }

    @Test
    void targetRevisionIsBoundedTo64CharactersLikeTheRunner() {
        // RevisionSpec: "the 64-character bound is checked by validate and should be declared as a max length next to
        // the pattern". Without it the API server admits up to 134 characters that the operator then refuses.
        assertEquals(RevisionSpec.MAX_LENGTH, property("spec.targetRevision").path("maxLength").asInt(-1),
                property("spec.targetRevision").toString());
    }

    @Test
    void requiredFieldsAreRequired() {
        // backup is required: backup-first is opted out of explicitly (mode: Disabled with a reason), never by omission.
        // targetRevision is not required on its own: a CEL rule asks for targetRevision or steps (see below).
        assertEquals(Set.of("database", "migrations", "backup"),
                Set.copyOf(CommittedCrd.strings(property("spec").path("required"))));
        assertEquals(Set.of("name", "targetRevision"),
                Set.copyOf(CommittedCrd.strings(property("spec.steps").path("items").path("required"))));
        assertEquals(Set.of("name", "sql"), Set.copyOf(CommittedCrd.strings(property("spec.verify").path("items").path("required"))));
        assertEquals(Set.of("name"),
                Set.copyOf(CommittedCrd.strings(property("spec.steps").path("items").path("properties").path("gate").path("properties")
                        .path("deploymentRollout").path("required"))));
        assertEquals(Set.of("host", "name", "credentialsSecret"),
                Set.copyOf(CommittedCrd.strings(property("spec.database").path("required"))));
        assertEquals(Set.of("name"), Set.copyOf(CommittedCrd.strings(property("spec.database.credentialsSecret").path("required"))));
        assertEquals(Set.of("image"), Set.copyOf(CommittedCrd.strings(property("spec.migrations").path("required"))));
        assertEquals(Set.of("persistentVolumeClaim"),
                Set.copyOf(CommittedCrd.strings(property("spec.backup.volume").path("required"))));
        assertEquals(Set.of("claimName"),
                Set.copyOf(CommittedCrd.strings(property("spec.backup.volume.persistentVolumeClaim").path("required"))));
        assertEquals(Set.of("type", "status", "lastTransitionTime", "reason"),
                Set.copyOf(CommittedCrd.strings(property("status.conditions").path("items").path("required"))));
    }

    @Test
    void targetRevisionOrStepsIsEnforcedByTheApiServer() {
        List<String> rules = new ArrayList<>();
        for (JsonNode validation : property("spec").path("x-kubernetes-validations")) {
            rules.add(validation.path("rule").asText());
        }

        // Exactly one of them: neither (nothing to migrate to) and both (which wins?) are refused.
        assertEquals("has(self.targetRevision) != has(self.steps)", rules.get(0));
        assertEquals(3, rules.size(), rules.toString());
    }

    @Test
    void hostileValuesAreRefusedByTheSchema() {
        // A real API server checks these before the operator sees the resource (issue 11: ../, 10,000 characters, unicode).
        assertEquals(List.of("spec"), CommittedCrd.strings(schema.path("required")), "a manifest without spec is refused");
        for (String path : List.of("spec.backup.volume.persistentVolumeClaim.claimName",
                "spec.steps.gate.deploymentRollout.name")) {
            JsonNode name = path.startsWith("spec.steps") ? property("spec.steps").path("items").path("properties")
                    .path("gate").path("properties").path("deploymentRollout").path("properties").path("name") : property(path);
            assertEquals(253, name.path("maxLength").asInt(-1), path);
            Pattern pattern = Pattern.compile(name.path("pattern").asText());
            assertTrue(pattern.matcher("crm-backups.v1").matches(), path);
            for (String bad : List.of("../x", "$(touch x)", "Crm", "a/b", "a..b", "")) {
                assertFalse(pattern.matcher(bad).matches(), path + " " + bad);
            }
        }
        JsonNode image = property("spec.migrations.image");
        assertEquals(512, image.path("maxLength").asInt(-1));
        Pattern imagePattern = Pattern.compile(image.path("pattern").asText());
        assertTrue(imagePattern.matcher("registry.example.com:5000/crm-migrations:1.0.0@sha256:0123abcd").matches());
        assertFalse(imagePattern.matcher("régistry/crm:1").matches());
        assertFalse(imagePattern.matcher("crm:1 --privileged").matches());
        Pattern reason = Pattern.compile(property("spec.backup.reason").path("pattern").asText());
        assertTrue(reason.matcher("scratch database,\n\trecreated nightly").matches());
        assertFalse(reason.matcher("no backups\u0000").matches());
        assertEquals(1024, property("spec.backup.reason").path("maxLength").asInt(-1));
    }

    @Test
    void stepAndVerifyNamesAreUniqueForTheApiServer() {
        List<String> rules = new ArrayList<>();
        property("spec").path("x-kubernetes-validations").forEach(v -> rules.add(v.path("rule").asText()));
        property("spec.steps").path("items").path("x-kubernetes-validations").forEach(v -> rules.add(v.path("rule").asText()));

        assertTrue(rules.contains("!has(self.steps) || self.steps.all(s, self.steps.exists_one(t, t.name == s.name))"),
                rules.toString());
        assertTrue(rules.contains("!has(self.verify) || self.verify.all(q, self.verify.exists_one(r, r.name == q.name))"),
                rules.toString());
        assertEquals(4, rules.size(), rules.toString());
        assertEquals(20, property("spec.steps").path("items").path("properties").path("verify").path("maxItems").asInt(-1),
                "bounds the rule's cost");
    }

    @Test
    void stepsAreBoundedAndNamedLikeTheirJobs() {
        JsonNode steps = property("spec.steps");
        JsonNode name = steps.path("items").path("properties").path("name");

        assertEquals(1, steps.path("minItems").asInt(-1));
        assertEquals(10, steps.path("maxItems").asInt(-1));
        assertEquals("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name.path("pattern").asText());
        assertEquals(20, name.path("maxLength").asInt(-1), "leaves room in the Job name");
        assertEquals(RevisionSpec.PATTERN, steps.path("items").path("properties").path("targetRevision").path("pattern").asText());
        assertEquals(RevisionSpec.MAX_LENGTH,
                steps.path("items").path("properties").path("targetRevision").path("maxLength").asInt(-1));
    }

    @Test
    void safetyAndOnFailureDefaultsMatchTheOperators() {
        assertEquals("1s", property("spec.safety.lockTimeout").path("default").asText());
        assertEquals(10, property("spec.safety.lockRetries").path("default").asInt());
        assertEquals(0, property("spec.safety.lockRetries").path("minimum").asInt(-1));
        assertEquals(100, property("spec.safety.lockRetries").path("maximum").asInt(-1));
        assertEquals("0s", property("spec.safety.statementTimeout").path("default").asText());
        assertEquals(List.of("Downgrade", "Halt"), CommittedCrd.strings(property("spec.onFailure").path("enum")).stream().sorted().toList());
        assertEquals("Halt", property("spec.onFailure").path("default").asText());
        assertFalse(property("spec.allowDowngrade").path("default").asBoolean(true));
        Pattern duration = Pattern.compile(property("spec.safety.lockTimeout").path("pattern").asText());
        for (String good : List.of("0", "0s", "200ms", "1s", "1m30s", "1.5s")) {
            assertTrue(duration.matcher(good).matches(), good);
        }
        for (String bad : List.of("", "1", "-1s", "1 s", "1d", "s")) {
            assertFalse(duration.matcher(bad).matches(), bad);
        }
    }

    @Test
    void backupRulesAreEnforcedByTheApiServer() {
        List<String> rules = new ArrayList<>();
        for (JsonNode validation : property("spec.backup").path("x-kubernetes-validations")) {
            rules.add(validation.path("message").asText());
        }

        assertTrue(rules.contains("backup.reason is required when backup.mode is Disabled"), rules.toString());
        assertTrue(rules.contains("backup.volume is required when backup.mode is Required"), rules.toString());
        assertEquals(List.of("Disabled", "Required"), CommittedCrd.strings(property("spec.backup.mode").path("enum")));
    }

    @Test
    void backupCompressionIsOneOfPgDumpsMethodsWithItsLevels() {
        // The methods the runner knows (BackupCompression.Method), spelled as pg_dump spells them.
        assertEquals(java.util.Arrays.stream(io.dbmigrate.contract.BackupCompression.Method.values())
                        .map(io.dbmigrate.contract.BackupCompression.Method::spelling).sorted().toList(),
                CommittedCrd.strings(property("spec.backup.compression.method").path("enum")));
        assertEquals("gzip", property("spec.backup.compression.method").path("default").asText());
        assertEquals(1, property("spec.backup.compression.level").path("minimum").asInt());
        assertEquals(22, property("spec.backup.compression.level").path("maximum").asInt());
        List<String> rules = new ArrayList<>();
        property("spec.backup.compression").path("x-kubernetes-validations")
                .forEach(v -> rules.add(v.path("rule").asText()));
        assertEquals(List.of("!has(self.level) || ((!has(self.method) || self.method == 'gzip') ? self.level <= 9"
                + " : self.method == 'lz4' ? self.level <= 12 : self.method == 'zstd' ? self.level <= 22 : false)"), rules);
    }

    @Test
    void boundsAndDefaultsMatchTheOperators() {
        assertEquals(2, property("spec.backoffLimit").path("default").asInt());
        assertEquals(0, property("spec.backoffLimit").path("minimum").asInt());
        assertEquals(10, property("spec.backoffLimit").path("maximum").asInt());
        assertEquals(5432, property("spec.database.port").path("default").asInt());
        assertEquals(List.of("allow", "disable", "prefer", "require", "verify-ca", "verify-full"),
                CommittedCrd.strings(property("spec.database.sslMode").path("enum")));
        assertEquals(1, property("spec.backup.retain").path("minimum").asInt());
        assertEquals(100, property("spec.backup.retain").path("maximum").asInt());
        assertEquals(1, property("spec.jobTemplate.activeDeadlineSeconds").path("minimum").asInt());
        assertEquals("/migrations", property("spec.migrations.path").path("default").asText());
    }

    @Test
    void resourceQuantitiesAcceptIntegersAndStrings() {
        JsonNode values = property("spec.jobTemplate.resources.requests").path("additionalProperties");

        assertTrue(values.path("x-kubernetes-int-or-string").asBoolean(), values.toString());
    }

    @Test
    void everyPhaseTheOperatorSetsIsAllowed() {
        List<String> allowed = CommittedCrd.strings(property("status.phase").path("enum"));

        for (Phase phase : Phase.values()) {
            assertTrue(allowed.contains(phase.name()), phase.name());
        }
    }

    @Test
    void theApiServerDefaultsANewResourcesStatusToNotYetObservedSoKstatusWaits() {
        // Without the default, kstatus (Flux) reads a new resource as Current before the operator has seen it.
        DatabaseMigration created = io.dbmigrate.testing.Resources.migration().generation(1L).build();
        assertEquals(Kstatus.Verdict.Current, Kstatus.of(created), "the gap the default closes");

        JsonNode defaulted = property("status").path("default");
        assertEquals(-1, defaulted.path("observedGeneration").asInt(), property("status").toString());
        created.setStatus(new KubernetesSerialization().convertValue(defaulted, DatabaseMigrationStatus.class));
        assertEquals(Kstatus.Verdict.InProgress, Kstatus.of(created));

        // The operator's first reconcile reads the defaulted status as no status at all.
        Observation observation = Resources.observe(created, SecretObservation.PRESENT);
        Decision decision = MigrationPlanner.decide(observation);
        DatabaseMigrationStatus first = StatusAggregator.compute(observation, decision, Instant.EPOCH);
        assertEquals(1L, first.observedGeneration());
        assertEquals(Phase.Pending, first.phase());
        created.setStatus(first);
        assertEquals(Kstatus.Verdict.InProgress, Kstatus.of(created), "Reconciling while the Job runs");
        assertEquals(List.of("JobCreated"), TransitionEvent.between(
                new KubernetesSerialization().convertValue(defaulted, DatabaseMigrationStatus.class), first).stream()
                .map(TransitionEvent::reason).toList());
    }
}
