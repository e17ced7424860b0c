package io.dbmigrate.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.docker.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The team image scripts/test.sh builds (examples/crm FROM the migrations image, as docs/first-migration.md has teams
 * do) run as a Job pod's containers run it: as user 10001, root file system read-only, writable only where the pod
 * mounts volumes (/tmp, the emptyDir its containers share; the backup volume) and the termination message file.
 */
class TeamImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    // The operator's mount path for the backup volume (JobFactory.BACKUP_MOUNT).
    private static final String BACKUPS = "/var/lib/dbmigrate/backups";
    private static final String TARGET = "vwx234yz567";

    @TempDir
    Path temp;

    @Test
    void backupRehearseUpgradePlanStampAndCurrentInTheContainer() throws Exception {
        TestEngine engine = TestEngine.fromEnvironmentOrSkip();
        try (TestDatabase db = TestDatabase.create("team_image")) {
            // A pod's volumes: the shared /tmp and the backup volume, writable by the pod's fsGroup (here: by all).
            Path tmp = writableFolder("tmp");
            Path backups = writableFolder("backups");

            JsonNode backup = run(engine, db, tmp, backups, "backup", "--dir=" + BACKUPS, "--label=g1", "--name=crm",
                    "--migrations=/migrations", "--target=" + TARGET);
            assertEquals("Succeeded", backup.path("reason").asText(), backup::toString);
            assertTrue(backup.path("backup").isObject(), backup::toString);
            List<String> archives;
            try (var files = Files.list(backups)) {
                archives = files.map(f -> f.getFileName().toString()).toList();
            }
            assertTrue(archives.stream().anyMatch(f -> f.startsWith("crm_") && f.endsWith("_g1.dump")),
                    () -> "an archive in the backup volume: " + archives);

            JsonNode rehearsal = run(engine, db, tmp, backups, "rehearse", "--dir=" + BACKUPS, "--label=g1", "--name=crm",
                    "--migrations=/migrations", "--target=" + TARGET);
            assertEquals(0, rehearsal.path("exitCode").asInt(), rehearsal::toString);
            assertEquals(List.of(), db.alembicVersion(), "a rehearsal leaves the database as it was");

            // --expect-backup reads what the backup container left in the shared /tmp, as in a pod.
            JsonNode upgrade = run(engine, db, tmp, backups, "upgrade", "--migrations=/migrations", "--target=" + TARGET,
                    "--expect-backup");
            assertEquals(0, upgrade.path("exitCode").asInt(), upgrade::toString);
            assertEquals(List.of(TARGET), db.alembicVersion());
            assertTrue(db.tableExists("customers"), "the migrations created the crm tables");

            JsonNode plan = run(engine, db, tmp, backups, "plan", "--migrations=/migrations", "--target=ijk678lmn901");
            assertEquals(0, plan.path("exitCode").asInt(), plan::toString);
            assertTrue(plan.toString().contains("ijk678lmn901"), plan::toString);
            assertEquals(List.of(TARGET), db.alembicVersion(), "a plan changes nothing");

            JsonNode stamp = run(engine, db, tmp, backups, "stamp", "--migrations=/migrations", "--revision=stu901vwx234");
            assertEquals(0, stamp.path("exitCode").asInt(), stamp::toString);
            assertEquals(List.of("stu901vwx234"), db.alembicVersion());

            JsonNode current = run(engine, db, tmp, backups, "current");
            assertEquals(0, current.path("exitCode").asInt(), current::toString);
            assertTrue(current.toString().contains("stu901vwx234"), current::toString);
        }
    }

    /**
     * The entrypoint runs a backup, and all it starts, under SCHED_BATCH (docker/dbmigrate-runner says why): the image
     * must carry chrt, and a pod's user, with its read-only root, must be let to use it. A stand-in for java, first on
     * PATH, reports the policy it was started under.
     */
    @Test
    void aBackupStartsUnderSchedBatchAsAPodsUser() throws Exception {
        TestEngine engine = TestEngine.fromEnvironmentOrSkip();
        Path bin = writableFolder("bin");
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec chrt -p $$\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestEngine.Result result = engine.run(engine.images().team())
                .user(10001, 10001)
                .readOnly()
                .mount(bin, "/stand-in")
                .env("PATH", "/stand-in:/usr/local/bin:/usr/bin:/bin")
                .toEnd(Duration.ofMinutes(1), "backup");
        String output = result.combined();
        assertEquals(0, result.exitCode(), output);
        assertTrue(output.contains("current scheduling policy: SCHED_BATCH"), output);
    }

    /**
     * One container of the pod: its result read from the termination message file, which must be JSON Kubernetes keeps
     * whole (at most 4096 bytes); its output must not hold the password.
     */
    private JsonNode run(TestEngine engine, TestDatabase db, Path tmp, Path backups, String... args) throws Exception {
        Path message = Files.createTempFile(temp, "termination-", ".log");
        Files.setPosixFilePermissions(message, PosixFilePermissions.fromString("rw-rw-rw-"));
        TestEngine.Result result = engine.run(engine.images().team())
                .user(10001, 10001)
                .readOnly()
                .mount(tmp, "/tmp")
                .mount(backups, BACKUPS)
                .mount(message, "/dev/termination-log")
                .env(db.env())
                .env("PGSSLMODE", "disable")
                .toEnd(Duration.ofMinutes(3), args);
        String output = result.combined();
        assertFalse(output.contains(db.password()), "the container logged the password");
        assertEquals(0, result.exitCode(), () -> String.join(" ", args) + " exited " + result.exitCode() + ":\n" + output);
        byte[] written = Files.readAllBytes(message);
        assertTrue(written.length > 0 && written.length <= RunnerJson.MAX_BYTES,
                () -> args[0] + " wrote " + written.length + " bytes of termination message");
        return JSON.readTree(written);
    }

    private Path writableFolder(String name) throws Exception {
        Path folder = Files.createDirectory(temp.resolve(name));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        return folder;
    }
}
