package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as the image runs it: {@code java -jar}, environment in, termination message and exit code out. */
class RunnerJarIT {

    @TempDir
    Path tmp;

    @RegisterExtension
    final TestDatabase db = TestDatabase.perTest("jar");

    private record Run(int exit, String stdout, String stderr, RunnerResult result) {
    }

    private Run runJar(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("dbmigrate.runner.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)),
                "system property dbmigrate.runner.jar must name the shaded jar (run with mvn verify): " + jar);
        Path resultFile = tmp.resolve("termination-log");
        Files.deleteIfExists(resultFile);
        Path stdout = tmp.resolve("stdout");
        Path stderr = tmp.resolve("stderr");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Map<String, String> env = pb.environment();
        env.putAll(db.env());
        env.put("DBMIGRATE_RESULT_PATH", resultFile.toString());
        env.put("DBMIGRATE_ALEMBIC", AlembicProject.ALEMBIC);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "runner finished");
        RunnerResult result = Files.exists(resultFile) ? RunnerJson.read(Files.readString(resultFile)) : null;
        Run run = new Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8), result);
        String password = db.env().get("PGPASSWORD");
        assertFalse(run.stdout.contains(password) || run.stderr.contains(password), "the password was printed");
        return run;
    }

    @Test
    void currentUpgradeCurrent() throws Exception {
        Run before = runJar("current");
        assertEquals(0, before.exit, before.stderr);
        assertEquals("current", before.result.command());
        assertEquals("Succeeded", before.result.reason());
        assertEquals(List.of(), before.result.revisions());
        assertTrue(before.stdout.contains("at revision base"), before.stdout);
        assertEquals(1, before.stdout.lines().count(), "one summary line: " + before.stdout);
        assertTrue(before.stderr.lines().allMatch(l -> l.startsWith("time=")), before.stderr);

        AlembicProject project = AlembicProject.create(tmp.resolve("migrations"), true);
        Run upgrade = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--lock-timeout", "2s", "--lock-wait", "10s");
        assertEquals(0, upgrade.exit, upgrade.stderr);
        assertEquals("upgrade", upgrade.result.command());
        assertEquals("base", upgrade.result.upgrade().fromRevision());
        assertEquals("0002_email", upgrade.result.upgrade().toRevision());
        assertEquals(List.of("0001_init", "0002_email"), upgrade.result.upgrade().appliedRevisions());
        assertTrue(upgrade.stderr.contains("alembic: INFO  [alembic.runtime.migration] Running upgrade"), upgrade.stderr);

        Run after = runJar("current");
        assertEquals(List.of("0002_email"), after.result.revisions());
    }

    @Test
    void failingMigrationExitsWithMigrationFailed() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("migrations"), true)
                .revision("0003_broken", "0002_email", "broken", "raise RuntimeError('boom from 0003')");
        Run run = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "head");

        assertEquals(ExitCode.MIGRATION_FAILED.code(), run.exit, run.stderr);
        assertEquals("MigrationFailed", run.result.reason());
        assertEquals("0003_broken", run.result.upgrade().failedRevision());
        assertEquals("base", run.result.upgrade().toRevision());
        assertTrue(run.result.message().contains("RuntimeError: boom from 0003"), run.result.message());
        assertTrue(run.stderr.contains("level=error"), run.stderr);
        assertTrue(run.stdout.startsWith("upgrade failed: MigrationFailed (exit 21)"), run.stdout);
    }

    @Test
    void upgradeWithVerificationAndOnFailureDowngrade() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("migrations"), true)
                .withPhone();
        Run first = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "0001_init");
        assertEquals(0, first.exit, first.stderr);

        Run failed = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--lock-timeout", "500ms", "--lock-retries", "2", "--statement-timeout", "30s",
                "--verify", "has-phone=select count(*) = 1 from information_schema.columns where column_name = 'phone'",
                "--verify", "has-customers=select count(*) > 0 from customers",
                "--on-failure", "downgrade");

        assertEquals(ExitCode.VERIFICATION_FAILED.code(), failed.exit, failed.stderr);
        assertEquals("VerificationFailed", failed.result.reason());
        assertEquals("verification has-customers returned false; downgraded to 0001_init", failed.result.message());
        UpgradeResult u = failed.result.upgrade();
        assertEquals(List.of("has-phone"), u.verified());
        assertEquals("has-customers", u.failedVerification());
        assertEquals("0001_init", u.rolledBackTo());
        assertEquals("0001_init", u.toRevision());
        assertEquals(List.of("0002_email", "0003_phone"), u.appliedRevisions());
        assertEquals(1, u.lockAttempts());
        assertEquals(UpgradeResult.UPGRADE, u.direction());
        assertTrue(failed.stdout.startsWith("upgrade failed: VerificationFailed (exit 23): "), failed.stdout);
        assertTrue(failed.stderr.contains("alembic: INFO  [alembic.runtime.migration] Running downgrade 0002_email"
                + " -> 0001_init"), failed.stderr);
        assertTrue(failed.stderr.contains("retryable=false"), failed.stderr);
        assertEquals(List.of("0001_init"), runJar("current").result.revisions());

        db.execute("insert into customers (name) values ('first')");
        Run ok = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "head",
                "--verify", "has-customers=select count(*) > 0 from customers", "--on-failure", "downgrade");
        assertEquals(0, ok.exit, ok.stderr);
        assertEquals(List.of("has-customers"), ok.result.upgrade().verified());
        assertTrue(ok.stdout.endsWith("(applied 0002_email, 0003_phone); verified has-customers\n"), ok.stdout);

        Run refused = runJar("upgrade", "--migrations", project.dir().toString(), "--target", "0001_init");
        assertEquals(ExitCode.DOWNGRADE_NOT_ALLOWED.code(), refused.exit, refused.stderr);
        assertEquals("DowngradeNotAllowed", refused.result.reason());
        assertEquals(UpgradeResult.DOWNGRADE, refused.result.upgrade().direction());
    }

    @Test
    void planPrintsTheSqlAndReportsItCompressed() throws Exception {
        AlembicProject project = AlembicProject.create(tmp.resolve("migrations"), true);

        Run plan = runJar("plan", "--migrations", project.dir().toString(), "--target", "head");

        assertEquals(0, plan.exit, plan.stderr);
        assertEquals("plan", plan.result.command());
        PlanResult p = plan.result.plan();
        assertEquals("base", p.fromRevision());
        assertEquals(UpgradeResult.UPGRADE, p.direction());
        assertEquals(List.of("0001_init", "0002_email"), p.pendingRevisions());
        assertEquals(Boolean.TRUE, p.sqlComplete());
        String sql = CompressedSql.decode(p.sqlGzipBase64());
        assertTrue(sql.contains("CREATE TABLE customers"), sql);
        // stdout: all of the SQL, then the one summary line.
        assertTrue(plan.stdout.startsWith(sql), plan.stdout);
        List<String> lines = plan.stdout.lines().toList();
        assertEquals("plan succeeded: database '" + db.name() + "' is at base; upgrade to head would apply 0001_init,"
                + " 0002_email (SQL above, " + p.sqlBytes() + " bytes)", lines.get(lines.size() - 1));
        assertEquals(List.of(), runJar("current").result.revisions(), "plan ran nothing");

        runJar("upgrade", "--migrations", project.dir().toString(), "--target", "head");
        Run none = runJar("plan", "--migrations", project.dir().toString(), "--target", "head");
        assertEquals(0, none.exit, none.stderr);
        assertEquals(PlanResult.NONE, none.result.plan().direction());
        assertEquals(1, none.stdout.lines().count(), none.stdout);
    }

    @Test
    void badOptionExitsTwo() throws Exception {
        Run run = runJar("upgrade", "--migrations", "/nowhere", "--target", "$(reboot)");
        assertEquals(2, run.exit, run.stderr);
        assertEquals("InvalidInput", run.result.reason());
        assertTrue(run.result.message().contains("--target"), run.result.message());
        assertNull(run.result.upgrade());
    }
}
