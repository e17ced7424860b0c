package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.SecretsGeneratorSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Secrets informer's cache, for secrets generators: of each Secret its name and labels, the values of host, port and
 * dbname, and whether user, username and password exist. The operator sees every Secret of the watched namespaces
 * (a set's selector is the user's, so the informer cannot filter), but never holds a credential: the children read
 * them by secretKeyRef. Helm's release Secrets, the largest in most namespaces, shrink to their metadata.
 */
final class DatabaseSecretStore extends SlimItemStore<Secret> {
    private static final Set<String> VALUES = Set.of(SecretsGeneratorSpec.HOST_KEY, SecretsGeneratorSpec.PORT_KEY,
            SecretsGeneratorSpec.DBNAME_KEY);
    private static final Set<String> PRESENCE = Set.of(SecretsGeneratorSpec.USER_KEY, SecretsGeneratorSpec.USERNAME_KEY,
            SecretsGeneratorSpec.PASSWORD_KEY);

    DatabaseSecretStore() {
        super(DatabaseSecretStore::slim);
    }

    static Secret slim(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> {
                if (VALUES.contains(key)) {
                    data.put(key, value);
                } else if (PRESENCE.contains(key)) {
                    data.put(key, "");
                }
            });
        }
        return new SecretBuilder()
                .withApiVersion(secret.getApiVersion())
                .withKind(secret.getKind())
                .withMetadata(identity(secret).withLabels(secret.getMetadata().getLabels()).build())
                .withData(data)
                .build();
    }
}
