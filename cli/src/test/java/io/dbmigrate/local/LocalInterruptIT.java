package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.testing.AlembicProjects;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on `dbmigrate run` (the jar as a user starts it) while Alembic is in a slow revision: the run stops, nothing
 * is retried, the database is as it was, the lock is released, status says Interrupted, exit 130.
 */
class LocalInterruptIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");

    @TempDir
    Path temp;

    @Test
    void ctrlCStopsTheRunRecordsInterruptedAndExits130() throws Exception {
        try (TestDatabase db = TestDatabase.create("local_interrupt")) {
            Path project = AlembicProjects.copy(CRM, temp.resolve("crm"));
            AlembicProjects.addRevision(project, "zzz222slow.py", "zzz222slow", "vwx234yz567", "SELECT pg_sleep(600)");
            Path manifest = temp.resolve("slow.yaml");
            Files.writeString(manifest, Files.readString(CRM.resolve("databasemigration.yaml"))
                    .replaceAll("targetRevision: .*", "targetRevision: zzz222slow"));
            String jar = System.getProperty("dbmigrate.operator.jar");
            assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "dbmigrate.operator.jar: " + jar);
            Path stdout = temp.resolve("stdout");
            Path stderr = temp.resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar, "run", "-o", "yaml", "-f", manifest.toString(), "--migrations", project.toString(),
                    "--backup-dir", temp.resolve("backups").toString())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            Map<String, String> env = pb.environment();
            env.putAll(db.env());
            env.put("DBMIGRATE_ALEMBIC", "/usr/bin/alembic");
            Process run = pb.start();
            try {
                String sleeping = "select count(*) from pg_stat_activity where datname = current_database()"
                        + " and application_name = 'dbmigrate-alembic' and query like '%pg_sleep(600)%' and state = 'active'";
                for (int i = 0; i < 1200 && db.queryLong(sleeping) == 0; i++) {
                    assertTrue(run.isAlive(), () -> "dbmigrate run ended early: " + read(stderr));
                    Thread.sleep(100);
                }
                assertEquals(1, db.queryLong(sleeping), () -> "Alembic never reached the slow revision: " + read(stderr));
                assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor());
                assertTrue(run.waitFor(60, TimeUnit.SECONDS), "dbmigrate run ended");
            } finally {
                run.destroyForcibly();
            }
            String log = read(stderr);
            assertEquals(130, run.exitValue(), log);
            assertTrue(!log.contains("retrying"), "an interrupted attempt is not retried: " + log);

            DatabaseMigration printed = new KubernetesSerialization().unmarshal(read(stdout), DatabaseMigration.class);
            assertEquals(Phase.Failed, printed.getStatus().phase());
            assertTrue(printed.getStatus().conditionsOrEmpty().stream().anyMatch(c -> "Interrupted".equals(c.reason())),
                    printed.getStatus().conditionsOrEmpty().toString());
            assertTrue(printed.getStatus().message().contains("rolled back"), printed.getStatus().message());
            assertEquals(List.of(), db.alembicVersion(), "the run's transaction was rolled back");
            assertEquals(0, db.queryLong("select count(*) from pg_locks where locktype = 'advisory'"), "lock released");
            assertEquals(0, db.queryLong("select count(*) from pg_stat_activity where datname = current_database()"
                    + " and application_name in ('dbmigrate-runner', 'dbmigrate-alembic')"), "no session left");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
