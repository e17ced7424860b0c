package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.validate.SpecValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestReaderTest {
    private static final String MINIMAL = """
      apiVersion: dbmigrate.io/v1alpha1
      kind: DatabaseMigration
      metadata:
        name: %s
      spec:
        database:
          host: localhost
          name: crm
          credentialsSecret: {name: crm-db}
        migrations:
          image: crm-migrations:dev
        targetRevision: %s
        backup:
          mode: Disabled
          reason: laptop
      """;

    @TempDir
    Path dir;

    private static Path repoRoot() {
        return Path.of(System.getProperty("dbmigrate.repo.root", ".."));
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("migration.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String minimal(String name, String target) {
        return MINIMAL.formatted(name, target);
    }

    private String error(String yaml) throws IOException {
        Path file = write(yaml);
        ManifestReader.ManifestException e = assertThrows(ManifestReader.ManifestException.class, () -> ManifestReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsThePhasedCrmExampleAndTheOperatorAcceptsIt() throws Exception {
        DatabaseMigration resource = ManifestReader.read(repoRoot().resolve("examples/crm/databasemigration-phased.yaml"));

        assertEquals(List.of(), SpecValidator.problems(resource.getSpec()));
        assertEquals(List.of("sync-trigger", "expand", "contract"),
                resource.getSpec().steps().stream().map(s -> s.name()).toList());
        assertEquals("crm-api", resource.getSpec().steps().get(2).gate().deploymentRollout().name());
        assertNotNull(resource.getSpec().steps().get(2).gate().approval());
    }

    @Test
    void readsTheCrmExample() throws Exception {
        DatabaseMigration resource = ManifestReader.read(repoRoot().resolve("examples/crm/databasemigration.yaml"));

        assertEquals("crm", resource.getMetadata().getName());
        assertEquals("crm", resource.getMetadata().getNamespace());
        assertEquals("crm-db.crm.svc", resource.getSpec().database().host());
        assertEquals(5432, resource.getSpec().database().port());
        assertEquals(SslMode.PREFER, resource.getSpec().database().sslMode());
        assertEquals("crm-db", resource.getSpec().database().credentialsSecret().name());
        assertEquals("/migrations", resource.getSpec().migrations().path());
        assertEquals("expand@head", resource.getSpec().targetRevision());
        assertEquals(BackupSpec.BackupMode.Required, resource.getSpec().backup().mode());
        assertEquals("crm-backups", resource.getSpec().backup().volume().persistentVolumeClaim().claimName());
        assertEquals(5, resource.getSpec().backup().retain());
        assertEquals(2, resource.getSpec().backoffLimit());
        assertEquals(List.of(), SpecValidator.problems(resource.getSpec()), "the example is a valid spec");
    }

    // The NameError example rehearses one way; the downgrade example rehearses the round trip.
    @ParameterizedTest
    @CsvSource({"databasemigration-nameerror.yaml, efg345hij678, false",
            "databasemigration-downgrade.yaml, klm567nop890, true"})
    void readsTheSeedDefectsExamples(String file, String target, boolean roundTrip) throws Exception {
        DatabaseMigration resource = ManifestReader.read(repoRoot().resolve("examples/seed-defects").resolve(file));

        assertEquals(List.of(), SpecValidator.problems(resource), "the example is a valid resource");
        assertEquals(target, resource.getSpec().targetRevision());
        assertEquals("/migrations/seed-defects", resource.getSpec().migrations().path());
        assertEquals("crm", resource.getSpec().database().name());
        assertEquals(BackupSpec.BackupMode.Required, resource.getSpec().backup().mode());
        RehearsalSpec rehearsal = resource.getSpec().rehearsalOf(resource.getSpec().stepsOrSingle().get(0));
        assertEquals(RehearsalSpec.RehearsalMode.Required, rehearsal.mode());
        assertEquals(roundTrip, rehearsal.roundTripOrDefault());
    }

    @Test
    void aSecretBesideTheMigrationIsSkipped() throws Exception {
        Path file = write("""
        # The Secret and the migration in one file, as people keep them.
        apiVersion: v1
        kind: Secret
        metadata: {name: crm-db}
        stringData: {username: crm, password: not-read}
        ---
        """ + minimal("first", "expand@head") + "---\n");

        DatabaseMigration resource = ManifestReader.read(file);

        assertEquals("first", resource.getMetadata().getName());
        assertEquals("expand@head", resource.getSpec().targetRevision());
    }

    private static final String SET = """
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigrationSet
        metadata: {name: tenants}
        spec:
          template:
            migrations: {image: crm-migrations:dev}
            targetRevision: head
            backup: {mode: Disabled, reason: laptop}
          generators:
          - list:
            - {name: a, database: {host: localhost, name: a, credentialsSecret: {name: db}}}
          rollout: {canary: {count: 1}, maxParallel: 3}
        """;

    @Test
    void readsASetAsStrictlyAsAMigration() throws Exception {
        Path file = write(SET);

        DatabaseMigrationSet set = (DatabaseMigrationSet) ManifestReader.readResource(file);

        assertEquals("tenants", set.getMetadata().getName());
        assertEquals("a", set.getSpec().generators().get(0).list().get(0).name());
        assertEquals(3, set.getSpec().rollout().maxParallel());
        ManifestReader.ManifestException typo = assertThrows(ManifestReader.ManifestException.class,
                () -> ManifestReader.readResource(write(SET.replace("maxParallel", "maxParalel"))));
        assertTrue(typo.getMessage().contains(": spec.rollout.maxParalel: unknown field"), typo.getMessage());
    }

    @Test
    void aSetWhereAMigrationIsExpectedAndASetBesideAMigrationAreRefused() throws Exception {
        assertTrue(error(SET).endsWith(": holds a DatabaseMigrationSet, where a DatabaseMigration is expected"));
        assertTrue(error(minimal("crm", "head") + "---\n" + SET).endsWith(": holds 2 DatabaseMigrations and "
                + "DatabaseMigrationSets (crm, tenants); dbmigrate run runs one: put each in a file of its own"));
    }

    /** The minimal manifest with one more line under spec.database. */
    private static String databaseWith(String line) {
        return minimal("crm", "head").replace("    name: crm\n", "    name: crm\n    " + line + "\n");
    }

    /** Manifests refused with a message that ends by naming the field, what it holds and, where it helps, the fix. */
    static Stream<Arguments> refusedNamingTheField() {
        return Stream.of(
                Arguments.of("two migrations in one file are refused naming both",
                        minimal("first", "expand@head") + "---\n" + minimal("second", "head"),
                        ": holds 2 DatabaseMigrations (first, second); dbmigrate run runs one: put each in a file of its own"),
                // YAML reads +1 as the integer 1, which as a string prefix-matches any revision starting with 1.
                Arguments.of("an unquoted +1 is not coerced into a revision spec", minimal("crm", "+1"),
                        ": spec.targetRevision: expected a string, got the number 1; quote it: \"+1\""),
                Arguments.of("a float port is refused", databaseWith("port: 55433.5"),
                        ": spec.database.port: expected an integer, got the number 55433.5"),
                Arguments.of("a quoted port is refused as the API server does", databaseWith("port: \"5432\""),
                        ": spec.database.port: expected an integer, got \"5432\""),
                Arguments.of("a boolean is not a string", minimal("crm", "true"),
                        ": spec.targetRevision: expected a string, got true; quote it: \"true\""),
                Arguments.of("an unknown top-level field is named", minimal("crm", "head").replace("\nspec:", "\nsepc:"),
                        ": sepc: unknown field (a DatabaseMigration has apiVersion, kind, metadata, spec)"),
                Arguments.of("any other binding error is said without Java type names",
                        minimal("crm", "head") + "  jobTemplate: {resources: {limits: {cpu: {a: 1}}}}\n",
                        ": spec.jobTemplate.resources.limits.cpu: Either integer or string value needs to be provided (line 16)"),
                Arguments.of("a list where a string belongs is named", minimal("crm", "[head]"),
                        ": spec.targetRevision: expected a string, got a list"),
                Arguments.of("a wrong type is an error naming the field", databaseWith("port: fivefourthreetwo"),
                        ": spec.database.port: expected an integer, got \"fivefourthreetwo\""),
                Arguments.of("a value outside an enum is an error naming the field",
                        minimal("crm", "head").replace("mode: Disabled", "mode: Sometimes"),
                        ": spec.backup.mode: expected one of Required, Disabled, got \"Sometimes\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedNamingTheField(String what, String yaml, String messageEnd) throws IOException {
        String message = error(yaml);

        assertTrue(message.endsWith(messageEnd), message);
    }

    /** Manifests refused with a message that says each of these. */
    static Stream<Arguments> refusedSaying() {
        return Stream.of(
                Arguments.of("a duplicate key is refused with its line", minimal("crm", "head")
                        .replace("  targetRevision: head\n", "  targetRevision: head\n  targetRevision: expand@head\n"),
                        List.of("Duplicate field 'targetRevision'", "(line 13)")),
                Arguments.of("an unknown field is an error naming it",
                        minimal("crm", "head").replace("host: localhost", "hots: localhost"),
                        List.of("spec.database.hots", "unknown field")),
                Arguments.of("an unknown field in a list is named with its index", minimal("crm", "head") + """
                  jobTemplate:
                    tolerations:
                    - key: dedicated
                      efect: NoSchedule
                """, List.of("spec.jobTemplate.tolerations[0].efect")),
                Arguments.of("a wrong apiVersion is an error",
                        minimal("crm", "head").replace("dbmigrate.io/v1alpha1", "dbmigrate.io/v1"),
                        List.of("apiVersion", "dbmigrate.io/v1alpha1", "\"dbmigrate.io/v1\"")),
                Arguments.of("a file without a DatabaseMigration is an error",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", List.of("kind: DatabaseMigration")),
                Arguments.of("invalid YAML is an error",
                        "apiVersion: dbmigrate.io/v1alpha1\nkind: DatabaseMigration\nspec: [unclosed\n", List.of("not valid YAML")),
                Arguments.of("a missing name is an error",
                        minimal("crm", "head").replace("  name: crm\nspec", "  namespace: crm\nspec"),
                        List.of("metadata.name is required")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedSaying(String what, String yaml, List<String> fragments) throws IOException {
        String message = error(yaml);

        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), message);
        }
    }

    @Test
    void anSslModeOutsideLibpqsListNamesTheFieldTheValueAndTheChoices() throws IOException {
        String message = error(databaseWith("sslMode: foo"));

        assertTrue(message.endsWith(": spec.database.sslMode: expected one of disable, allow, prefer, require, verify-ca, "
                + "verify-full, got \"foo\""), message);
        assertFalse(message.contains("io.dbmigrate"), message);
    }

    @Test
    void missingFileIsAnError() {
        Path missing = dir.resolve("nope.yaml");

        ManifestReader.ManifestException e = assertThrows(ManifestReader.ManifestException.class,
                () -> ManifestReader.read(missing));

        assertEquals(missing + ": no such file", e.getMessage());
    }
}
