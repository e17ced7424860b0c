package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalLockProfile;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.runner.Upgrade;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.rbac.AuditedCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 end to end: the rehearsal's lock profile in the step's status, and spec.rehearsal.maxLockHold failing a
 * rehearsal whose revision rewrites a 1-million-row table under ACCESS EXCLUSIVE, before production is touched. The
 * rehearse container is the migrations image's runner, in the test kubelet's runtime.
 */
class LockProfileIT {
    private static final String IMAGE = PodImages.project("registry.example.com/crm-migrations:1.2.0-widen");
    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String WIDEN = "lk0001widen";
    private static final int ROWS = 1_000_000;
    private static final Path PROJECT = Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("dbmigrate-e2e-widen-" + ProcessHandle.current().pid());

    @RegisterExtension
    static final AuditedCluster CLUSTER = AuditedCluster.of(() -> Map.of(IMAGE, PodImages.folders(IMAGE, widening())));

    // examples/crm and one revision on its expand head that rewrites the table `big` (integer to bigint).
    private static Path widening() throws IOException {
        Path project = AlembicProjects.copy(TestCluster.repoRoot().resolve("examples/crm"), PROJECT);
        AlembicProjects.addRevision(project, WIDEN + "_widen_big_n.py", WIDEN, EXPAND_HEAD,
                "ALTER TABLE big ALTER COLUMN n TYPE bigint");
        return project;
    }

    @Test
    void theLockProfileIsInTheRehearsalStatusAndARewriteOverTheBudgetFailsTheStep() throws Exception {
        try (TestDatabase db = TestDatabase.create("e2e_locks"); Scenario s = new Scenario(CLUSTER, db, "e2e-locks")) {
            upgradeDirectly(db, EXPAND_HEAD);
            db.execute("create table big (id bigint primary key, n integer not null, note text)",
                    "insert into big select g, g % 1000, 'row ' || g from generate_series(1, " + ROWS + ") g",
                    "analyze big");
            s.create(IMAGE, """
          targetRevision: %s
          rehearsal:
            mode: Required
            maxLockHold: {AccessExclusive: 250ms}
          """.formatted(WIDEN));

            DatabaseMigrationStatus failed = s.awaitPhase(Phase.Failed, 1);

            StatusCondition stalled = failed.conditionsOrEmpty().stream().filter(c -> c.type().equals("Stalled"))
                    .findFirst().orElseThrow();
            assertEquals("LockHoldExceeded", stalled.reason(), failed.toString());
            RehearsalStatus rehearsal = failed.steps().get(0).rehearsal();
            assertEquals(RehearsalStatus.FAILED, rehearsal.result());
            assertEquals(WIDEN, rehearsal.failedRevision());
            assertTrue(rehearsal.error().contains("revision " + WIDEN + " held ACCESS EXCLUSIVE on public.big for "),
                    rehearsal.error());
            assertTrue(rehearsal.error().contains("over the budget of 250ms (rehearsal.maxLockHold.AccessExclusive)"),
                    rehearsal.error());
            RehearsalLockProfile profile = rehearsal.lockProfile();
            assertNotNull(profile, rehearsal.toString());
            assertEquals("5ms", profile.sampleInterval());
            assertTrue(profile.holds().size() <= RehearsalLockProfile.MAX_HOLDS, profile.toString());
            RehearsalLockProfile.LockHoldStatus big = profile.holds().stream()
                    .filter(h -> "AccessExclusive".equals(h.mode())).findFirst().orElseThrow();
            assertEquals("public.big", big.relation(), profile.toString());
            assertEquals(WIDEN, big.revision());
            assertEquals(Boolean.TRUE, big.rewritten());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), "production untouched");
            assertEquals("LockHoldExceeded", failed.history().get(0).reason());
        }
    }

    // The runner itself, in-process: the database as the test needs it before the resource exists.
    private static void upgradeDirectly(TestDatabase db, String revision) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(db.env());
        env.put("PGSSLMODE", "disable");
        Upgrade.run(ConnectionSettings.fromEnvironment(env), Tools.fromEnvironment(env),
                new UpgradeRequest(PROJECT, revision, new LockSafety(Duration.ofSeconds(5), 0, Duration.ZERO,
                        Duration.ofSeconds(30)), List.of(), OnFailure.HALT, false, null), Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()));
    }
}
