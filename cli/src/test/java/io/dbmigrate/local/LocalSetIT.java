package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dbmigrate run -f set.yaml` on real PostgreSQL databases with real Alembic: the rollout's order, its halt and its
 * gate, read back from each database over JDBC.
 */
class LocalSetIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");
    /** Where expand@head leads. */
    private static final String EXPAND_HEAD = "cde012fgh345";
    /** A revision on top of {@link #EXPAND_HEAD} that only a copy of crm has. */
    private static final String UNSAFE = "f00d00000001";

    @TempDir
    Path temp;

    private final List<TestDatabase> databases = new ArrayList<>();

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabase::close);
    }

    /** One database per target, named a, b, c ... */
    private List<TestDatabase> tenants(int count) {
        for (int i = 0; i < count; i++) {
            databases.add(TestDatabase.create("local_set_" + (char) ('a' + i)));
        }
        return databases;
    }

    /** A set over {@link #databases} migrating crm to expand@head with a backup each, with this rollout (YAML). */
    private Path manifest(String rolloutYaml) throws IOException {
        return manifest("""
                    targetRevision: expand@head
                    backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
                """, rolloutYaml);
    }

    /** The same with this template after its migrations (YAML, indented 4). */
    private Path manifest(String templateYaml, String rolloutYaml) throws IOException {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < databases.size(); i++) {
            TestDatabase db = databases.get(i);
            list.append("    - name: ").append((char) ('a' + i)).append("\n      database: {host: ").append(db.host())
                    .append(", port: ").append(db.port()).append(", name: ").append(db.name())
                    .append(", credentialsSecret: {name: tenant-db}}\n");
        }
        return Files.writeString(temp.resolve("set.yaml"), """
            apiVersion: dbmigrate.io/v1alpha1
            kind: DatabaseMigrationSet
            metadata: {name: tenants}
            spec:
              template:
                migrations: {image: registry.example.com/crm-migrations:1.0.0}
            """ + templateYaml + """
              generators:
              - list:
            """ + list + "  rollout: " + rolloutYaml + "\n");
    }

    // Who from PG*; PGDATABASE names the first database and must not send the other targets there.
    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>(databases.get(0).env());
        environment.put("DBMIGRATE_ALEMBIC", "/usr/bin/alembic");
        String squawk = System.getenv("DBMIGRATE_SQUAWK");
        if (squawk != null) {
            environment.put("DBMIGRATE_SQUAWK", squawk);
        }
        return environment;
    }

    private CliRun run(Path manifest, String... options) {
        return run(CRM, manifest, options);
    }

    private CliRun run(Path migrations, Path manifest, String... options) {
        CliRun run = CliRun.of(environment(), Stream.concat(Stream.of("run", "-f", manifest.toString(), "--migrations",
                migrations.toString(), "--backup-dir", temp.resolve("backups").toString()), Stream.of(options))
                .toArray(String[]::new));
        String password = databases.get(0).password();
        if (password != null && !password.isEmpty()) {
            assertFalse(run.out().contains(password) || run.err().contains(password), "no password printed");
        }
        return run;
    }

    private List<String> backups(String target) throws IOException {
        try (Stream<Path> files = Files.list(temp.resolve("backups"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("tenants-" + target + "_") && name.endsWith(".dump")).toList();
        }
    }

    @Test
    void theCanaryThenTheRestMigrateEachDatabaseWithItsOwnBackup() throws IOException {
        List<TestDatabase> dbs = tenants(3);

        CliRun run = run(manifest("{canary: {count: 1}, maxParallel: 2}"));

        assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err() + run.out());
        for (TestDatabase db : dbs) {
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), db.name());
        }
        for (String target : List.of("a", "b", "c")) {
            assertEquals(1, backups(target).size(), "one backup of " + target + ": " + backups(target));
        }
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).matches("a: Succeeded, at " + EXPAND_HEAD + ", [0-9.]+s"), run.out());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("b: Succeeded, at " + EXPAND_HEAD)), run.out());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("c: Succeeded, at " + EXPAND_HEAD)), run.out());
        assertTrue(run.out().contains("Succeeded: all 3 targets migrated\n"
                + "  TARGETS  SUCCEEDED  FAILED  WAITING  NOT STARTED\n"
                + "  3        3          0       0        0\n"), run.out());
        assertTrue(run.err().contains("[b] dbmigrate: backing up " + dbs.get(1).name()), run.err());
    }

    @Test
    void aFailingTargetHaltsTheRolloutAndLeavesTheRestUntouched() throws IOException {
        List<TestDatabase> dbs = tenants(4);
        // The base revision creates customers: in b it exists already, so b's upgrade fails and rolls back.
        dbs.get(1).execute("create table customers (id int)");

        CliRun run = run(manifest("{canary: {count: 1}, maxParallel: 1, maxFailures: 0}"));

        assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err() + run.out());
        assertEquals(List.of(EXPAND_HEAD), dbs.get(0).alembicVersion(), "the canary migrated");
        assertEquals(List.of(), dbs.get(1).alembicVersion(), "b's upgrade rolled back");
        for (TestDatabase untouched : dbs.subList(2, 4)) {
            assertFalse(untouched.tableExists("alembic_version"), untouched.name() + " untouched");
            assertFalse(untouched.tableExists("customers"), untouched.name() + " untouched");
        }
        assertEquals(List.of(), backups("c"), "no backup of a target that did not start");
        assertTrue(run.out().contains("Halted: 1 failed, more than maxFailures 0; 2 targets not started, left as they "
                + "were\n  TARGETS  SUCCEEDED  FAILED  WAITING  NOT STARTED\n  4        1          1       0        2\n"
                + "  failed targets:\n    b (MigrationFailed): "), run.out());
        assertTrue(run.out().lines().anyMatch(line -> line.startsWith("b: Failed (MigrationFailed), at ")), run.out());
    }

    @Test
    void theApprovalGateStopsAfterTheCanaryUntilApproveCanaryIsGiven() throws IOException {
        List<TestDatabase> dbs = tenants(3);
        Path manifest = manifest("{canary: {count: 1}, gate: {approval: true}}");

        CliRun gated = run(manifest);

        assertEquals(DbMigrateMain.SUCCEEDED, gated.exitCode(), gated.err() + gated.out());
        assertEquals(List.of(EXPAND_HEAD), dbs.get(0).alembicVersion());
        assertFalse(dbs.get(1).tableExists("alembic_version"), "the rest waits for the approval");
        assertFalse(dbs.get(2).tableExists("alembic_version"), "the rest waits for the approval");
        assertTrue(gated.out().contains("Waiting: the canary succeeded; the rest waits for approval: run again with "
                + "--approve canary"), gated.out());

        CliRun approved = run(manifest, "--approve", "canary");

        assertEquals(DbMigrateMain.SUCCEEDED, approved.exitCode(), approved.err() + approved.out());
        for (TestDatabase db : dbs) {
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), db.name());
        }
        assertTrue(approved.err().contains("the rest approved (--approve canary)"), approved.err());
        assertTrue(approved.out().contains("Succeeded: all 3 targets migrated"), approved.out());
    }

    /**
     * crm with one more revision that builds an index without CONCURRENTLY (an error finding), for a set under lint
     * mode Block over 3 tenants.
     */
    private Path projectWithAnUnsafeIndex() throws IOException {
        assertNotNull(System.getenv("DBMIGRATE_SQUAWK"), "DBMIGRATE_SQUAWK: scripts/test.sh installs squawk");
        Path project = AlembicProjects.copy(CRM, temp.resolve("crm"));
        AlembicProjects.addRevision(project, "f00d00000001_unsafe_index.py", UNSAFE, EXPAND_HEAD,
                "CREATE INDEX idx_tickets_customer_lint ON tickets (customer_id)");
        tenants(3);
        return project;
    }

    /**
     * The set's manifest under Block, canary 1; {@code gate} follows the unsafe step's target. squawk lets an index on a
     * table created in the same SQL pass: the unsafe step starts from the expand head.
     */
    private Path blockManifest(String gate) throws IOException {
        return manifest("""
                    backup: {mode: Disabled, reason: throwaway test databases}
                    safety: {lint: {mode: Block}}
                    steps:
                      - {name: base, targetRevision: %s}
                      - {name: expand, targetRevision: %s%s}
                """.formatted(EXPAND_HEAD, UNSAFE, gate), "{canary: {count: 1}}");
    }

    @Test
    void underLintBlockTheCanaryWaitsForItsPlanAndTheTemplateApprovingTheDigestRunsEveryTarget() throws IOException {
        Path project = projectWithAnUnsafeIndex();
        List<TestDatabase> dbs = databases;

        CliRun held = run(project, blockManifest(""));

        assertEquals(DbMigrateMain.SUCCEEDED, held.exitCode(), held.err() + held.out());
        assertEquals(List.of(EXPAND_HEAD), dbs.get(0).alembicVersion(), "the canary's step expand waits" + held.err());
        for (TestDatabase db : dbs.subList(1, 3)) {
            assertFalse(db.tableExists("customers"), db.name() + ": the rest waits for the canary");
        }
        Matcher approve = Pattern.compile("gate\\.approval\\.plan: ([0-9a-f]{12}) on step expand").matcher(held.out());
        assertTrue(approve.find(), held.out());
        String digest = approve.group(1);
        assertTrue(held.out().contains("Waiting: 1 target waits for approval of its plan (listed below); "
                + "gate.approval.plan: " + digest + " on step expand of spec.template approves every target with that "
                + "plan, or run again with --approve expand; 2 targets not started, left as they were\n"
                + "  TARGETS  SUCCEEDED  FAILED  WAITING  NOT STARTED\n"
                + "  3        0          0       1        2\n"
                + "  awaiting approval:\n"
                + "    plan " + digest + " of step expand (LintBlocked): a\n"), held.out());

        // The plan digest does not name the database: one approval in the template opens every identical target.
        CliRun approved = run(project, blockManifest(", gate: {approval: {plan: " + digest + "}}"));

        assertEquals(DbMigrateMain.SUCCEEDED, approved.exitCode(), approved.err() + approved.out());
        for (TestDatabase db : dbs) {
            assertEquals(List.of(UNSAFE), db.alembicVersion(), db.name());
        }
        assertTrue(approved.out().contains("Succeeded: all 3 targets migrated"), approved.out());
    }

    @Test
    void underLintBlockRunningAgainWithApproveRunsEveryTarget() throws IOException {
        Path project = projectWithAnUnsafeIndex();
        List<TestDatabase> dbs = databases;
        Path manifest = blockManifest("");
        CliRun held = run(project, manifest);
        assertEquals(List.of(EXPAND_HEAD), dbs.get(0).alembicVersion(), "the canary's step expand waits" + held.err());
        assertTrue(held.out().contains("or run again with --approve expand"), held.out());

        // What the summary says to do: the same manifest, the step approved for every target of the run.
        CliRun approved = run(project, manifest, "--approve", "expand");

        assertEquals(DbMigrateMain.SUCCEEDED, approved.exitCode(), approved.err() + approved.out());
        for (TestDatabase db : dbs) {
            assertEquals(List.of(UNSAFE), db.alembicVersion(), db.name());
        }
        assertTrue(approved.out().contains("Succeeded: all 3 targets migrated"), approved.out());
    }
}
