package io.dbmigrate.e2e;

import static io.dbmigrate.e2e.Scenario.TIMEOUT;
import static io.dbmigrate.e2e.Scenario.assertStaysTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.decide.StampRequests;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.runner.Upgrade;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestClock;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.rbac.AuditedCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5 end to end: a rehearsal on a restored copy before production, maintenance windows on a test clock,
 * spec.baseline and the stamp annotation; on examples/crm and on examples/seed-defects (the seed's bugs).
 */
class RehearsalWindowStampIT {
    private static final String CRM_IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    // examples/crm and examples/seed-defects side by side, as examples/seed-defects/README.md builds the image.
    private static final String DEFECTS_IMAGE = PodImages.project("registry.example.com/crm-migrations:1.1.0-seed-defects");
    private static final String DEFECTS_PATH = "/migrations/seed-defects";
    private static final String NAME_ERROR = "efg345hij678"; // the seed's `sa` used without its import
    private static final String ERASURE = "klm567nop890"; // its downgrade sets NOT NULL over NULLs, as the seed's
    private static final String BASE_TABLES = "xyz789uvw012";
    private static final String PREFERENCES = "abc123def456";
    private static final String METADATA = "mno345pqr678";
    private static final String SCRATCH = "select count(*) from pg_database where datname like 'dbmigrate\\_rehearsal\\_%'";

    // The stamp annotation's removal is the operator's metadata patch: the chart must allow it.
    @RegisterExtension
    static final AuditedCluster CLUSTER = AuditedCluster.of(() -> Map.of(
                    CRM_IMAGE, PodImages.folders(CRM_IMAGE, TestCluster.repoRoot().resolve("examples/crm")),
                    DEFECTS_IMAGE, PodImages.folders(DEFECTS_IMAGE, TestCluster.repoRoot().resolve("examples"))),
            List.of("patch dbmigrate.io/databasemigrations ", "create batch/jobs"));

    private static TestCluster cluster() {
        return CLUSTER.cluster();
    }

    @Test
    void aRehearsalWithARoundTripPassesOnACopyThenProductionUpgrades() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_rehearse"); Scenario s = new Scenario(CLUSTER, db, "e2e-rehearse")) {
            long scratchBefore = db.queryLong(SCRATCH);
            s.create(CRM_IMAGE, """
          targetRevision: %s
          rehearsal: {mode: Required, roundTrip: true}
          """.formatted(METADATA));

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(METADATA), db.alembicVersion());
            StepStatus step = done.steps().get(0);
            assertEquals("Passed", step.rehearsal().result(), step.toString());
            assertEquals(Boolean.TRUE, step.rehearsal().roundTrip());
            assertEquals("base", step.rehearsal().fromRevision());
            assertEquals(METADATA, step.rehearsal().toRevision());
            assertNotNull(step.rehearsal().duration());
            assertEquals(scratchBefore, db.queryLong(SCRATCH), "the scratch database was dropped");
            HistoryEntry entry = done.history().get(0);
            assertEquals("Succeeded", entry.outcome());
            assertEquals("Passed", entry.rehearsal());
            assertEquals(METADATA, entry.toRevision());
            assertNotNull(entry.backupFile());
            s.awaitEvents("RehearsalPassed");
        }
    }

    @Test
    void aRehearsalFailingOnTheSeedsNameErrorLeavesProductionAsItWas() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_nameerror"); Scenario s = new Scenario(CLUSTER, db, "e2e-nameerror")) {
            List<String> before = seedDefectsDatabase(db);
            long scratchBefore = db.queryLong(SCRATCH);
            s.create(DEFECTS_IMAGE, DEFECTS_PATH, """
          targetRevision: %s
          rehearsal: {mode: Required}
          """.formatted(NAME_ERROR));

            DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 1);
            assertStalled(failed, "RehearsalFailed");
            StepStatus step = failed.steps().get(0);
            assertEquals("Failed", step.rehearsal().result());
            assertEquals("upgrade", step.rehearsal().failedPhase());
            assertEquals(NAME_ERROR, step.rehearsal().failedRevision());
            assertTrue(step.rehearsal().error().contains("NameError"), step.rehearsal().error());
            assertTrue(failed.message().contains(NAME_ERROR), failed.message());
            assertEquals(before, db.alembicVersion(), "production untouched");
            assertEquals(scratchBefore, db.queryLong(SCRATCH), "no scratch database left behind");
            assertEquals("RehearsalFailed", failed.history().get(0).reason());
            assertEquals("Failed", failed.history().get(0).rehearsal());
        }
    }

    @Test
    void aRoundTripFailingOnTheSeedsDowngradeLeavesProductionAsItWas() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_roundtrip"); Scenario s = new Scenario(CLUSTER, db, "e2e-roundtrip")) {
            List<String> before = seedDefectsDatabase(db);
            long customers = db.queryLong("select count(*) from customers");
            long scratchBefore = db.queryLong(SCRATCH);
            s.create(DEFECTS_IMAGE, DEFECTS_PATH, """
          targetRevision: %s
          rehearsal: {mode: Required, roundTrip: true}
          """.formatted(ERASURE));

            DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 1);
            assertStalled(failed, "RehearsalFailed");
            StepStatus step = failed.steps().get(0);
            assertEquals("downgrade", step.rehearsal().failedPhase(), step.rehearsal().toString());
            assertTrue(step.rehearsal().error().contains("contains null values"), step.rehearsal().error());
            assertEquals(before, db.alembicVersion(), "production untouched");
            assertEquals(customers, db.queryLong("select count(*) from customers"), "nobody erased in production");
            assertEquals(scratchBefore, db.queryLong(SCRATCH), "no scratch database left behind");
        }
    }

    private static void assertStalled(DatabaseMigrationStatus status, String reason) {
        StatusCondition stalled = status.conditions().stream().filter(c -> c.type().equals("Stalled")).findFirst()
                .orElseThrow();
        assertEquals("True", stalled.status(), status.toString());
        assertEquals(reason, stalled.reason(), status.message());
    }

    // The crm database at expand@head through the seed-defects project, with customers of whom some asked to be erased.
    private static List<String> seedDefectsDatabase(TestDatabase db) throws Exception {
        upgradeDirectly(db, "expand@head", "examples/seed-defects");
        db.execute("insert into customers (email, name, preferences) select 'c' || g || '@example.com', 'Customer ' || g,"
                + " case when g % 5 = 0 then '{\"erasure_requested\": true}' else '{}' end::jsonb"
                + " from generate_series(1, 20) g");
        db.execute("insert into tickets (customer_id, subject) select c.id, 'ticket ' || t from customers c"
                + " cross join generate_series(1, 2) t");
        db.execute("insert into messages (customer_id, ticket_id, body) select t.customer_id, t.id, 'about ' || t.subject"
                + " from tickets t");
        return db.alembicVersion();
    }

    @Test
    void aClosedWindowHoldsTheStepAndAnOpenOneLetsItRun() throws Exception {
        // Friday noon; the window opens Saturday 02:00 UTC for 2 hours. Far ahead: the runner in the pod checks the
        // window's close against the real clock, which must stay before it.
        TestClock clock = new TestClock(Instant.parse("2099-01-02T12:00:00Z"));
        try (TestDatabase db = TestDatabase.create("e2e_window");
                  Scenario s = new Scenario(CLUSTER, db, "e2e-window", clock)) {
            s.create(CRM_IMAGE, """
          steps:
            - name: tables
              targetRevision: %s
            - name: preferences
              targetRevision: %s
              gate:
                window: {schedule: "0 2 * * 6", duration: 2h, timeZone: UTC}
          """.formatted(BASE_TABLES, PREFERENCES));

            DatabaseMigrationStatus waiting = s.awaitPhase(Phase.AwaitingGate, 1);
            StepStatus preferences = waiting.steps().get(1);
            assertEquals("2099-01-03T02:00:00Z", preferences.nextWindow());
            StatusCondition ready = waiting.conditions().stream().filter(c -> c.type().equals("Ready")).findFirst().orElseThrow();
            assertEquals("AwaitingWindow", ready.reason());
            assertTrue(waiting.message().contains("opens at 2099-01-03T02:00:00Z"), waiting.message());
            assertStaysTrue(Duration.ofSeconds(2), () -> List.of(BASE_TABLES).equals(db.alembicVersion()),
                    "the step waits for its window");

            // Saturday 02:30: the window is open. Nothing but the clock changed; a touch of the resource wakes the
            // operator now rather than at its next scheduled look.
            clock.set(Instant.parse("2099-01-03T02:30:00Z"));
            s.annotate("example.com/touched", "1");
            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertTrue(done.steps().get(1).openedBy().contains("until 2099-01-03T04:00:00Z"), done.steps().get(1).openedBy());
            String job = done.steps().get(1).job();
            List<String> args = s.jobs().stream().filter(j -> j.getMetadata().getName().equals(job)).findFirst().orElseThrow()
                    .getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
            assertEquals("2099-01-03T04:00:00Z", args.get(args.indexOf("--window-closes-at") + 1));
        }
    }

    @Test
    void aBaselineAdoptsADatabaseWithoutAlembicVersionAndIsRefusedOnOneWithRows() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_baseline"); Scenario s = new Scenario(CLUSTER, db, "e2e-baseline")) {
            // The schema of the first revision, made by hand: no alembic_version.
            upgradeDirectly(db, BASE_TABLES);
            db.execute("drop table alembic_version");
            s.create(CRM_IMAGE, """
          baseline: %s
          targetRevision: %s
          """.formatted(BASE_TABLES, PREFERENCES));

            DatabaseMigrationStatus done = s.awaitPhase(Phase.Succeeded, 1);
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertEquals(Phase.Succeeded, done.baseline().phase());
            assertEquals(Boolean.TRUE, done.baseline().stamped());
            assertEquals("base", done.baseline().fromRevision());
            assertNotNull(done.baseline().backupFile());
            assertEquals(List.of("Baseline", "Step"), done.history().stream().map(HistoryEntry::kind).toList());
            assertEquals(List.of(PREFERENCES), done.steps().get(0).appliedRevisions(), "only what follows the baseline");
        }
        try (TestDatabase db = TestDatabase.create("e2e_baseline_no"); Scenario s = new Scenario(CLUSTER, db, "e2e-baseline-no")) {
            upgradeDirectly(db, BASE_TABLES);
            s.create(CRM_IMAGE, """
          baseline: %s
          targetRevision: %s
          """.formatted(PREFERENCES, METADATA));

            DatabaseMigrationStatus refused = s.awaitPhase(Phase.Failed, 1);
            StatusCondition stalled = refused.conditions().stream().filter(c -> c.type().equals("Stalled")).findFirst()
                    .orElseThrow();
            assertEquals("BaselineRefused", stalled.reason());
            assertEquals(List.of(BASE_TABLES), db.alembicVersion(), "nothing stamped, nothing upgraded");
            assertEquals(Phase.Failed, refused.baseline().phase());
        }
    }

    @Test
    void aStampAnnotationTakesABackupStampsRecordsWhoAskedAndIsRemoved() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_stamp"); Scenario s = new Scenario(CLUSTER, db, "e2e-stamp")) {
            s.create(CRM_IMAGE, "targetRevision: %s\n".formatted(PREFERENCES));
            s.awaitPhase(Phase.Succeeded, 1);
            // The emergency: alembic_version names a revision no script has (a hand edit gone wrong).
            db.execute("update alembic_version set version_num = 'f00dbadc0ffe'");

            s.annotate(StampRequests.STAMP_ANNOTATION, PREFERENCES);
            // Who asked, as the API server recorded it (a mock server keeps no managedFields: then nobody is named).
            String manager = setter(s);

            DatabaseMigrationStatus stamped = Await.value(TIMEOUT, () -> {
                DatabaseMigrationStatus status = s.status();
                return status.lastStamp() != null && status.lastStamp().phase() == Phase.Succeeded
                        && s.annotation(StampRequests.STAMP_ANNOTATION) == null ? status : null;
            }, () -> "a recorded stamp and the annotation removed; status now " + s.status());
            assertEquals(List.of(PREFERENCES), db.alembicVersion());
            assertEquals("f00dbadc0ffe", stamped.lastStamp().fromRevision());
            assertEquals(PREFERENCES, stamped.lastStamp().toRevision());
            assertEquals(manager, stamped.lastStamp().requestedBy());
            assertNotNull(stamped.lastStamp().requestedAt());
            String backup = stamped.lastStamp().backupFile();
            assertNotNull(backup);
            assertTrue(Files.size(cluster().kubelet().persistentVolumeClaimPath(s.namespace(), Scenario.CLAIM)
                    .resolve(Path.of(backup).getFileName())) > 0,
                    "the backup taken before the stamp is on the volume");
            HistoryEntry entry = stamped.history().get(stamped.history().size() - 1);
            assertEquals("Stamp", entry.kind());
            assertEquals(manager, entry.requestedBy());
            Event event = Await.value(TIMEOUT, () -> s.events().stream().filter(e -> "Stamped".equals(e.getReason()))
                    .findFirst().orElse(null), () -> "a Stamped Event");
            assertTrue(event.getMessage().contains(PREFERENCES) && event.getMessage().contains("f00dbadc0ffe"),
                    event.getMessage());
            assertTrue(event.getMessage().contains(manager == null ? "an unknown field manager" : manager), event.getMessage());
            // The migration is where it was: nothing re-ran.
            assertEquals(Phase.Succeeded, s.awaitPhase(Phase.Succeeded, 1).phase());
            assertEquals(2, s.jobs().size(), "the step's Job and the stamp's");
        }
    }

    // The field manager the API server recorded for the stamp annotation; null when it records none.
    private static String setter(Scenario s) {
        List<ManagedFieldsEntry> entries = s.resource().getMetadata().getManagedFields();
        if (entries == null) {
            return null;
        }
        return entries.stream().filter(e -> e.getFieldsV1() != null && String.valueOf(e.getFieldsV1()
                        .getAdditionalProperties()).contains("f:" + StampRequests.STAMP_ANNOTATION))
                .map(ManagedFieldsEntry::getManager).findFirst().orElse(null);
    }

    // The runner itself, in-process: a database prepared as a test needs it.
    private static void upgradeDirectly(TestDatabase db, String revision) throws Exception {
        upgradeDirectly(db, revision, "examples/crm");
    }

    private static void upgradeDirectly(TestDatabase db, String revision, String project) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(db.env());
        env.put("PGSSLMODE", "disable");
        Upgrade.run(ConnectionSettings.fromEnvironment(env), Tools.fromEnvironment(env),
                new UpgradeRequest(TestCluster.repoRoot().resolve(project), revision,
                        new LockSafety(Duration.ofSeconds(5), 0, Duration.ZERO, Duration.ofSeconds(30)), List.of(), OnFailure.HALT,
                        false, null), Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
    }
}
