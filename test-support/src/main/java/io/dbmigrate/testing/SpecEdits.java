package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What a person's {@code kubectl edit} does, retried as they would retry it: read the object, change it, write it with
 * the resourceVersion read. On a real API server the operator's status and metadata writes bump that version, so a
 * 409 in between is expected: read again and change again ({@link StatusWrites#retryOnConflict}).
 */
public final class SpecEdits {

    private SpecEdits() {
    }

    /** @throws IllegalStateException when the object is gone */
    public static <T extends HasMetadata> void edit(KubernetesClient client, String what, Supplier<T> read,
                                                    UnaryOperator<T> change) {
        boolean found = StatusWrites.retryOnConflict(what, () -> {
            T current = read.get();
            if (current == null) {
                return false;
            }
            T changed = change.apply(current);
            changed.getMetadata().setManagedFields(null);
            client.resource(changed).update();
            return true;
        });
        if (!found) {
            throw new IllegalStateException(what + ": the object is gone");
        }
    }
}
