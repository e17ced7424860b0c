package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dbmigrate run` with spec.safety.lint on a copy of examples/crm, real PostgreSQL, real Alembic and the real squawk
 * (DBMIGRATE_SQUAWK, as scripts/test.sh installs it): the copy's expand range ends with a revision that builds an index
 * without CONCURRENTLY (require-concurrent-index-creation, an error; crm's own revisions show the safe form), the
 * sync-trigger range has only a warning.
 */
class LocalLintIT {
    private static final String SYNC_TRIGGER = "yza890bcd123";
    /** A revision on top of crm's expand head that only the copy has. */
    private static final String EXPAND_HEAD = "f00d00000001";
    private static final String INDEX_FINDING = "dbmigrate:   error " + EXPAND_HEAD
            + " require-concurrent-index-creation: CREATE INDEX idx_tickets_customer_lint ON tickets";

    @TempDir
    Path temp;

    private Path crm;

    @BeforeEach
    void unsafeCopyOfCrm() throws IOException {
        crm = AlembicProjects.copy(TestCluster.repoRoot().resolve("examples/crm"), temp.resolve("crm"));
        AlembicProjects.addRevision(crm, "f00d00000001_unsafe_index.py", EXPAND_HEAD, "cde012fgh345",
                "CREATE INDEX idx_tickets_customer_lint ON tickets (customer_id)");
    }

    private CliRun run(TestDatabase db, Path manifest, String... options) {
        Map<String, String> environment = CliRun.environment(db);
        String squawk = System.getenv("DBMIGRATE_SQUAWK");
        assertNotNull(squawk, "DBMIGRATE_SQUAWK: scripts/test.sh installs squawk (ensure_squawk)");
        environment.put("DBMIGRATE_SQUAWK", squawk);
        String[] args = Stream.concat(Stream.of("run", "-f", manifest.toString(), "--migrations", crm.toString(),
                "-o", "yaml"), Stream.of(options)).toArray(String[]::new);
        return CliRun.of(environment, args);
    }

    /** crm's sync-trigger and expand steps, backups off, with this spec.safety.lint and expand's gate. */
    private Path manifest(String lint, String expandGate) throws IOException {
        return CrmManifest.write(temp.resolve("crm.yaml"), """
                backup: {mode: Disabled, reason: a throwaway test database}
                safety: {lint: %s}
                steps:
                  - {name: sync-trigger, targetRevision: %s}
                  - {name: expand, targetRevision: %s%s}
                """.formatted(lint, SYNC_TRIGGER, EXPAND_HEAD, expandGate));
    }

    private static String ready(DatabaseMigration resource) {
        return resource.getStatus().conditions().stream().filter(c -> StatusCondition.READY.equals(c.type()))
                .findFirst().orElseThrow().reason();
    }

    @Test
    void blockPrintsTheFindingsAndHoldsTheStepWithAnErrorUntilApproved() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_lint_block")) {
            Path manifest = manifest("{mode: Block}", "");

            CliRun held = run(db, manifest);

            assertEquals(DbMigrateMain.SUCCEEDED, held.exitCode(), held.err());
            DatabaseMigration waiting = held.printed();
            assertEquals(Phase.AwaitingGate, waiting.getStatus().phase());
            assertEquals("expand", waiting.getStatus().currentStep());
            assertEquals("LintBlocked", ready(waiting));
            assertEquals(List.of(SYNC_TRIGGER), db.alembicVersion(), "sync-trigger has warnings only and ran");
            // Each plan is printed with its findings, one line each: severity, revision, rule, statement.
            assertTrue(held.err().contains("dbmigrate: lint of step sync-trigger (squawk 2.66.0): "), held.err());
            assertTrue(held.err().contains("dbmigrate: lint of step expand (squawk 2.66.0): 1 finding, 1 error"),
                    held.err());
            assertTrue(held.err().contains(INDEX_FINDING), held.err());
            assertTrue(held.err().contains("run again with --approve expand"), held.err());
            LintStatus lint = waiting.getStatus().steps().get(1).plan().lint();
            assertEquals(1, lint.errors());
            assertEquals("require-concurrent-index-creation", lint.findings().get(0).rule());
            assertEquals(EXPAND_HEAD, lint.findings().get(0).revision());

            CliRun approved = run(db, manifest, "--approve", "expand");

            assertEquals(DbMigrateMain.SUCCEEDED, approved.exitCode(), approved.err());
            assertEquals(Phase.Succeeded, approved.printed().getStatus().phase());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            assertTrue(approved.err().contains(INDEX_FINDING), "the plan approved is printed with its findings");
        }
    }

    @Test
    void anIgnoredRuleNeitherShowsNorBlocks() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_lint_ignore")) {
            CliRun run = run(db, manifest("{mode: Block, ignore: [require-concurrent-index-creation]}", ""));

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            assertEquals(Phase.Succeeded, run.printed().getStatus().phase());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            assertTrue(run.err().contains("dbmigrate: lint of step expand (squawk 2.66.0): 0 findings, 0 errors"),
                    run.err());
            assertFalse(run.err().contains("require-concurrent-index-creation"), run.err());
        }
    }

    @Test
    void warnShowsAGatedStepsFindingsAndHoldsNothing() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_lint_warn")) {
            CliRun run = run(db, manifest("{mode: Warn}", ", gate: {approval: {approved: true}}"));

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            DatabaseMigration done = run.printed();
            assertEquals(Phase.Succeeded, done.getStatus().phase());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            assertTrue(run.err().contains(INDEX_FINDING), run.err());
            assertFalse(run.err().contains("lint of step sync-trigger"), "a step without a gate is not planned under Warn");
            assertEquals(1, done.getStatus().steps().get(1).plan().lint().errors());
        }
    }
}
