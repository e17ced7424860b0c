package io.dbmigrate.operator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class StartFailureTest {
    private static final String SERVER = "https://10.0.0.1:6443/";
    private static final File KUBECONFIG = new File("/home/ops/.kube/config");

    @Test
    void namesTheKubeconfigTheServerAndWhatWentWrong() {
        assertEquals("cannot start the operator: kubeconfig /home/ops/.kube/config names https://10.0.0.1:6443/, and "
                        + "nothing accepts connections there",
                StartFailure.describe(SERVER, KUBECONFIG, new KubernetesClientException("failed", new ConnectException("x"))));
        assertEquals("cannot start the operator: no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not in a pod, so "
                        + "the default https://kubernetes.default.svc/, and its host name does not resolve",
                StartFailure.describe("https://kubernetes.default.svc/", null,
                        new KubernetesClientException("failed", new UnresolvedAddressException())));
    }

    @Test
    void aMissingCrdIsNamedWithItsFix() {
        assertEquals("cannot start the operator: kubeconfig /home/ops/.kube/config names https://10.0.0.1:6443/, and the "
                        + "API server does not know a dbmigrate.io resource (404: databasemigrations or databasemigrationsets): apply the CRDs first, kubectl apply -f crds/",
                StartFailure.describe(SERVER, KUBECONFIG, new KubernetesClientException("Failure executing: GET", 404, null)));
        assertEquals("cannot start the operator: kubeconfig /home/ops/.kube/config names https://10.0.0.1:6443/, and the "
                        + "API server refused its credentials (401 Unauthorized)",
                StartFailure.describe(SERVER, KUBECONFIG, new KubernetesClientException("Unauthorized", 401, null)));
    }
}
