package io.dbmigrate.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.decide.StampRequests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes used approvals out of the {@code dbmigrate.io/approve} annotation, and a done stamp request out of
 * {@code dbmigrate.io/stamp}: the only writes the operator makes to a DatabaseMigration outside its status. The JSON patch first tests the value it read, so an approval someone adds
 * meanwhile is never lost: the patch fails (422) and the next reconcile, woken by that edit, tries again.
 */
final class ApprovalAnnotation {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalAnnotation.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApprovalAnnotation() {
    }

    /**
     * @return the resource as the patch left it; null when the annotation changed (or the resource went) since it was
     *         read, and the patch was not applied
     */
    static DatabaseMigration consume(KubernetesClient client, DatabaseMigration resource, Set<String> spent) {
        return consume(client, resource, spent, false);
    }

    /**
     * @param unchangedOnly also require the resource to be at the resourceVersion read: a reconcile that started from a
     *                      copy older than the server's (the informer has not caught up) then spends nothing
     */
    static DatabaseMigration consume(KubernetesClient client, DatabaseMigration resource, Set<String> spent,
                                                                      boolean unchangedOnly) {
        String read = resource.getMetadata().getAnnotations().get(Gates.APPROVE_ANNOTATION);
        String left = Gates.remainingApprovals(resource, spent);
        DatabaseMigration patched = patchIfUnchanged(client, resource, "approval", patch(Gates.APPROVE_ANNOTATION,
                unchangedOnly ? resource.getMetadata().getResourceVersion() : null, read, left));
        if (patched != null) {
            LOG.info("msg=\"approval used\" resource={}/{} steps={} annotation={}", resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), String.join(",", spent), left == null ? "removed" : left);
        }
        return patched;
    }

    /**
     * The spent stamp request: {@code dbmigrate.io/stamp} removed, if it still holds the revision read.
     *
     * @return false when it changed (or the resource went) since it was read
     */
    static boolean removeStamp(KubernetesClient client, DatabaseMigration resource, String read) {
        if (patchIfUnchanged(client, resource, "stamp", patch(StampRequests.STAMP_ANNOTATION, null, read, null)) == null) {
            return false;
        }
        LOG.info("msg=\"stamp annotation removed\" resource={}/{} revision={}", resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(), read);
        return true;
    }

    private static DatabaseMigration patchIfUnchanged(KubernetesClient client, DatabaseMigration resource,
                                                      String annotation, String patch) {
        return patchIfUnchanged(client, DatabaseMigration.class, resource, annotation, patch);
    }

    /**
     * Applies a JSON patch of {@link #patch} to a DatabaseMigration or a DatabaseMigrationSet.
     *
     * @return the resource as patched, or null when the patch's test failed: the annotation changed (or the resource
     *         went) since it was read
     */
    static <T extends HasMetadata> T patchIfUnchanged(KubernetesClient client, Class<T> type, T resource,
                                                      String annotation, String patch) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        try {
            return client.resources(type).inNamespace(namespace).withName(name)
                    .patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code != HttpURLConnection.HTTP_CONFLICT && code != 422 && code != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
            // Changed or deleted since it was read: the event of that change brings the next reconcile.
            LOG.info("msg=\"{} annotation changed meanwhile\" resource={}/{} code={}", annotation, namespace, name, code);
            return null;
        }
    }

    /**
     * @param key             the annotation
     * @param resourceVersion also tested first when not null
     * @param left            null removes the annotation
     */
    static String patch(String key, String resourceVersion, String read, String left) {
        // JSON pointer of the annotation: '/' in a key is written ~1.
        String pointer = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
        ArrayNode ops = JSON.createArrayNode();
        if (resourceVersion != null) {
            ops.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
        }
        ObjectNode test = ops.addObject().put("op", "test").put("path", pointer);
        test.put("value", read);
        ObjectNode change = ops.addObject().put("path", pointer);
        if (left == null) {
            change.put("op", "remove");
        } else {
            change.put("op", "replace").put("value", left);
        }
        return ops.toString();
    }
}
