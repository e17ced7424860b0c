package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.validate.SpecValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @Test
  void twoMigrationsInOneFileAreRefusedNamingBoth() throws IOException {
    String message = error(minimal("first", "expand@head") + "---\n" + minimal("second", "head"));

    assertTrue(message.endsWith(": holds 2 DatabaseMigrations (first, second); dbmigrate run runs one: put each in a "
        + "file of its own"), message);
  }

  @Test
  void anUnquotedPlusOneIsNotCoercedIntoARevisionSpec() throws IOException {
    // YAML reads +1 as the integer 1, which as a string prefix-matches any revision starting with 1.
    String message = error(minimal("crm", "+1"));

    assertTrue(message.endsWith(": spec.targetRevision: expected a string, got the number 1; quote it: \"+1\""),
        message);
  }

  @Test
  void aFloatPortIsRefused() throws IOException {
    String message = error(minimal("crm", "head").replace("    name: crm\n", "    name: crm\n    port: 55433.5\n"));

    assertTrue(message.endsWith(": spec.database.port: expected an integer, got the number 55433.5"), message);
  }

  @Test
  void aQuotedPortIsRefusedAsTheApiServerDoes() throws IOException {
    String message = error(minimal("crm", "head").replace("    name: crm\n", "    name: crm\n    port: \"5432\"\n"));

    assertTrue(message.endsWith(": spec.database.port: expected an integer, got \"5432\""), message);
  }

  @Test
  void aBooleanIsNotAString() throws IOException {
    String message = error(minimal("crm", "true"));

    assertTrue(message.endsWith(": spec.targetRevision: expected a string, got true; quote it: \"true\""), message);
  }

  @Test
  void aDuplicateKeyIsRefusedWithItsLine() throws IOException {
    String message = error(minimal("crm", "head").replace("  targetRevision: head\n",
        "  targetRevision: head\n  targetRevision: expand@head\n"));

    assertTrue(message.contains("Duplicate field 'targetRevision'"), message);
    assertTrue(message.contains("(line 13)"), message);
  }

  @Test
  void anUnknownTopLevelFieldIsNamed() throws IOException {
    String message = error(minimal("crm", "head").replace("\nspec:", "\nsepc:"));

    assertTrue(message.endsWith(": sepc: unknown field (a DatabaseMigration has apiVersion, kind, metadata, spec)"),
        message);
  }

  @Test
  void anSslModeOutsideLibpqsListNamesTheFieldTheValueAndTheChoices() throws IOException {
    String message = error(minimal("crm", "head").replace("    name: crm\n", "    name: crm\n    sslMode: foo\n"));

    assertTrue(message.endsWith(": spec.database.sslMode: expected one of disable, allow, prefer, require, verify-ca, "
        + "verify-full, got \"foo\""), message);
    assertFalse(message.contains("io.dbmigrate"), message);
  }

  @Test
  void anyOtherBindingErrorIsSaidWithoutJavaTypeNames() throws IOException {
    String message = error(minimal("crm", "head") + "  jobTemplate: {resources: {limits: {cpu: {a: 1}}}}\n");

    assertTrue(message.endsWith(": spec.jobTemplate.resources.limits.cpu: Either integer or string value needs to be "
        + "provided (line 16)"), message);
  }

  @Test
  void aListWhereAStringBelongsIsNamed() throws IOException {
    String message = error(minimal("crm", "[head]"));

    assertTrue(message.endsWith(": spec.targetRevision: expected a string, got a list"), message);
  }

  @Test
  void unknownFieldIsAnErrorNamingIt() throws IOException {
    String message = error(minimal("crm", "head").replace("host: localhost", "hots: localhost"));

    assertTrue(message.contains("spec.database.hots"), message);
    assertTrue(message.contains("unknown field"), message);
  }

  @Test
  void unknownFieldInAListIsNamedWithItsIndex() throws IOException {
    String message = error(minimal("crm", "head") + """
          jobTemplate:
            tolerations:
            - key: dedicated
              efect: NoSchedule
        """);

    assertTrue(message.contains("spec.jobTemplate.tolerations[0].efect"), message);
  }

  @Test
  void wrongTypeIsAnErrorNamingTheField() throws IOException {
    String message = error(minimal("crm", "head").replace("    name: crm\n", "    name: crm\n    port: fivefourthreetwo\n"));

    assertTrue(message.endsWith(": spec.database.port: expected an integer, got \"fivefourthreetwo\""), message);
  }

  @Test
  void valueOutsideAnEnumIsAnErrorNamingTheField() throws IOException {
    String message = error(minimal("crm", "head").replace("mode: Disabled", "mode: Sometimes"));

    assertTrue(message.endsWith(": spec.backup.mode: expected one of Required, Disabled, got \"Sometimes\""), message);
  }

  @Test
  void wrongApiVersionIsAnError() throws IOException {
    String message = error(minimal("crm", "head").replace("dbmigrate.io/v1alpha1", "dbmigrate.io/v1"));

    assertTrue(message.contains("apiVersion"), message);
    assertTrue(message.contains("dbmigrate.io/v1alpha1"), message);
    assertTrue(message.contains("\"dbmigrate.io/v1\""), message);
  }

  @Test
  void fileWithoutADatabaseMigrationIsAnError() throws IOException {
    String message = error("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");

    assertTrue(message.contains("kind: DatabaseMigration"), message);
  }

  @Test
  void missingFileIsAnError() {
    Path missing = dir.resolve("nope.yaml");

    ManifestReader.ManifestException e = assertThrows(ManifestReader.ManifestException.class,
        () -> ManifestReader.read(missing));

    assertEquals(missing + ": no such file", e.getMessage());
  }

  @Test
  void invalidYamlIsAnError() throws IOException {
    String message = error("apiVersion: dbmigrate.io/v1alpha1\nkind: DatabaseMigration\nspec: [unclosed\n");

    assertTrue(message.contains("not valid YAML"), message);
  }

  @Test
  void missingNameIsAnError() throws IOException {
    String message = error(minimal("crm", "head").replace("  name: crm\nspec", "  namespace: crm\nspec"));

    assertTrue(message.contains("metadata.name is required"), message);
  }
}
