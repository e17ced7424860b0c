package io.dbmigrate.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * Why the operator could not start, in words that point at the fix: which kubeconfig (or none) sent it to which
 * server, and what that server did. An exception's class name is not an answer.
 */
public final class StartFailure {
    private StartFailure() {
    }

    /**
     * @param server     the API server the client tried
     * @param kubeconfig the kubeconfig file it was read from, null when there was none (in-cluster or defaults)
     * @param error      what the start threw
     */
    public static String describe(String server, File kubeconfig, Throwable error) {
        String from = kubeconfig == null
                ? "no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not in a pod, so the default " + server
                : "kubeconfig " + kubeconfig.getAbsolutePath() + " names " + server;
        return "cannot start the operator: " + from + ", and " + what(server, error);
    }

    private static String what(String server, Throwable error) {
        KubernetesClientException api = find(error, KubernetesClientException.class);
        if (api != null && api.getCode() > 0) {
            return switch (api.getCode()) {
                case 401 -> "the API server refused its credentials (401 Unauthorized)";
                case 403 -> "the API server forbade a request (403 Forbidden): " + firstLine(api.getMessage())
                        + "; see the permissions in charts/dbmigrate-operator/README.md";
                case 404 -> "the API server does not know a dbmigrate.io resource (404: databasemigrations or databasemigrationsets): apply the CRDs first, "
                        + "kubectl apply -f crds/";
                default -> "the API server answered " + api.getCode() + ": " + firstLine(api.getMessage());
            };
        }
        if (find(error, UnknownHostException.class) != null || find(error, UnresolvedAddressException.class) != null) {
            return "its host name does not resolve";
        }
        if (find(error, ConnectException.class) != null || find(error, ClosedChannelException.class) != null) {
            return "nothing accepts connections there";
        }
        SSLException tls = find(error, SSLException.class);
        if (tls != null) {
            return "the TLS handshake failed: " + firstLine(tls.getMessage());
        }
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return "the start failed: " + (root.getMessage() == null ? root.getClass().getSimpleName()
                : firstLine(root.getMessage()));
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }
}
