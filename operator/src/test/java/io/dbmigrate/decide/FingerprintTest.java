package io.dbmigrate.decide;

import io.dbmigrate.testing.Resources;

import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What decides whether a succeeded step is run again in a later generation. */
class FingerprintTest {

  private static String fingerprint(Resources.Migration migration) {
    DatabaseMigrationSpec spec = migration.spec();
    return Fingerprint.of(spec, spec.stepsOrSingle().get(0));
  }

  private static final String BASE = fingerprint(migration());

  private static void changes(String what, UnaryOperator<Resources.Migration> edit) {
    assertNotEquals(BASE, fingerprint(edit.apply(migration())), what + " must change the fingerprint");
  }

  private static void keeps(String what, UnaryOperator<Resources.Migration> edit) {
    assertEquals(BASE, fingerprint(edit.apply(migration())), what + " must not change the fingerprint");
  }

  @Test
  void isStableAndShort() {
    assertEquals(BASE, fingerprint(migration()));
    assertTrue(BASE.matches("[0-9a-f]{16}"), BASE);
  }

  @Test
  void changesWithTheImageBecauseHeadOfANewImageIsANewTarget() {
    changes("the image", m -> m.image("registry.example.com/crm-migrations:1.0.1"));
  }

  @Test
  void changesWithTheTarget() {
    changes("the target", m -> m.targetRevision("c3d4"));
  }

  @Test
  void changesWithTheDatabase() {
    changes("the host", m -> m.host("crm-db-2.crm.svc"));
    changes("the port", m -> m.port(6432));
    changes("the database name", m -> m.databaseName("crm_eu"));
  }

  @Test
  void changesWithTheMigrationsPath() {
    changes("the path", m -> m.path("/app/alembic"));
  }

  @Test
  void keepsWhatDoesNotDecideTheOutcome() {
    keeps("backup retain", m -> m.backup(new BackupSpec(BackupSpec.BackupMode.Required, null,
        Resources.volume(Resources.CLAIM), 9)));
    keeps("backoffLimit", m -> m.backoffLimit(5));
    keeps("suspend", m -> m.suspend(true));
  }

  @Test
  void theDefaultPortIsThePort() {
    keeps("port 5432 spelled out or defaulted", m -> m.port(null));
  }

  @Test
  void isPerStepTarget() {
    DatabaseMigrationSpec spec = migration().steps(step("expand", "expand@head"), step("contract", "head")).spec();

    assertNotEquals(Fingerprint.of(spec, spec.steps().get(0)), Fingerprint.of(spec, spec.steps().get(1)));
    assertEquals(Fingerprint.of(spec, spec.steps().get(1)), BASE, "contract to head is the single step to head");
  }
}
