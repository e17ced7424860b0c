package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conditional status write: test the resourceVersion read, then set the whole status. */
class StatusPatchTest {

    @Test
    void testsTheResourceVersionThenSetsTheStatus() throws Exception {
        DatabaseMigrationStatus status = new DatabaseMigrationStatus(3L, Phase.AwaitingGate, "e5f6", "head", "contract",
                List.of(), null, "waiting", null, null, 0, List.of(), null, null, null);

        JsonNode ops = new ObjectMapper().readTree(StatusPatch.ifUnchanged("4711", status));

        assertEquals(2, ops.size());
        assertEquals("test", ops.get(0).get("op").asText());
        assertEquals("/metadata/resourceVersion", ops.get(0).get("path").asText());
        assertEquals("4711", ops.get(0).get("value").asText());
        assertEquals("add", ops.get(1).get("op").asText());
        assertEquals("/status", ops.get(1).get("path").asText());
        assertEquals("AwaitingGate", ops.get(1).get("value").get("phase").asText());
        assertEquals(3, ops.get(1).get("value").get("observedGeneration").asInt());
    }

    @Test
    void replaceSetsTheWholeStatusWhateverTheServerHolds() throws Exception {
        DatabaseMigrationStatus status = new DatabaseMigrationStatus(2L, Phase.Succeeded, "e5f6", "head", null,
                List.of(), null, "done", null, null, 0, List.of(), null, null, null);

        JsonNode ops = new ObjectMapper().readTree(StatusPatch.replace(status));

        assertEquals(1, ops.size(), "no diff against a copy that may be stale: one operation, the whole status");
        assertEquals("add", ops.get(0).get("op").asText());
        assertEquals("/status", ops.get(0).get("path").asText());
        assertEquals("Succeeded", ops.get(0).get("value").get("phase").asText());
    }
}
