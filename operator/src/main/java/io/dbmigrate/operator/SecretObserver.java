package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.observe.SecretObservation;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that the credentials Secret exists and has its keys, with a `get` on that one Secret: no list or watch of
 * Secrets, so the operator needs no cluster-wide read access to them. Values are never read into logs or status.
 */
public final class SecretObserver {
    private final KubernetesClient client;

    public SecretObserver(KubernetesClient client) {
        this.client = client;
    }

    public SecretObservation observe(String namespace, CredentialsSecretRef ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
        if (secret == null) {
            return SecretObservation.MISSING;
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of(ref.usernameKeyOrDefault(), ref.passwordKeyOrDefault())) {
            boolean inData = secret.getData() != null && secret.getData().containsKey(key);
            boolean inStringData = secret.getStringData() != null && secret.getStringData().containsKey(key);
            if (!inData && !inStringData) {
                missing.add(key);
            }
        }
        return new SecretObservation(true, missing);
    }
}
