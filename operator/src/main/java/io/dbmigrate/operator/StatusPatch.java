package io.dbmigrate.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** A JSON patch that writes a status only if the resource is still at the resourceVersion the operator read. */
final class StatusPatch {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private StatusPatch() {
  }

  static String ifUnchanged(String resourceVersion, DatabaseMigrationStatus status) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    ops.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
    // "add" replaces /status when it is there and creates it when it is not.
    ops.addObject().put("op", "add").put("path", "/status")
        .set("value", SERIALIZATION.convertValue(status, JsonNode.class));
    return ops.toString();
  }
}
