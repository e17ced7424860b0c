package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.SecretsGeneratorSpec;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A Secret that describes one database, as the secrets generator reads it: where the database is, and which keys hold
 * the credentials. The password's value is never read, only that its key exists; the child reads it by secretKeyRef.
 *
 * @param userKey the key holding the user name: user (CloudNativePG) or username; null when neither exists
 */
public record DatabaseSecret(String name, String host, String port, String dbname, String userKey, boolean hasPassword) {

    public static DatabaseSecret of(Secret secret) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        String userKey = data.containsKey(SecretsGeneratorSpec.USERNAME_KEY) ? SecretsGeneratorSpec.USERNAME_KEY
                : data.containsKey(SecretsGeneratorSpec.USER_KEY) ? SecretsGeneratorSpec.USER_KEY : null;
        return new DatabaseSecret(secret.getMetadata().getName(), decoded(data, SecretsGeneratorSpec.HOST_KEY),
                decoded(data, SecretsGeneratorSpec.PORT_KEY), decoded(data, SecretsGeneratorSpec.DBNAME_KEY), userKey,
                data.containsKey(SecretsGeneratorSpec.PASSWORD_KEY));
    }

    private static String decoded(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8).strip();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
