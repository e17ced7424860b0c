package io.dbmigrate.testing;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-modify-write of a status subresource the way controllers do it: the write carries the resourceVersion it read,
 * a 409 means somebody else wrote in between (the operator adding an annotation, a real Job controller adding a
 * finalizer), so read again and reapply. A 404 means the object is gone.
 */
public final class StatusWrites {

    private static final Logger LOG = LoggerFactory.getLogger(StatusWrites.class);
    private static final int MAX_ATTEMPTS = 20;

    private StatusWrites() {
    }

    /**
     * @param attempt reads the object, changes its status and writes it; returns false when the object is gone
     * @return false when the object is gone
     */
    public static boolean retryOnConflict(String what, BooleanSupplier attempt) {
        for (int i = 1; ; i++) {
            try {
                return attempt.getAsBoolean();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false;
                }
                if (e.getCode() != 409 || i >= MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.debug(LogLine.of("status-conflict", "object", what, "attempt", i));
            }
        }
    }
}
