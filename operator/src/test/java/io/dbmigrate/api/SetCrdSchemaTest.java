package io.dbmigrate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.contract.SchemaName;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed DatabaseMigrationSet CRD: what `kubectl get dbms` shows and what the API server refuses. */
class SetCrdSchemaTest {
    private static final JsonNode CRD = CommittedCrd.read("databasemigrationsets.dbmigrate.io-v1.yaml");
    private static final JsonNode VERSION = CRD.path("spec").path("versions").get(0);
    private static final JsonNode SPEC = VERSION.path("schema").path("openAPIV3Schema").path("properties").path("spec");

    private static List<String> rules(JsonNode node) {
        List<String> rules = new ArrayList<>();
        node.path("x-kubernetes-validations").forEach(v -> rules.add(v.path("rule").asText()));
        return rules;
    }

    @Test
    void printerColumnsCountTheTargets() {
        List<String> names = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        VERSION.path("additionalPrinterColumns").forEach(column -> {
            names.add(column.path("name").asText());
            paths.add(column.path("jsonPath").asText());
        });
        List<Integer> priorities = new ArrayList<>();
        VERSION.path("additionalPrinterColumns").forEach(column -> priorities.add(column.path("priority").asInt(0)));
        assertEquals(List.of("Targets", "Succeeded", "Failed", "Running", "Phase", "Age", "Awaiting Approval", "Message"),
                names);
        assertEquals(List.of(".status.targets", ".status.succeeded", ".status.failed", ".status.running", ".status.phase",
                ".metadata.creationTimestamp", ".status.awaitingApproval", ".status.message"), paths);
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 1, 1), priorities, "the last two with -o wide only");
        JsonNode status = VERSION.path("schema").path("openAPIV3Schema").path("properties").path("status").path("properties");
        for (String field : List.of("targets", "succeeded", "failed", "running", "phase", "awaitingApproval", "message")) {
            assertFalse(status.path(field).isMissingNode(), field);
        }
    }

    @Test
    void namesAndStatusSubresource() {
        assertEquals("databasemigrationsets.dbmigrate.io", CRD.path("metadata").path("name").asText());
        assertEquals("DatabaseMigrationSet", CRD.path("spec").path("names").path("kind").asText());
        assertEquals(List.of("dbmigrationset", "dbmigrationsets", "dbms"), CommittedCrd.strings(CRD.path("spec").path("names")
                .path("shortNames")));
        assertTrue(VERSION.path("subresources").path("status").isObject());
    }

    @Test
    void theTemplateIsADatabaseMigrationSpecWithoutItsDatabase() {
        JsonNode template = SPEC.path("properties").path("template");
        assertTrue(template.path("properties").path("database").isMissingNode(), "no database in the template");
        assertEquals(List.of("backup", "migrations"), CommittedCrd.strings(template.path("required")), "database is not required");
        assertFalse(template.path("properties").path("steps").isMissingNode(), "the rest of the spec is there");
        assertTrue(rules(template).contains("has(self.targetRevision) != has(self.steps)"), rules(template).toString());
        assertEquals(List.of("generators", "template"), CommittedCrd.strings(SPEC.path("required")));
    }

    @Test
    void generatorsAndRolloutRulesAreTheApiServers() {
        JsonNode generator = SPEC.path("properties").path("generators").path("items");
        assertEquals(List.of("[has(self.list), has(self.secrets), has(self.query)].exists_one(x, x)"), rules(generator));
        JsonNode list = generator.path("properties").path("list");
        assertEquals(1000, list.path("maxItems").asInt());
        // Unique names by the list's type, which the API server checks at no CEL cost.
        assertEquals("map", list.path("x-kubernetes-list-type").asText());
        assertEquals(List.of("name"), CommittedCrd.strings(list.path("x-kubernetes-list-map-keys")));
        JsonNode target = generator.path("properties").path("list").path("items");
        assertEquals(List.of("database", "name"), CommittedCrd.strings(target.path("required")));
        assertEquals(253, target.path("properties").path("name").path("maxLength").asInt());
        JsonNode database = target.path("properties").path("database");
        assertEquals(SchemaName.PATTERN, database.path("properties").path("schema").path("pattern").asText());
        assertEquals(List.of(DatabaseSpec.NOT_A_SYSTEM_SCHEMA), rules(database), "a target may name its schema");
        JsonNode rollout = SPEC.path("properties").path("rollout");
        assertEquals(List.of("!has(self.gate) || has(self.canary)"), rules(rollout));
        assertEquals(List.of("has(self.count) != has(self.percentage)"), rules(rollout.path("properties").path("canary")));
        assertEquals(100, rollout.path("properties").path("canary").path("properties").path("percentage").path("maximum")
                .asInt());
        assertEquals(5, rollout.path("properties").path("maxParallel").path("default").asInt());
        assertEquals(0, rollout.path("properties").path("maxFailures").path("default").asInt(-1));
    }
}
