package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.testing.Resources;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    /** What decides the outcome of a step: the database, what runs and where it goes (head of a new image is new). */
    private static final Map<String, UnaryOperator<Resources.Migration>> DECIDES = Map.of(
            "the image", m -> m.image("registry.example.com/crm-migrations:1.0.1"),
            "the target", m -> m.targetRevision("c3d4"),
            "the host", m -> m.host("crm-db-2.crm.svc"),
            "the port", m -> m.port(6432),
            "the database name", m -> m.databaseName("crm_eu"),
            "the path", m -> m.path("/app/alembic"));

    /** What does not: how backups are kept, retries, suspension, and port 5432 spelled out or defaulted. */
    private static final Map<String, UnaryOperator<Resources.Migration>> DOES_NOT_DECIDE = Map.of(
            "backup retain", m -> m.backup(new BackupSpec(BackupSpec.BackupMode.Required, null,
                    Resources.volume(Resources.CLAIM), 9, null)),
            "backoffLimit", m -> m.backoffLimit(5),
            "suspend", m -> m.suspend(true),
            "the default port", m -> m.port(null));

    static Stream<String> decisive() {
        return DECIDES.keySet().stream().sorted();
    }

    static Stream<String> notDecisive() {
        return DOES_NOT_DECIDE.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("decisive")
    void changesWithWhatDecidesTheOutcome(String what) {
        changes(what, DECIDES.get(what));
    }

    @ParameterizedTest
    @MethodSource("notDecisive")
    void keepsWhatDoesNotDecideTheOutcome(String what) {
        keeps(what, DOES_NOT_DECIDE.get(what));
    }

    @Test
    void isPerStepTarget() {
        DatabaseMigrationSpec spec = migration().steps(step("expand", "expand@head"), step("contract", "head")).spec();

        assertNotEquals(Fingerprint.of(spec, spec.steps().get(0)), Fingerprint.of(spec, spec.steps().get(1)));
        assertEquals(Fingerprint.of(spec, spec.steps().get(1)), BASE, "contract to head is the single step to head");
    }
}
