package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.fleet.DatabaseSecret;
import io.dbmigrate.testing.Sets;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Secrets cache holds what a secrets generator reads, and no credential or other data of the namespace's Secrets. */
class DatabaseSecretStoreTest {

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    // A CloudNativePG app Secret, with the keys it writes beyond the five read.
    private static Secret cnpgSecret(Map<String, String> labels) {
        return new SecretBuilder()
                .withNewMetadata().withName("acme-app").withNamespace("tenants").withUid("u1").withResourceVersion("7")
                    .withLabels(labels).addToAnnotations("note", "x".repeat(10_000)).endMetadata()
                .addToData("host", b64("acme-rw")).addToData("port", b64("5432")).addToData("dbname", b64("app"))
                .addToData("user", b64("app")).addToData("username", b64("app")).addToData("password", b64("hunter2"))
                .addToData("uri", b64("postgresql://app:hunter2@acme-rw:5432/app"))
                .addToData("pgpass", b64("acme-rw:5432:app:app:hunter2"))
                .build();
    }

    @Test
    void theCacheKeepsLocationAndKeyNamesButNoCredential() {
        DatabaseSecretStore store = new DatabaseSecretStore();
        Secret secret = cnpgSecret(Map.of("tier", "tenant"));
        store.put("tenants/acme-app", secret);
        Secret kept = store.get("tenants/acme-app");

        String json = new KubernetesSerialization().asJson(kept);
        assertFalse(json.contains(b64("hunter2")) || json.contains("hunter2"), json);
        assertEquals(Map.of("tier", "tenant"), kept.getMetadata().getLabels());
        assertEquals("7", kept.getMetadata().getResourceVersion());
        assertEquals(java.util.Set.of("host", "port", "dbname", "user", "username", "password"), kept.getData().keySet());
        assertEquals(DatabaseSecret.of(secret), DatabaseSecret.of(kept), "the generator reads the slim copy as the whole");
    }

    @Test
    void aSetSelectsTheSecretsThatCarryAllItsLabels() {
        DatabaseMigrationSet set = Sets.set(null, Sets.list(Sets.targets("globex")),
                Sets.secrets(Map.of("tier", "tenant", "cnpg.io/reload", "true")));

        assertTrue(SetObserver.selects(set, cnpgSecret(Map.of("tier", "tenant", "cnpg.io/reload", "true", "x", "y"))));
        assertFalse(SetObserver.selects(set, cnpgSecret(Map.of("tier", "tenant"))), "one label of two");
        assertFalse(SetObserver.selects(set, cnpgSecret(null)), "no labels");
        assertFalse(SetObserver.selects(Sets.set(null, Sets.list(Sets.targets("globex"))),
                cnpgSecret(Map.of("tier", "tenant"))), "a list generator selects no Secret");
    }
}
