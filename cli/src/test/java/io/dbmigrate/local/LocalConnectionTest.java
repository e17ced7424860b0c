package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.runner.ConnectionSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocalConnectionTest {
    private static final String SECRET = "hunter2-Zq9";
    private static final DatabaseSpec MANIFEST = new DatabaseSpec("crm-db.crm.svc", 5432, "crm", SslMode.REQUIRE,
            new CredentialsSecretRef("crm-db", null, null));

    @Test
    void manifestGivesWhereAndTheEnvironmentWho() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of("PGUSER", "crm", "PGPASSWORD", SECRET), null);

        assertEquals(new ConnectionSettings("crm-db.crm.svc", 5432, "crm", "crm", SECRET, "require"), settings);
    }

    @Test
    void theSchemaComesFromTheManifestAlone() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST.withSchema("tenant_a"),
                Map.of("PGUSER", "crm", "PGPASSWORD", SECRET, "DBMIGRATE_SCHEMA", "tenant_b"),
                "postgresql://ci@db.ci.internal/crm_ci");

        assertEquals(new ConnectionSettings("db.ci.internal", 5432, "crm_ci", "ci", SECRET, "require", "tenant_a"),
                settings);
        assertNull(LocalConnection.resolve(MANIFEST, Map.of("PGUSER", "crm", "DBMIGRATE_SCHEMA", "tenant_b"), null)
                .schema(), "a shell's DBMIGRATE_SCHEMA migrates no other tenant than the manifest's");
    }

    @Test
    void aManifestsSystemSchemaIsRefused() {
        RunnerException e = assertThrows(RunnerException.class, () -> LocalConnection.resolve(
                MANIFEST.withSchema("pg_catalog"), Map.of("PGUSER", "crm"), null));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith("DBMIGRATE_SCHEMA: 'pg_catalog' is a system schema"), e.getMessage());
    }

    @Test
    void environmentOverridesTheManifest() throws RunnerException {
        Map<String, String> env = Map.of("PGHOST", "localhost", "PGPORT", "15432", "PGDATABASE", "crm_test",
                "PGSSLMODE", "disable", "PGUSER", "dev");

        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, env, null);

        assertEquals(new ConnectionSettings("localhost", 15432, "crm_test", "dev", null, "disable"), settings);
    }

    @Test
    void aTargetOfASetTakesWhereFromItselfAndOnlyWhoFromTheEnvironment() throws RunnerException {
        Map<String, String> env = Map.of("PGHOST", "localhost", "PGPORT", "15432", "PGDATABASE", "crm_test",
                "PGSSLMODE", "disable", "PGUSER", "dev", "PGPASSWORD", SECRET);

        ConnectionSettings settings = LocalConnection.forTarget("tenant-a", MANIFEST, env);

        assertEquals(new ConnectionSettings("crm-db.crm.svc", 5432, "crm", "dev", SECRET, "require"), settings);
    }

    @Test
    void aTargetOfASetWithoutPguserIsBadInput() {
        RunnerException e = assertThrows(RunnerException.class,
                () -> LocalConnection.forTarget("tenant-a", MANIFEST, Map.of("PGPASSWORD", SECRET)));

        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith("no database user: set PGUSER"), e.getMessage());
    }

    @Test
    void blankEnvironmentVariablesDoNotOverride() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of("PGHOST", "", "PGDATABASE", " ",
                "PGUSER", "dev"), null);

        assertEquals("crm-db.crm.svc", settings.host());
        assertEquals("crm", settings.database());
    }

    @Test
    void databaseUrlOverridesTheEnvironment() throws RunnerException {
        Map<String, String> env = Map.of("PGHOST", "localhost", "PGPORT", "15432", "PGDATABASE", "crm_test",
                "PGUSER", "dev", "PGPASSWORD", "from-env", "PGSSLMODE", "disable");

        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, env,
                "postgresql://ci:" + SECRET + "@db.ci.internal:6543/crm_ci?sslmode=verify-full");

        assertEquals(new ConnectionSettings("db.ci.internal", 6543, "crm_ci", "ci", SECRET, "verify-full"), settings);
    }

    @Test
    void aUrlWithoutDatabaseOrSslModeKeepsTheManifestsButItsHostComesWithPort5432() throws RunnerException {
        // The manifest's port (and PGPORT) belong to the manifest's host: a URL naming another host means libpq's 5432.
        DatabaseSpec manifest = new DatabaseSpec("crm-db.crm.svc", 6543, "crm", SslMode.REQUIRE, MANIFEST.credentialsSecret());
        ConnectionSettings settings = LocalConnection.resolve(manifest, Map.of("PGPORT", "15432", "PGPASSWORD", SECRET),
                "postgresql://ci@db.ci.internal");

        assertEquals(new ConnectionSettings("db.ci.internal", 5432, "crm", "ci", SECRET, "require"), settings);
    }

    @Test
    void theUrlsUserIsHonouredWithAHostNameDockerComposeWouldGive() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of("PGUSER", "dev", "PGPASSWORD", SECRET),
                "postgresql://migrator@crm_db:15432/crm");

        assertEquals(new ConnectionSettings("crm_db", 15432, "crm", "migrator", SECRET, "require"), settings);
    }

    @Test
    void anIpv6HostWithItsPort() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of(), "postgresql://ci@[::1]:15432/crm");

        assertEquals("::1", settings.host());
        assertEquals(15432, settings.port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "postgresql://ci@localhost:abc/crm            | --database-url: port 'abc' is not a port number (1..65535)",
            "postgresql://ci@localhost:70000/crm          | --database-url: port '70000' is not a port number (1..65535)",
            "postgresql://ci@localhost:0/crm              | --database-url: port '0' is not a port number (1..65535)",
            "postgresql://ci@localhost:/crm               | --database-url: port '' is not a port number (1..65535)",
            "postgresql://ci@localhost/crm?sslmod=require | --database-url: unknown parameter 'sslmod' (the only one read is sslmode)",
            "postgresql://ci@localhost/crm?sslmode=on     | --database-url: sslmode 'on' is not one of disable, allow, prefer, require, verify-ca, verify-full",
            "postgresql://ci@h1,h2/crm                    | --database-url: names several hosts; give one",
            "postgresql://ci@/crm                         | --database-url: no host (postgresql://USER@HOST[:PORT]/DB)",
            "postgresql://ci@local host/crm               | --database-url: 'local host' is not a host name or address",
            "postgresql://ci@localhost/crm/x              | --database-url: the database name 'crm/x' holds a /",
            "mysql://ci@localhost/crm                     | --database-url: must start with postgresql://",
    })
    void aUrlIsReadStrictly(String url, String message) {
        RunnerException e = assertThrows(RunnerException.class, () -> LocalConnection.resolve(MANIFEST, Map.of(), url));

        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertEquals(message, e.getMessage());
    }

    @Test
    void withoutManifestEverythingComesFromTheUrl() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(null, Map.of(), "postgres://ci:" + SECRET + "@127.0.0.1/crm");

        assertEquals(new ConnectionSettings("127.0.0.1", 5432, "crm", "ci", SECRET, "prefer"), settings);
    }

    @Test
    void percentEncodedPasswordIsDecoded() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of(),
                "postgresql://crm%40eu:p%40ss%3Aw0rd%2F%25@localhost/crm%20db");

        assertEquals("crm@eu", settings.user());
        assertEquals("p@ss:w0rd/%", settings.password());
        assertEquals("crm db", settings.database());
    }

    @Test
    void plusInAPasswordIsAPlus() throws RunnerException {
        // A URL's userinfo is not a form: '+' is a plus, not a space.
        assertEquals("a+b", LocalConnection.resolve(MANIFEST, Map.of(), "postgresql://u:a+b@localhost/crm").password());
    }

    @Test
    void noUserIsAnError() {
        RunnerException e = assertThrows(RunnerException.class, () -> LocalConnection.resolve(MANIFEST,
                Map.of("PGPASSWORD", SECRET), null));

        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("PGUSER"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void urlWithoutUserIsAnErrorToo() {
        RunnerException e = assertThrows(RunnerException.class,
                () -> LocalConnection.resolve(MANIFEST, Map.of(), "postgresql://localhost/crm"));

        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mysql://ci:" + SECRET + "@localhost/crm",
            "postgresql://ci:" + SECRET + "@local host/crm",
            "postgresql://ci:" + SECRET + "@localhost/crm?sslmode=sometimes",
            "postgresql://ci:" + SECRET + "@localhost:99999/crm",
            "postgresql://ci:" + SECRET + "%zz@localhost/crm",
            "postgresql://ci:" + SECRET + "@/crm",
            "postgresql://:" + SECRET + "@localhost/crm",
            "postgresql://ci:" + SECRET + "@[::1/crm",
            "ci:" + SECRET + "@localhost/crm",
    })
    void passwordNeverAppearsInAnError(String url) {
        Exception e = assertThrows(Exception.class, () -> LocalConnection.resolve(null, Map.of(), url));

        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), t.toString());
            assertFalse(t.toString().contains(SECRET), t.toString());
        }
        assertTrue(e instanceof RunnerException, "a user error, not a crash: " + e);
    }

    @Test
    void settingsDoNotPrintThePassword() throws RunnerException {
        ConnectionSettings settings = LocalConnection.resolve(MANIFEST, Map.of(), "postgresql://ci:" + SECRET + "@localhost/crm");

        assertFalse(settings.toString().contains(SECRET), settings.toString());
        assertFalse(settings.describe().contains(SECRET), settings.describe());
    }

    @Test
    void noPasswordAnywhereIsNoPassword() throws RunnerException {
        assertNull(LocalConnection.resolve(MANIFEST, Map.of("PGUSER", "dev"), null).password());
    }
}
