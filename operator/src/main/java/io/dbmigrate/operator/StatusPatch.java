package io.dbmigrate.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The operator's status writes: JSON patches that set the whole status, so that what is written never depends on
 * which copy of the resource the informer's cache held (a diff against a stale copy can fail, or mix two statuses).
 */
final class StatusPatch {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StatusPatch() {
    }

    /** Sets the status: a DatabaseMigration's, or a DatabaseMigrationSet's. */
    static String replace(Object status) {
        return ops(null, status);
    }

    /** Sets the status only if the resource is still at the resourceVersion read. */
    static String ifUnchanged(String resourceVersion, DatabaseMigrationStatus status) {
        return ops(resourceVersion, status);
    }

    private static String ops(String resourceVersion, Object status) {
        ArrayNode ops = JsonNodeFactory.instance.arrayNode();
        if (resourceVersion != null) {
            ops.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
        }
        // "add" replaces /status when it is there and creates it when it is not.
        ops.addObject().put("op", "add").put("path", "/status")
                .set("value", SERIALIZATION.convertValue(status, JsonNode.class));
        return ops.toString();
    }
}
