package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
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
import java.util.HashMap;
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

  private record Run(int exitCode, String out, String err) {
  }

  private static Run run(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = DbMigrateMain.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A manifest of crm's revisions with these steps (YAML below {@code steps:}), backups off. */
  private Path phasedManifest(String file, String stepsYaml) throws IOException {
    String steps = stepsYaml.stripIndent().lines().map(line -> "    " + line).reduce("", (a, b) -> a + b + "\n");
    return Files.writeString(temp.resolve(file), """
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: crm}
        spec:
          database: {host: localhost, name: crm, credentialsSecret: {name: crm-db}}
          migrations: {image: registry.example.com/crm-migrations:1.0.0}
          backup: {mode: Disabled, reason: a throwaway test database}
          steps:
        """ + steps);
  }

  private static Map<String, String> environment(TestDatabase db) {
    Map<String, String> environment = new HashMap<>();
    environment.put("PGHOST", db.host());
    environment.put("PGPORT", Integer.toString(db.port()));
    environment.put("PGUSER", db.user());
    environment.put("PGPASSWORD", db.password());
    environment.put("PGDATABASE", db.name());
    environment.put("DBMIGRATE_ALEMBIC", "/usr/bin/alembic");
    return environment;
  }

  @Test
  void aRehearsalCatchesTheSeedsNameErrorAndLeavesTheDatabaseAsItWas() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_rehearse")) {
      Path seedDefects = TestCluster.repoRoot().resolve("examples/seed-defects");
      Run first = run(environment(db), "run", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
          "--backup-dir", temp.resolve("backups").toString());
      assertEquals(DbMigrateMain.SUCCEEDED, first.exitCode(), first.err());
      long scratchBefore = db.queryLong(SCRATCH);

      Run run = run(environment(db), "run", "-f", seedDefects.resolve("databasemigration-nameerror.yaml").toString(),
          "--migrations", seedDefects.toString(), "--backup-dir", temp.resolve("backups").toString());

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
              "--backup-dir", temp.resolve("backups").toString()}, environment,
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
  void nowPutsTheRunInsideOrOutsideAMaintenanceWindow() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_window")) {
      Path manifest = phasedManifest("window.yaml", """
          - name: tables
            targetRevision: xyz789uvw012
          - name: preferences
            targetRevision: abc123def456
            gate:
              window: {schedule: "0 2 * * 6", duration: 2h, timeZone: UTC}
          """);
      Run friday = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString(),
          "--now", "2026-11-27T12:00:00Z");
      assertEquals(DbMigrateMain.SUCCEEDED, friday.exitCode(), friday.err());
      DatabaseMigration waiting = new KubernetesSerialization().unmarshal(friday.out(), DatabaseMigration.class);
      assertEquals(Phase.AwaitingGate, waiting.getStatus().phase());
      assertEquals("2026-11-28T02:00:00Z", waiting.getStatus().steps().get(1).nextWindow());
      assertEquals(List.of("xyz789uvw012"), db.alembicVersion());

      Run saturday = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString(),
          "--now", "2026-11-28T02:30:00Z");
      assertEquals(DbMigrateMain.SUCCEEDED, saturday.exitCode(), saturday.err());
      assertEquals(Phase.Succeeded, new KubernetesSerialization().unmarshal(saturday.out(), DatabaseMigration.class)
          .getStatus().phase());
      assertEquals(List.of("abc123def456"), db.alembicVersion());

      Run bad = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString(),
          "--now", "saturday");
      assertEquals(DbMigrateMain.BAD_INPUT, bad.exitCode());
      assertTrue(bad.err().contains("--now saturday"), bad.err());
    }
  }

  @Test
  void runsTheManifestAndPrintsTheResourceWithItsStatus() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_ok")) {
      Path backups = temp.resolve("backups");
      Run run = run(environment(db), "run", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
          "--backup-dir", backups.toString());

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
  void aClosedGateStopsWithExitZeroAndApproveOpensIt() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_gate")) {
      Path manifest = phasedManifest("phased.yaml", """
          - name: expand
            targetRevision: mno345pqr678
          - name: contract
            targetRevision: vwx234yz567
            gate: {approval: {}}
          """);
      Run stopped = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString());

      assertEquals(DbMigrateMain.SUCCEEDED, stopped.exitCode(), stopped.err());
      DatabaseMigration waiting = new KubernetesSerialization().unmarshal(stopped.out(), DatabaseMigration.class);
      assertEquals(Phase.AwaitingGate, waiting.getStatus().phase());
      assertEquals("contract", waiting.getStatus().currentStep());
      assertEquals(List.of("mno345pqr678"), db.alembicVersion());
      assertTrue(stopped.err().contains("--approve contract"), stopped.err());
      // The plan is shown before anything runs: the SQL of the pending revisions.
      assertTrue(stopped.err().contains("ALTER TABLE tickets ADD COLUMN new_status"), stopped.err());

      Run approved = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString(),
          "--approve", "contract");

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
      Run run = run(environment(db), "run", "-f", CRM.resolve("databasemigration-phased.yaml").toString(),
          "--migrations", CRM.toString(), "--backup-dir", backups.toString(), "--approve", "contract");

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
          - name: contract
            targetRevision: xyz789uvw012
            gate: {deploymentRollout: {name: crm-api}}
          """);
      Run run = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString());

      assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
      assertTrue(run.err().contains("cannot open without a cluster"), run.err());
      assertEquals(List.of(), db.alembicVersion());
    }
  }

  @Test
  void approvingAStepWithoutAnApprovalGateIsBadInput() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_noapprove")) {
      Run run = run(environment(db), "run", "-f", CRM.resolve("databasemigration-phased.yaml").toString(),
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
      Run run = run(environment, "run", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
          "--backup-dir", temp.resolve("b").toString(), "--database-url", url);

      assertEquals(DbMigrateMain.SUCCEEDED, run.exitCode(), run.err());
      assertEquals(List.of(EXPAND_HEAD), db.alembicVersion());
      assertFalse(run.err().contains(db.password()), "the password from the URL was printed");
    }
  }

  @Test
  void aRaisingRevisionExitsOneWithTheRevisionInStatus() throws IOException {
    try (TestDatabase db = TestDatabase.create("local_fail")) {
      Path broken = temp.resolve("broken");
      copy(CRM, broken);
      Files.writeString(broken.resolve("versions/zzz111local_raises.py"), """
          from alembic import op
          revision = 'zzz111local'
          down_revision = 'vwx234yz567'
          branch_labels = None
          depends_on = None


          def upgrade():
              op.execute('SELECT 1/0')


          def downgrade():
              pass
          """);
      // The raising revision is a head of its own, next to expand and contract: target it by name.
      Path manifest = temp.resolve("raises.yaml");
      Files.writeString(manifest, Files.readString(MANIFEST).replaceAll("targetRevision: .*", "targetRevision: zzz111local"));
      Run run = run(environment(db), "run", "-f", manifest.toString(), "--migrations", broken.toString(),
          "--backup-dir", temp.resolve("backups").toString());

      assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
      DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
      assertEquals(Phase.Failed, printed.getStatus().phase());
      assertEquals("zzz111local", printed.getStatus().lastMigration().failedRevision());
      assertTrue(printed.getStatus().message().contains("division by zero"), printed.getStatus().message());
      assertEquals(List.of(), db.alembicVersion(), "the whole run rolled back");
    }
  }

  @Test
  void badInputExitsTwoNamingTheField() throws IOException {
    Path manifest = temp.resolve("bad.yaml");
    Files.writeString(manifest, Files.readString(MANIFEST).replace("port: 5432", "port: 70000"));
    Run badPort = run(Map.of("PGUSER", "u"), "run", "-f", manifest.toString(), "--migrations", CRM.toString());
    assertEquals(DbMigrateMain.BAD_INPUT, badPort.exitCode());
    assertTrue(badPort.err().contains("spec.database.port"), badPort.err());

    Files.writeString(manifest, Files.readString(MANIFEST).replace("    host:", "    hots:"));
    Run typo = run(Map.of("PGUSER", "u"), "run", "-f", manifest.toString(), "--migrations", CRM.toString());
    assertEquals(DbMigrateMain.BAD_INPUT, typo.exitCode());
    assertTrue(typo.err().contains("spec.database.hots: unknown field"), typo.err());

    Run noProject = run(Map.of("PGUSER", "u"), "run", "-f", MANIFEST.toString(), "--migrations", temp.toString());
    assertEquals(DbMigrateMain.BAD_INPUT, noProject.exitCode());
    assertTrue(noProject.err().contains("--migrations"), noProject.err());

    Run noFile = run(Map.of(), "run");
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
      Run run = run(environment(db), "run", "-f", manifest.toString(), "--migrations", CRM.toString(),
          "--backup-dir", backups.toString());

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
      Run steps = run(environment(db), "run", "-f", phased.toString(), "--migrations", CRM.toString(),
          "--backup-dir", backups.toString());
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
      Run run = run(environment, "run", "-f", MANIFEST.toString(), "--migrations", CRM.toString(),
          "--backup-dir", temp.resolve("backups").toString());

      assertEquals(DbMigrateMain.FAILED, run.exitCode(), run.err());
      assertFalse(run.err().contains("retrying"), "a missing database is not retried: " + run.err());
      DatabaseMigration printed = new KubernetesSerialization().unmarshal(run.out(), DatabaseMigration.class);
      assertEquals(Phase.Failed, printed.getStatus().phase());
      assertTrue(printed.getStatus().conditionsOrEmpty().stream().anyMatch(c -> "DatabaseNotFound".equals(c.reason())),
          printed.getStatus().conditionsOrEmpty().toString());
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.filter(p -> !p.toString().contains("__pycache__")).toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
