package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalLockProfile;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dbmigrate run` with spec.rehearsal.maxLockHold on a table large enough (1 million rows) that rewriting it holds
 * ACCESS EXCLUSIVE for far longer than the budget: the local run prints the rehearsal's lock profile, fails with
 * LockHoldExceeded naming the revision, relation, mode and time, and leaves production alone. Real PostgreSQL, real
 * pg_dump/pg_restore, real Alembic.
 */
class LocalLockProfileIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");
    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String WIDEN = "lk0001widen";
    private static final int ROWS = 1_000_000;

    @TempDir
    Path temp;

    private Path manifest(String target, String rehearsal) throws IOException {
        return CrmManifest.write(temp.resolve("crm-" + target + ".yaml"), """
                targetRevision: %s
                backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
                %s""".formatted(target, rehearsal));
    }

    @Test
    void aRewriteOverTheBudgetIsPrintedInTheProfileAndFailsTheRunBeforeProduction() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_locks")) {
            Path project = AlembicProjects.copy(CRM, temp.resolve("crm"));
            AlembicProjects.addRevision(project, WIDEN + "_widen_big_n.py", WIDEN, EXPAND_HEAD,
                    "ALTER TABLE big ALTER COLUMN n TYPE bigint");
            Map<String, String> environment = CliRun.environment(db);
            String backups = temp.resolve("backups").toString();
            CliRun first = CliRun.of(environment, "run", "-f", manifest(EXPAND_HEAD, "").toString(), "--migrations",
                    project.toString(), "--backup-dir", backups);
            assertEquals(DbMigrateMain.SUCCEEDED, first.exitCode(), first.err());
            db.execute("create table big (id bigint primary key, n integer not null, note text)",
                    "insert into big select g, g % 1000, 'row ' || g from generate_series(1, " + ROWS + ") g",
                    "analyze big");

            CliRun run = CliRun.of(environment, "run", "-f", manifest(WIDEN, """
                    rehearsal:
                      mode: Required
                      maxLockHold: {AccessExclusive: 250ms}
                    """).toString(), "--migrations", project.toString(), "--backup-dir", backups, "-o", "yaml");

            System.out.print(run.err()); // the profile as a reader sees it, in the test's report
            assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
            // The profile as printed: the rewritten table first among the ACCESS EXCLUSIVE holds, with its revision.
            assertTrue(run.err().contains("dbmigrate: lock profile of the rehearsal ("), run.err());
            assertTrue(run.err().matches("(?s).*dbmigrate: {3}AccessExclusive [0-9]+ ms on public\\.big \\(revision "
                    + WIDEN + "\\), rewritten.*"), run.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.Failed, printed.getStatus().phase());
            assertEquals("LockHoldExceeded", printed.getStatus().conditions().stream()
                    .filter(c -> c.type().equals("Stalled")).findFirst().orElseThrow().reason());
            RehearsalStatus rehearsal = printed.getStatus().steps().get(0).rehearsal();
            assertEquals(RehearsalStatus.FAILED, rehearsal.result());
            assertEquals(WIDEN, rehearsal.failedRevision());
            assertTrue(rehearsal.error().contains("revision " + WIDEN + " held ACCESS EXCLUSIVE on public.big for "),
                    rehearsal.error());
            assertTrue(rehearsal.error().contains("over the budget of 250ms (rehearsal.maxLockHold.AccessExclusive);"
                    + " the table was rewritten"), rehearsal.error());
            RehearsalLockProfile profile = rehearsal.lockProfile();
            assertEquals("5ms", profile.sampleInterval());
            RehearsalLockProfile.LockHoldStatus big = profile.holds().stream()
                    .filter(h -> "AccessExclusive".equals(h.mode())).findFirst().orElseThrow();
            assertEquals("public.big", big.relation(), profile.toString());
            assertEquals(WIDEN, big.revision());
            assertEquals(Boolean.TRUE, big.rewritten());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), "production was not touched");
            assertEquals(1, db.queryLong("select count(*) from information_schema.columns where table_name = 'big'"
                    + " and column_name = 'n' and data_type = 'integer'"), "production's table was not rewritten");
        }
    }
}
