package io.dbmigrate.local;

import static io.dbmigrate.local.CliRun.environment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dbmigrate run` on a real PostgreSQL with real Alembic: its exit codes, its output, and what it leaves behind. */
class LocalRunIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");
    private static final Path MANIFEST = CRM.resolve("databasemigration.yaml");
    /** Where the manifest's expand@head leads. */
    private static final String EXPAND_HEAD = "cde012fgh345";
    private static final String SCRATCH = "select count(*) from pg_database where datname like 'dbmigrate\\_rehearsal\\_%'";

    @TempDir
    Path temp;

    /** {@code dbmigrate run -f MANIFEST --migrations examples/crm} with these options. */
    private static CliRun runCrm(Map<String, String> environment, Path manifest, String... options) {
        return CliRun.of(environment, Stream.concat(Stream.of("run", "-f", manifest.toString(), "--migrations", CRM.toString()),
                Stream.of(options)).toArray(String[]::new));
    }

    /** A manifest of crm's revisions on the test's database, with the rest of its spec in {@code specYaml}. */
    private Path manifest(String file, String specYaml) throws IOException {
        return CrmManifest.write(temp.resolve(file), specYaml);
    }

    /** A manifest of crm's revisions with these steps (YAML below {@code steps:}), backups off. */
    private Path phasedManifest(String file, String stepsYaml) throws IOException {
        return manifest(file, """
        backup: {mode: Disabled, reason: a throwaway test database}
        steps:
        """ + CrmManifest.indented(stepsYaml, "  "));
    }

    @Test
    void thePhasedStepsRehearseWithARoundTripThroughTheirAutocommitBlocks() throws IOException {
        // expand builds its index CONCURRENTLY and contract validates its check outside the run's transaction: each
        // commits mid-run, on the rehearsal's copy too, and the round trip undoes and redoes them there.
        try (TestDatabase db = TestDatabase.create("local_autocommit")) {
            Path manifest = manifest("autocommit.yaml", """
          backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
          rehearsal: {mode: Required, roundTrip: true}
          steps:
            - {name: sync-trigger, targetRevision: yza890bcd123}
            - {name: expand, targetRevision: expand@head}
            - {name: contract, targetRevision: contract@head}
          """);

            CliRun run = runCrm(environment(db), manifest, "--backup-dir", temp.resolve("backups").toString(), "-o",
                    "yaml");

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            DatabaseMigration done = run.printed();
            assertEquals(Phase.Succeeded, done.getStatus().phase(), run.err());
            for (var step : done.getStatus().steps()) {
                assertEquals("Passed", step.rehearsal().result(), step.name() + ": " + step.rehearsal());
                assertEquals(Boolean.TRUE, step.rehearsal().roundTrip(), step.name());
            }
            assertTrue(db.alembicVersion().contains("ijk678lmn901"), db.alembicVersion().toString());
            assertFalse(db.columnExists("tickets", "status"), "contract dropped status");
            assertEquals(0L, db.queryLong("select count(*) from pg_constraint where conname = "
                    + "'ck_tickets_new_status_not_null'"), "the check is gone once SET NOT NULL holds");
            assertEquals(1L, db.queryLong("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid "
                    + "where c.relname = 'idx_active_tickets_new_status' and i.indisvalid"), "a valid index");
        }
    }

    @Test
    void aRehearsalCatchesTheSeedsNameErrorAndLeavesTheDatabaseAsItWas() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_rehearse")) {
            Path seedDefects = TestCluster.repoRoot().resolve("examples/seed-defects");
            CliRun first = runCrm(environment(db), MANIFEST, "--backup-dir", temp.resolve("backups").toString());
            assertEquals(DbMigrateMain.SUCCEEDED, first.exitCode(), first.err());
            long scratchBefore = db.queryLong(SCRATCH);

            CliRun run = CliRun.of(environment(db), "run", "-f", seedDefects.resolve("databasemigration-nameerror.yaml").toString(),
                    "--migrations", seedDefects.toString(), "--backup-dir", temp.resolve("backups").toString(), "-o", "yaml");

            assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.Failed, printed.getStatus().phase());
            assertEquals("RehearsalFailed", printed.getStatus().conditions().stream()
                    .filter(c -> c.type().equals("Stalled")).findFirst().orElseThrow().reason());
            assertEquals("efg345hij678", printed.getStatus().steps().get(0).rehearsal().failedRevision());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion(), "the database was not touched");
            assertEquals(scratchBefore, db.queryLong(SCRATCH), "no scratch database left behind");
            assertTrue(run.err().contains("rehearsing on a copy"), run.err());
        }
    }

    @Test
    void aDatabaseMigratedBetweenTheBackupAndTheUpgradeIsBackupOutdated() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_outdated")) {
            Map<String, String> environment = environment(db);
            // Someone migrates the database by hand right after the backup, as the upgrade is about to start.
            OutputStream progress = new LineHook(line -> line.startsWith("dbmigrate: upgrading"),
                    () -> alembicByHand(environment, "xyz789uvw012"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = DbMigrateMain.execute(new String[] {"run", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
                            "--backup-dir", temp.resolve("backups").toString(), "-o", "yaml"}, environment,
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(progress, true, StandardCharsets.UTF_8));

            assertEquals(DbMigrateMain.FAILED, code, progress.toString());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(out.toString(StandardCharsets.UTF_8),
                    DatabaseMigration.class);
            assertEquals("BackupOutdated", printed.getStatus().conditions().stream()
                    .filter(c -> c.type().equals("Ready")).findFirst().orElseThrow().reason());
            assertTrue(printed.getStatus().message().contains("not at base where its backup was taken"),
                    printed.getStatus().message());
            assertEquals(List.of("xyz789uvw012"), db.alembicVersion(), "only the migration by hand ran");
        }
    }

    private static void alembicByHand(Map<String, String> environment, String revision) {
        try {
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/alembic", "-c", "alembic.ini", "upgrade", revision)
                    .directory(CRM.toFile()).redirectErrorStream(true);
            pb.environment().putAll(environment);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), output);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects what is written, and runs {@code action} once, when a line matching {@code when} is complete. */
    private static final class LineHook extends ByteArrayOutputStream {
        private final java.util.function.Predicate<String> when;
        private final Runnable action;
        private int lineStart;
        private boolean done;

        LineHook(java.util.function.Predicate<String> when, Runnable action) {
            this.when = when;
            this.action = action;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            String text = toString(StandardCharsets.UTF_8);
            int newline;
            while ((newline = text.indexOf('\n', lineStart)) >= 0) {
                String line = text.substring(lineStart, newline);
                lineStart = newline + 1;
                if (!done && when.test(line)) {
                    done = true;
                    action.run();
                }
            }
        }
    }

    @Test
    void nowPreviewsARunAtThatTimeAndTouchesNothing() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_window")) {
            Path manifest = phasedManifest("window.yaml", """
          - {name: tables, targetRevision: xyz789uvw012}
          - {name: preferences, targetRevision: abc123def456,
             gate: {window: {schedule: "0 2 * * 6", duration: 2h, timeZone: UTC}}}
          - {name: contract, targetRevision: vwx234yz567, gate: {approval: {}}}
          """);
            Path backups = temp.resolve("backups");
            CliRun friday = runCrm(environment(db), manifest,
                    "--backup-dir", backups.toString(), "--now", "2026-11-27T12:00:00Z");

            assertEquals(DbMigrateMain.SUCCEEDED, friday.exitCode(), friday.err());
            assertEquals("""
          Preview at 2026-11-27T12:00:00Z (--now): nothing was run, backed up or written.
          step tables (to xyz789uvw012): would run (no gate)
          step preferences (to abc123def456): would wait: for its window: the maintenance window (0 2 * * 6, 2h, UTC) \
          opens at 2026-11-28T02:00:00Z
          step contract (to vwx234yz567): not reached
          """, friday.out());

            // No user is needed either: a preview connects to nothing.
            Map<String, String> noUser = environment(db);
            noUser.remove("PGUSER");
            CliRun saturday = runCrm(noUser, manifest,
                    "--backup-dir", backups.toString(), "--now", "2026-11-28T02:30:00Z", "--approve", "contract");

            assertEquals(DbMigrateMain.SUCCEEDED, saturday.exitCode(), saturday.err());
            assertTrue(saturday.out().contains("step preferences (to abc123def456): would run: the maintenance window "
                    + "(0 2 * * 6, 2h, UTC) is open until 2026-11-28T04:00:00Z\n"), saturday.out());
            assertTrue(saturday.out().contains("step contract (to vwx234yz567): would run: approved with --approve\n"),
                    saturday.out());
            assertEquals(List.of(), db.alembicVersion(), "a preview migrates nothing");
            assertFalse(Files.exists(backups), "a preview writes no backup");

            CliRun bad = runCrm(environment(db), manifest, "--now", "saturday");
            assertEquals(DbMigrateMain.BAD_INPUT, bad.exitCode());
            assertTrue(bad.err().contains("--now saturday"), bad.err());
        }
    }

    @Test
    void aRehearsalServerInTheManifestNeedsItsUrlAndIsThenWhereTheRehearsalRuns() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_rehearsal_server")) {
            Path manifest = manifest("rehearsal-server.yaml", """
          targetRevision: xyz789uvw012
          backup: {mode: Required, volume: {persistentVolumeClaim: {claimName: crm-backups}}}
          backoffLimit: 0
          rehearsal:
            mode: Required
            database: {host: scratch-db.invalid, port: 5433, name: postgres, credentialsSecret: {name: scratch}}
          """);
            Path backups = temp.resolve("backups");

            CliRun refused = runCrm(environment(db), manifest, "--backup-dir", backups.toString());

            assertEquals(DbMigrateMain.BAD_INPUT, refused.exitCode(), refused.err());
            assertTrue(refused.err().contains("spec.rehearsal.database names the server scratch-db.invalid:5433 to rehearse "
                    + "on, whose credentialsSecret cannot be read without a cluster: give --rehearsal-database-url "
                    + "postgresql://USER@scratch-db.invalid:5433/postgres"), refused.err());
            assertEquals(List.of(), db.alembicVersion(), "nothing ran");
            assertFalse(Files.exists(backups), "not even the backup");

            // Port 1 of loopback refuses at once: the rehearsal went there, not to the migrated database's server.
            CliRun unreachable = runCrm(environment(db), manifest, "--backup-dir", backups.toString(), "-o", "yaml",
                    "--rehearsal-database-url", "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:1/postgres");

            assertEquals(DbMigrateMain.FAILED, unreachable.exitCode(), unreachable.err());
            assertTrue(unreachable.err().contains("on 127.0.0.1:1 (spec.rehearsal.database)"), unreachable.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(unreachable.out(), DatabaseMigration.class);
            assertTrue(printed.getStatus().message().contains("127.0.0.1:1"), printed.getStatus().message());
            assertEquals(List.of(), db.alembicVersion(), "production was not touched");
            assertFalse(unreachable.err().contains(db.password()) || unreachable.out().contains(db.password()));

            CliRun rehearsed = runCrm(environment(db), manifest, "--backup-dir", backups.toString(),
                    "--rehearsal-database-url", "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":"
                            + db.port() + "/postgres?sslmode=disable");

            assertEquals(DbMigrateMain.SUCCEEDED, rehearsed.exitCode(), rehearsed.err());
            assertTrue(rehearsed.err().contains("on " + db.host() + ":" + db.port() + " (spec.rehearsal.database)"),
                    rehearsed.err());
            assertEquals(List.of("xyz789uvw012"), db.alembicVersion());
        }
    }

    @Test
    void aRehearsalUrlWithoutARehearsalIsBadInput() {
        try (TestDatabase db = TestDatabase.create("local_rehearsal_unused")) {
            CliRun run = runCrm(environment(db), MANIFEST, "--rehearsal-database-url", "postgresql://u@localhost/postgres");

            assertEquals(DbMigrateMain.BAD_INPUT, run.exitCode(), run.err());
            assertTrue(run.err().contains("--rehearsal-database-url: no step of " + MANIFEST + " rehearses"), run.err());
            assertEquals(List.of(), db.alembicVersion(), "nothing ran");
        }
    }

    @Test
    void runsTheManifestAndPrintsTheResourceWithItsStatus() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_ok")) {
            Path backups = temp.resolve("backups");
            CliRun run = runCrm(environment(db), MANIFEST, "--backup-dir", backups.toString(), "-o", "yaml");

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.Succeeded, printed.getStatus().phase());
            assertEquals(EXPAND_HEAD, printed.getStatus().currentRevision());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            try (Stream<Path> files = Files.list(backups)) {
                assertEquals(1, files.filter(f -> f.toString().endsWith(".dump")).count());
            }
            assertTrue(run.err().contains("BackupVerified"), run.err());
            assertFalse(run.out().contains(db.password()) || run.err().contains(db.password()), "the password was printed");
        }
    }

    @Test
    void theBackupsCompressionIsTheManifests() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_compression")) {
            Path manifest = temp.resolve("uncompressed.yaml");
            Files.writeString(manifest, Files.readString(MANIFEST).replace("    mode: Required\n    volume:",
                    "    mode: Required\n    compression: {method: none}\n    volume:"));
            Path backups = temp.resolve("backups");
            CliRun run = runCrm(environment(db), manifest, "--backup-dir", backups.toString());

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            try (Stream<Path> files = Files.list(backups)) {
                List<Path> metadata = files.filter(f -> f.toString().endsWith(".dump.json")).toList();
                assertEquals(1, metadata.size(), metadata.toString());
                assertTrue(Files.readString(metadata.get(0)).contains("\"compression\" : \"none\""),
                        Files.readString(metadata.get(0)));
            }
        }
    }

    @Test
    void aClosedGateStopsWithExitZeroAndApproveOpensIt() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_gate")) {
            Path manifest = phasedManifest("phased.yaml", """
          - {name: expand, targetRevision: mno345pqr678}
          - {name: contract, targetRevision: vwx234yz567, gate: {approval: {}}}
          """);
            CliRun stopped = runCrm(environment(db), manifest, "-o", "yaml");

            assertEquals(DbMigrateMain.SUCCEEDED, stopped.exitCode(), stopped.err());
            DatabaseMigration waiting = new KubernetesSerialization().unmarshal(stopped.out(), DatabaseMigration.class);
            assertEquals(Phase.AwaitingGate, waiting.getStatus().phase());
            assertEquals("contract", waiting.getStatus().currentStep());
            assertEquals(List.of("mno345pqr678"), db.alembicVersion());
            assertTrue(stopped.err().contains("--approve contract"), stopped.err());
            // The plan is shown before anything runs: the SQL of the pending revisions.
            assertTrue(stopped.err().contains("ALTER TABLE tickets ADD COLUMN new_status"), stopped.err());

            CliRun approved = runCrm(environment(db), manifest, "--approve", "contract", "-o", "yaml");

            assertEquals(DbMigrateMain.SUCCEEDED, approved.exitCode(), approved.err());
            DatabaseMigration done = new KubernetesSerialization().unmarshal(approved.out(), DatabaseMigration.class);
            assertEquals(Phase.Succeeded, done.getStatus().phase());
            assertEquals(List.of("vwx234yz567"), db.alembicVersion());
            assertTrue(done.getMetadata().getAnnotations() == null
                    || !done.getMetadata().getAnnotations().containsKey("dbmigrate.io/approve"), "the approval was used up");
        }
    }

    @Test
    void thePhasedExampleRunsTriggerThenBackfillWithItsVerifyQueryAndStopsAtContractsGates() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_phased")) {
            Path backups = temp.resolve("backups");
            CliRun run = CliRun.of(environment(db), "run", "-f", CRM.resolve("databasemigration-phased.yaml").toString(),
                    "--migrations", CRM.toString(), "--backup-dir", backups.toString(), "--approve", "contract", "-o", "yaml");

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            DatabaseMigration waiting = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.AwaitingGate, waiting.getStatus().phase());
            assertEquals("contract", waiting.getStatus().currentStep());
            assertEquals(Phase.Succeeded, waiting.getStatus().steps().get(0).phase());
            assertEquals(Phase.Succeeded, waiting.getStatus().steps().get(1).phase());
            assertEquals("yza890bcd123", waiting.getStatus().steps().get(0).toRevision(), "the trigger in a run of its own");
            assertEquals(List.of("cde012fgh345"), waiting.getStatus().steps().get(1).appliedRevisions());
            assertEquals(List.of("new-status-backfilled"), waiting.getStatus().lastMigration().verifiedQueries());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            assertTrue(run.err().contains("cannot open without a cluster"), run.err());
            // contract's plan was made and shown: the step that drops tickets.status.
            assertTrue(run.err().contains("DROP COLUMN status"), run.err());
            try (Stream<Path> files = Files.list(backups)) {
                assertEquals(2, files.filter(f -> f.toString().endsWith(".dump")).count(), "each step's own backup");
            }
        }
    }

    @Test
    void aDeploymentGateCannotOpenLocallyAndSaysSo() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_rollout")) {
            Path manifest = phasedManifest("rollout.yaml", """
          - {name: contract, targetRevision: xyz789uvw012, gate: {deploymentRollout: {name: crm-api}}}
          """);
            CliRun run = runCrm(environment(db), manifest);

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            assertTrue(run.err().contains("cannot open without a cluster"), run.err());
            assertEquals(List.of(), db.alembicVersion());
            assertEquals("""
          Waiting: step contract has a deploymentRollout gate, which cannot open without a cluster: run the remaining \
          steps with the operator
            database: '%s' on %s:%d, at a revision this run did not read
            backup:   none taken (spec.backup.mode: Disabled)
          """.formatted(db.name(), db.host(), db.port()), run.out());
        }
    }

    @Test
    void approvingAStepWithoutAnApprovalGateIsBadInput() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_noapprove")) {
            CliRun run = CliRun.of(environment(db), "run", "-f", CRM.resolve("databasemigration-phased.yaml").toString(),
                    "--migrations", CRM.toString(), "--approve", "expand");

            assertEquals(DbMigrateMain.BAD_INPUT, run.exitCode(), run.err());
            assertTrue(run.err().contains("--approve expand: no step of"), run.err());
            assertTrue(run.err().contains("(steps with one: contract)"), run.err());
            assertEquals(List.of(), db.alembicVersion(), "nothing ran");
        }
    }

    @Test
    void databaseUrlOverridesTheManifestAndTheEnvironment() {
        try (TestDatabase db = TestDatabase.create("local_url")) {
            Map<String, String> environment = environment(db);
            environment.put("PGDATABASE", "no_such_database");
            environment.remove("PGPASSWORD");
            String url = "postgresql://" + db.user() + ":" + db.password() + "@" + db.host() + ":" + db.port() + "/"
                    + db.name() + "?sslmode=disable";
            CliRun run = runCrm(environment, MANIFEST, "--backup-dir", temp.resolve("b").toString(), "--database-url", url);

            assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
            assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
            assertFalse(run.err().contains(db.password()), "the password from the URL was printed");
            List<String> out = run.out().lines().toList();
            assertEquals("Succeeded: Upgraded base -> " + EXPAND_HEAD + ": applied 10 revisions", out.get(0), run.out());
            assertEquals("  database: '" + db.name() + "' on " + db.host() + ":" + db.port() + ", at " + EXPAND_HEAD,
                    out.get(1));
            assertTrue(out.get(2).startsWith("  backup:   " + temp.resolve("b").toAbsolutePath() + "/crm_"), out.get(2));
        }
    }

    /** crm's project with a revision on top of vwx234yz567 that divides by zero, and a manifest targeting it. */
    private Path raisingProject() throws IOException {
        Path broken = AlembicProjects.copy(CRM, temp.resolve("broken"));
        AlembicProjects.addRevision(broken, "zzz111local_raises.py", "zzz111local", "vwx234yz567", "SELECT 1/0");
        // The raising revision is a head of its own, next to expand and contract: target it by name.
        Files.writeString(temp.resolve("raises.yaml"),
                Files.readString(MANIFEST).replaceAll("targetRevision: .*", "targetRevision: zzz111local"));
        return broken;
    }

    @Test
    void aRaisingRevisionExitsOneWithTheRevisionInStatus() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_fail")) {
            Path broken = raisingProject();
            CliRun run = CliRun.of(environment(db), "run", "-f", temp.resolve("raises.yaml").toString(), "--migrations",
                    broken.toString(), "--backup-dir", temp.resolve("backups").toString(), "-o", "yaml");

            assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.Failed, printed.getStatus().phase());
            assertEquals("zzz111local", printed.getStatus().lastMigration().failedRevision());
            assertTrue(printed.getStatus().message().contains("division by zero"), printed.getStatus().message());
            assertEquals(List.of(), db.alembicVersion(), "the whole run rolled back");
        }
    }

    @Test
    void aFailedRunSaysTheRevisionTheErrorTheDatabaseAndTheBackupInAFewReadableLines() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_fail_short")) {
            Path broken = raisingProject();
            Path backups = temp.resolve("backups");
            CliRun run = CliRun.of(environment(db), "run", "-f", temp.resolve("raises.yaml").toString(), "--migrations",
                    broken.toString(), "--backup-dir", backups.toString());

            assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
            List<String> out = run.out().lines().toList();
            assertEquals(4, out.size(), run.out());
            assertEquals("Failed (MigrationFailed): revision zzz111local failed: sqlalchemy.exc.DataError: "
                    + "(psycopg2.errors.DivisionByZero) division by zero; nothing was applied, the database is still at base",
                    out.get(0));
            assertEquals("  failing revision: zzz111local", out.get(1));
            assertEquals("  database: '" + db.name() + "' on " + db.host() + ":" + db.port() + ", at base", out.get(2));
            assertTrue(out.get(3).matches("  backup:   " + java.util.regex.Pattern.quote(backups.toAbsolutePath()
                    + "/crm_") + "\\S+_g1\\.dump \\(\\d+ bytes, verified; the database as it was at base\\)"), out.get(3));

            String err = run.err();
            assertTrue(err.contains("dbmigrate: applying xyz789uvw012 (Create the base CRM tables)\n"), err);
            assertTrue(err.contains("dbmigrate: alembic raised in " + broken.resolve("versions/zzz111local_raises.py")
                    + ", line 9, in upgrade: op.execute('SELECT 1/0')\n"
                    + "dbmigrate:   sqlalchemy.exc.DataError: (psycopg2.errors.DivisionByZero) division by zero\n"
                    + "dbmigrate:   [SQL: SELECT 1/0]\n"), err);
            // One style, local words, no frames of Alembic or SQLAlchemy, no escape codes.
            assertTrue(err.lines().allMatch(line -> line.startsWith("dbmigrate: ")), err);
            for (String absent : List.of("Traceback", "dist-packages", "site-packages", "time=", "level=", "Job ",
                    "crm-backups", "PostgresqlImpl", "\u001B")) {
                assertFalse(err.contains(absent), absent + " in:\n" + err);
            }
            assertTrue(err.lines().count() <= 25, err.lines().count() + " lines:\n" + err);
        }
    }

    @Test
    void badInputExitsTwoNamingTheField() throws IOException {
        Path manifest = temp.resolve("bad.yaml");
        Files.writeString(manifest, Files.readString(MANIFEST).replace("port: 5432", "port: 70000"));
        CliRun badPort = runCrm(Map.of("PGUSER", "u"), manifest);
        assertEquals(DbMigrateMain.BAD_INPUT, badPort.exitCode());
        assertTrue(badPort.err().contains("spec.database.port"), badPort.err());

        Files.writeString(manifest, Files.readString(MANIFEST).replace("    host:", "    hots:"));
        CliRun typo = runCrm(Map.of("PGUSER", "u"), manifest);
        assertEquals(DbMigrateMain.BAD_INPUT, typo.exitCode());
        assertTrue(typo.err().contains("spec.database.hots: unknown field"), typo.err());

        CliRun noProject = CliRun.of(Map.of("PGUSER", "u"), "run", "-f", MANIFEST.toString(), "--migrations", temp.toString());
        assertEquals(DbMigrateMain.BAD_INPUT, noProject.exitCode());
        assertTrue(noProject.err().contains("--migrations"), noProject.err());

        CliRun noFile = CliRun.of(Map.of(), "run");
        assertEquals(DbMigrateMain.BAD_INPUT, noFile.exitCode());
        assertTrue(noFile.err().contains("--filename"), noFile.err());
    }

    @Test
    void anUnknownTargetIsBadInputBeforeAnyBackup() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_target")) {
            Path manifest = temp.resolve("typo.yaml");
            Files.writeString(manifest, Files.readString(MANIFEST).replaceAll("targetRevision: .*", "targetRevision: cde012"
                    + "fgh999"));
            Path backups = temp.resolve("backups");
            CliRun run = runCrm(environment(db), manifest, "--backup-dir", backups.toString());

            assertEquals(DbMigrateMain.BAD_INPUT, run.exitCode(), run.err());
            assertTrue(run.err().contains("spec.targetRevision: target revision 'cde012fgh999' is not in the migrations in "
                    + CRM.toAbsolutePath()), run.err());
            assertTrue(run.err().contains("their heads are "), run.err());
            assertFalse(Files.exists(backups), "nothing backed up");
            assertEquals(List.of(), db.alembicVersion());

            // A phased manifest names the step whose target is unknown, before the first step runs.
            Path phased = phasedManifest("phased-typo.yaml", """
          - {name: expand, targetRevision: expand@head}
          - {name: contract, targetRevision: contrakt@head}
          """);
            CliRun steps = runCrm(environment(db), phased, "--backup-dir", backups.toString());
            assertEquals(DbMigrateMain.BAD_INPUT, steps.exitCode(), steps.err());
            assertTrue(steps.err().contains("spec.steps[1].targetRevision: target revision 'contrakt@head'"), steps.err());
            assertEquals(List.of(), db.alembicVersion(), "expand did not run either");
        }
    }

    @Test
    void aMissingDatabaseFailsAtOnceAsDatabaseNotFound() throws IOException {
        try (TestDatabase db = TestDatabase.create("local_nodb")) {
            Map<String, String> environment = environment(db);
            environment.put("PGDATABASE", db.name() + "_missing");
            CliRun run = CliRun.of(environment, "run", "-o", "yaml", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
                    "--backup-dir", temp.resolve("backups").toString());

            assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
            assertFalse(run.err().contains("retrying"), "a missing database is not retried: " + run.err());
            DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
            assertEquals(Phase.Failed, printed.getStatus().phase());
            assertTrue(printed.getStatus().conditionsOrEmpty().stream().anyMatch(c -> "DatabaseNotFound".equals(c.reason())),
                    printed.getStatus().conditionsOrEmpty().toString());
        }
    }
}
