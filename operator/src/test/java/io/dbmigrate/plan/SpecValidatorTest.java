package io.dbmigrate.plan;

import static io.dbmigrate.plan.Resources.migration;
import static io.dbmigrate.plan.Resources.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupVolume;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  private static List<String> problems(Resources.Migration migration) {
    return SpecValidator.problems(migration.spec());
  }

  /** Exactly one problem, about this field. */
  private static String onlyProblem(Resources.Migration migration, String field) {
    List<String> problems = problems(migration);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith(field), "names " + field + ": " + problems.get(0));
    return problems.get(0);
  }

  @Test
  void theExampleSpecIsValid() {
    assertEquals(List.of(), problems(migration()));
  }

  @Test
  void noSpec() {
    assertEquals(List.of("spec is required"), problems(migration().withoutSpec()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"head", "heads", "base", "ae1027a6acf", "expand@head", "+2", "ae10+2", "expand@+1", "0001_init"})
  void revisionSpecsAlembicUnderstandsAreAdmitted(String revision) {
    assertEquals(List.of(), problems(migration().targetRevision(revision)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"head; rm -rf /", "$(id)", "-1", "a b", "../x", "`id`", "head\n", "head'", "x@y@z", "--help"})
  void anythingElseIsRefused(String revision) {
    onlyProblem(migration().targetRevision(revision), "spec.targetRevision");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void targetRevisionIsRequired(String revision) {
    assertEquals("spec.targetRevision is required", onlyProblem(migration().targetRevision(revision), "spec.targetRevision"));
  }

  @Test
  void targetRevisionIsAtMost64Characters() {
    String longest = "a".repeat(64);
    // 65 characters the pattern alone would admit (60 + "+1234"): only the length check refuses it.
    String tooLong = "a".repeat(60) + "+1234";

    assertEquals(List.of(), problems(migration().targetRevision(longest)));
    onlyProblem(migration().targetRevision("a".repeat(65)), "spec.targetRevision");
    onlyProblem(migration().targetRevision(tooLong), "spec.targetRevision");
  }

  @Test
  void refusedValuesAreEchoedWithoutControlCharactersOrUnboundedLength() {
    String problem = onlyProblem(migration().targetRevision("head\u001b[31m" + "x".repeat(500)), "spec.targetRevision");

    assertTrue(!problem.contains("\u001b"), problem);
    assertTrue(problem.length() < 250, problem);
  }

  @Test
  void databaseIsRequired() {
    assertEquals(List.of("spec.database is required"), problems(migration().withoutDatabase()));
  }

  @Test
  void hostIsRequiredAndAHostName() {
    onlyProblem(migration().host(null), "spec.database.host is required");
    onlyProblem(migration().host("db.example.com;id"), "spec.database.host");
    onlyProblem(migration().host("-db"), "spec.database.host");
    assertEquals(List.of(), problems(migration().host("10.0.0.7")));
    assertEquals(List.of(), problems(migration().host("fd00::7")));
  }

  @Test
  void portIsBetween1And65535() {
    onlyProblem(migration().port(0), "spec.database.port");
    onlyProblem(migration().port(65536), "spec.database.port");
    assertEquals(List.of(), problems(migration().port(null)));
    assertEquals(List.of(), problems(migration().port(65535)));
  }

  @Test
  void databaseNameIsRequiredAndPlain() {
    onlyProblem(migration().databaseName(""), "spec.database.name is required");
    onlyProblem(migration().databaseName("crm prod"), "spec.database.name");
    onlyProblem(migration().databaseName("x".repeat(64)), "spec.database.name");
    assertEquals(List.of(), problems(migration().databaseName("crm_prod-2")));
  }

  @Test
  void credentialsSecretIsRequiredAndASecretName() {
    onlyProblem(migration().withoutCredentialsSecret(), "spec.database.credentialsSecret is required");
    onlyProblem(migration().secret(null), "spec.database.credentialsSecret.name is required");
    onlyProblem(migration().secret("Crm_DB"), "spec.database.credentialsSecret.name");
  }

  @Test
  void migrationsAreRequired() {
    assertEquals(List.of("spec.migrations is required"), problems(migration().withoutMigrations()));
  }

  @Test
  void imageIsRequiredWithoutWhiteSpace() {
    onlyProblem(migration().image(null), "spec.migrations.image is required");
    onlyProblem(migration().image("registry.example.com/crm:1 --privileged"), "spec.migrations.image");
  }

  @Test
  void pathIsAbsoluteWithoutDotDot() {
    onlyProblem(migration().path("migrations"), "spec.migrations.path");
    onlyProblem(migration().path("/migrations/../etc"), "spec.migrations.path: must not contain ..");
    onlyProblem(migration().path("/mig rations"), "spec.migrations.path");
    assertEquals(List.of(), problems(migration().path(null)));
    assertEquals(List.of(), problems(migration().path("/app/db/alembic")));
  }

  @Test
  void requiredBackupNeedsAVolumeClaim() {
    onlyProblem(migration().backup(null), "spec.backup.volume.persistentVolumeClaim is required");
    onlyProblem(migration().backup(new BackupSpec(null, null, null, null)), "spec.backup.volume.persistentVolumeClaim");
    onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, new BackupVolume(null), null)),
        "spec.backup.volume.persistentVolumeClaim");
    onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume(" "), null)),
        "spec.backup.volume.persistentVolumeClaim.claimName");
  }

  @Test
  void disabledBackupNeedsAReasonAndNoVolume() {
    onlyProblem(migration().backupDisabled(null), "spec.backup.reason");
    onlyProblem(migration().backupDisabled(" "), "spec.backup.reason");
    assertEquals(List.of(), problems(migration().backupDisabled("scratch database, recreated nightly")));
  }

  @Test
  void retainIsBetween1And100() {
    onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume("c"), 0)), "spec.backup.retain");
    onlyProblem(migration().backup(new BackupSpec(BackupSpec.BackupMode.Required, null, volume("c"), 101)), "spec.backup.retain");
    assertEquals(List.of(), problems(migration().backup(new BackupSpec(null, null, volume("c"), 100))));
  }

  @Test
  void backoffLimitIsBetween0And10() {
    onlyProblem(migration().backoffLimit(-1), "spec.backoffLimit");
    onlyProblem(migration().backoffLimit(11), "spec.backoffLimit");
    assertEquals(List.of(), problems(migration().backoffLimit(0)));
    assertEquals(List.of(), problems(migration().backoffLimit(10)));
  }

  @Test
  void activeDeadlineIsAtLeastOneSecond() {
    onlyProblem(migration().jobTemplate(new JobTemplateSpec(null, null, null, null, 0L, null, null)),
        "spec.jobTemplate.activeDeadlineSeconds");
    assertEquals(List.of(), problems(migration().jobTemplate(new JobTemplateSpec(null, null, null, null, 1L, null, null))));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<String> problems = problems(migration().host("").databaseName("").image("").targetRevision("$(id)").backoffLimit(99));

    assertEquals(5, problems.size(), problems.toString());
  }
}
