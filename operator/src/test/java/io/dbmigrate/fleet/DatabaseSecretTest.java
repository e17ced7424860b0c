package io.dbmigrate.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseSecretTest {

    private static Secret secret(Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName("acme-app").endMetadata().withData(data).build();
    }

    @Test
    void readsWhatCloudNativePgWritesButNotThePassword() {
        DatabaseSecret secret = DatabaseSecret.of(secret(Map.of("host", "acme-rw", "port", "5432", "dbname", "app",
                "user", "app", "username", "app", "password", "s3cret", "uri", "postgresql://app:s3cret@acme-rw/app")));

        assertEquals(new DatabaseSecret("acme-app", "acme-rw", "5432", "app", "username", true), secret);
        assertEquals(false, secret.toString().contains("s3cret"), "the password's value is never read");
    }

    @Test
    void userIsTheUserKeyWithoutUsername() {
        assertEquals("user", DatabaseSecret.of(secret(Map.of("user", "app"))).userKey());
    }

    @Test
    void missingKeysAreNull() {
        assertEquals(new DatabaseSecret("acme-app", null, null, null, null, false), DatabaseSecret.of(secret(Map.of())));
    }
}
