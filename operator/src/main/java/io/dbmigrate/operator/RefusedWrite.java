package io.dbmigrate.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

/**
 * The API server refused, as invalid, an object the operator built from the spec (a Job, a plan ConfigMap): 400, or
 * 422 with reason Invalid or BadRequest. Only these end a generation as RejectedByApiServer; an error of any other
 * call (a conflict, a timeout, the operator's own status patch) stays an error JOSDK retries.
 */
final class RefusedWrite extends RuntimeException {

    private RefusedWrite(String message, KubernetesClientException cause) {
        super(message, cause);
    }

    /** This refusal as a RefusedWrite, or the exception itself when the server did not refuse the object as invalid. */
    static RuntimeException orRethrow(String what, KubernetesClientException e) {
        if (!invalid(e)) {
            return e;
        }
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        return new RefusedWrite("The API server refused " + what + " (" + e.getCode() + "): " + detail, e);
    }

    static boolean invalid(KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST) {
            return true;
        }
        String reason = e.getStatus() == null ? null : e.getStatus().getReason();
        return e.getCode() == 422 && (reason == null || "Invalid".equals(reason) || "BadRequest".equals(reason));
    }

    /** The RefusedWrite among the causes of this exception, or null. */
    static RefusedWrite in(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedWrite refused) {
                return refused;
            }
        }
        return null;
    }
}
