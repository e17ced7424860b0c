package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.testing.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real pg_dump and pg_restore against the server in PG*; one database for the class, with some data in it. */
class BackupIT {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.perClass("backup");
    private static final Tools TOOLS = AlembicProject.tools();

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() throws Exception {
        // Enough rows that the data blocks, not the table of contents, make up most of the archive.
        Databases.stampedWithCustomers(db, "0002_email", 20000, "md5(i::text) || repeat('x', 200)");
    }

    private static Clock clockAt(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private BackupResult backup(String name, int retain, Clock clock) throws RunnerException {
        return Backup.run(Databases.settings(db), TOOLS, new BackupRequest(dir, name, "g3", retain), clock);
    }

    @Test
    void backupIsVerifiedChecksummedAndDescribed() throws Exception {
        BackupResult r = backup("crm", 5, clockAt("2024-05-06T07:08:09.123Z"));

        Path file = Path.of(r.file());
        assertEquals(dir.resolve("crm_20240506T070809123Z_g3.dump").toAbsolutePath(), file);
        assertTrue(Files.isRegularFile(file));
        assertTrue(r.verified());
        assertEquals("0002_email", r.revision());
        assertEquals(Files.size(file), r.sizeBytes());
        assertTrue(r.sizeBytes() > 100_000, "holds the data: " + r.sizeBytes());
        assertEquals(sha256(file), r.sha256());
        assertEquals(List.of(), r.pruned());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".partial")), "no partial left");
        }

        JsonNode meta = new ObjectMapper().readTree(Files.readString(Path.of(r.metadataFile())));
        assertEquals(file + ".json", r.metadataFile());
        assertEquals(r.sha256(), meta.get("sha256").asText());
        assertEquals(r.sizeBytes(), meta.get("sizeBytes").asLong());
        assertEquals("0002_email", meta.get("revision").asText());
        assertEquals(db.name(), meta.get("database").asText());
        assertEquals("custom", meta.get("format").asText());
        assertTrue(meta.get("pgDumpVersion").asText().startsWith("pg_dump (PostgreSQL)"), meta.toString());
        assertEquals("2024-05-06T07:08:09.123Z", meta.get("startedAt").asText());
        assertFalse(meta.toString().contains(db.env().get("PGPASSWORD")));

        // The archive restores: pg_restore --list shows the table data.
        Process list = new ProcessBuilder("pg_restore", "--list", file.toString()).redirectErrorStream(true).start();
        String toc = new String(list.getInputStream().readAllBytes());
        assertEquals(0, list.waitFor());
        assertTrue(toc.contains("TABLE DATA public customers"), toc);

        // And restores: the rows come back, every one of them.
        try (TestDatabase restored = TestDatabase.create("restored")) {
            ProcessBuilder restore = new ProcessBuilder("pg_restore", "--no-owner", "--exit-on-error", "-d",
                    restored.name(), file.toString()).redirectErrorStream(true);
            restore.environment().putAll(restored.env());
            Process p = restore.start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            assertEquals(20000, restored.queryLong("select count(*) from customers"));
            assertEquals(db.queryLong("select sum(length(notes)) from customers"),
                    restored.queryLong("select sum(length(notes)) from customers"));
        }
    }

    /** A pg_dump that is {@code script} (a shell script around the real one), for archives gone wrong on the way. */
    private static Tools pgDumpThrough(Path bin, String script) throws IOException {
        Path pgDump = bin.resolve("pg_dump");
        Files.writeString(pgDump, "#!/bin/sh\n"
                + "[ \"$1\" = --version ] && exec " + TOOLS.pgDump() + " --version\n" + script + "\n");
        assertTrue(pgDump.toFile().setExecutable(true));
        return new Tools(pgDump.toString(), TOOLS.pgRestore(), TOOLS.alembic(), TOOLS.python());
    }

    /**
     * A backup through a pg_dump that is {@code script} fails with {@code expected} and leaves nothing behind: no
     * archive, partial file or metadata. Returns the failure's message.
     */
    private String backupFailsThrough(Path bin, String script, ExitCode expected) throws IOException {
        Tools tools = pgDumpThrough(bin, script);
        RunnerException e = assertThrows(RunnerException.class, () -> Backup.run(Databases.settings(db), tools,
                new BackupRequest(dir, "crm", "g3", 5), Clock.systemUTC()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "nothing left: " + e.getMessage());
        }
        assertEquals(expected, e.exitCode(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aStreamCorruptedOnItsWayIsNoBackup(@TempDir Path bin) throws Exception {
        // pg_dump itself succeeds; one byte of its data flips before the runner reads it: pg_restore, reading
        // alongside, decompresses that block and fails its check.
        String message = backupFailsThrough(bin, TOOLS.pgDump() + " \"$@\" | /usr/bin/python3 -c 'import sys; "
                + "b = bytearray(sys.stdin.buffer.read()); b[len(b) * 3 // 5] ^= 0xff; sys.stdout.buffer.write(b)'",
                ExitCode.BACKUP_VERIFICATION_FAILED);
        assertTrue(message.contains("cannot be read back (pg_restore exit 1)"), message);
    }

    @Test
    void aPgDumpThatFailsHalfWayIsNoBackup(@TempDir Path bin) throws Exception {
        // 200 kB of a real archive, then pg_dump's death: the reading pg_restore fails too, but pg_dump is the cause.
        String message = backupFailsThrough(bin, TOOLS.pgDump() + " \"$@\" | head -c 200000\n"
                + "echo 'pg_dump: error: simulated failure half way' >&2\nexit 1", ExitCode.BACKUP_FAILED);
        assertTrue(message.contains("pg_dump of ") && message.contains("failed (exit 1)")
                && message.contains("simulated failure half way"), message);
        assertFalse(message.contains(db.env().get("PGPASSWORD")), message);
    }

    @Test
    void bytesAfterTheArchivesEndAreNoBackup(@TempDir Path bin) throws Exception {
        // A complete archive and then 1 MB more: pg_restore is done at the archive's end and reads no further, so
        // what follows was never read back, and a file holding it is not the verified archive.
        String message = backupFailsThrough(bin, TOOLS.pgDump() + " \"$@\" || exit $?\nhead -c 1000000 /dev/zero",
                ExitCode.BACKUP_VERIFICATION_FAILED);
        assertTrue(message.contains("pg_restore was done after"), message);
    }

    @Test
    void databaseAtBaseIsRecordedAsBase() throws Exception {
        try (TestDatabase empty = TestDatabase.create("base")) {
            BackupResult r = Backup.run(Databases.settings(empty), TOOLS, new BackupRequest(dir, "empty", "g1", 1), Clock.systemUTC());
            assertEquals("base", r.revision());
            assertTrue(r.verified());
        }
    }

    @Test
    void truncatedArchiveFailsVerification() throws Exception {
        Path good = Path.of(backup("crm", 5, Clock.systemUTC()).file());
        ArchiveVerifier.verify(TOOLS, good); // the intact one passes

        Path truncated = dir.resolve("truncated.dump");
        Files.copy(good, truncated);
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(good) * 2 / 3);
        }
        // What --list alone would miss: the table of contents is intact, so listing succeeds.
        Process list = new ProcessBuilder("pg_restore", "--list", truncated.toString()).redirectErrorStream(true).start();
        list.getInputStream().readAllBytes();
        assertEquals(0, list.waitFor(), "pg_restore --list accepts the truncated file");

        RunnerException e = assertThrows(RunnerException.class, () -> ArchiveVerifier.verify(TOOLS, truncated));
        assertEquals(ExitCode.BACKUP_VERIFICATION_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("truncated.dump"), e.getMessage());

        Path garbage = dir.resolve("garbage.dump");
        try (OutputStream out = Files.newOutputStream(garbage)) {
            out.write("PGDMP but not really".getBytes());
        }
        assertEquals(ExitCode.BACKUP_VERIFICATION_FAILED,
                assertThrows(RunnerException.class, () -> ArchiveVerifier.verify(TOOLS, garbage)).exitCode());
    }

    @Test
    void retainKeepsTheNewestAndNeverTouchesOtherResources() throws Exception {
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        Files.writeString(dir.resolve("other_20230101T000000000Z_g1.dump"), "not ours");
        Files.writeString(dir.resolve("other_20230101T000000000Z_g1.dump.json"), "{}");
        Files.writeString(dir.resolve("crm-eu_20230101T000000000Z_g1.dump"), "not ours either");
        Files.writeString(dir.resolve("crm_20230101T000000000Z_g1.dump.partial"), "left by a killed pod");
        Files.setLastModifiedTime(dir.resolve("crm_20230101T000000000Z_g1.dump.partial"),
                FileTime.from(Instant.parse("2023-01-01T00:00:00Z")));

        BackupResult first = backup("crm", 2, Clock.fixed(t, ZoneOffset.UTC));
        BackupResult second = backup("crm", 2, Clock.fixed(t.plus(Duration.ofMinutes(1)), ZoneOffset.UTC));
        BackupResult third = backup("crm", 2, Clock.fixed(t.plus(Duration.ofMinutes(2)), ZoneOffset.UTC));

        assertEquals(List.of(), second.pruned());
        assertEquals(List.of(Path.of(first.file()).getFileName().toString()), third.pruned());
        assertFalse(Files.exists(Path.of(first.file())));
        assertFalse(Files.exists(Path.of(first.metadataFile())));
        assertTrue(Files.exists(Path.of(second.file())));
        assertTrue(Files.exists(Path.of(third.file())));
        assertTrue(Files.exists(dir.resolve("other_20230101T000000000Z_g1.dump")));
        assertTrue(Files.exists(dir.resolve("other_20230101T000000000Z_g1.dump.json")));
        assertTrue(Files.exists(dir.resolve("crm-eu_20230101T000000000Z_g1.dump")));
        assertFalse(Files.exists(dir.resolve("crm_20230101T000000000Z_g1.dump.partial")), "stale partial removed");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().matches("crm_.*\\.dump")).count());
        }
    }

    @Test
    void partialFilesAreRemovedOnlyWhenOldAndTheirWriterIsGone() throws Exception {
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        Path written = partial("crm_20231231T220000000Z_g1.dump.partial", t.minus(Duration.ofHours(2)));
        Path dead = partial("crm_20231231T210000000Z_g1.dump.partial", t.minus(Duration.ofHours(3)));
        Path young = partial("crm_20231231T235959000Z_g2.dump.partial", t.minusSeconds(1));

        // Another process (another pod's runner) holds the lock of the one it still writes.
        Process writer = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl, sys; f = open(sys.argv[1], 'r+'); "
                + "fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()", written.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            assertEquals("locked", new java.io.BufferedReader(new java.io.InputStreamReader(writer.getInputStream()))
                    .readLine());
            backup("crm", 5, Clock.fixed(t, ZoneOffset.UTC));

            assertEquals("being written", Files.readString(written), "a partial file whose writer runs is kept");
            assertFalse(Files.exists(dead), "an old one whose writer is gone is removed");
            assertTrue(Files.exists(young), "a young one may not be locked yet");
        } finally {
            writer.destroy();
            writer.waitFor();
        }
        backup("crm", 5, Clock.fixed(t.plusSeconds(60), ZoneOffset.UTC));
        assertFalse(Files.exists(written), "once its writer is gone, it is removed");
    }

    @Test
    void aRunningBackupsPartialFileIsLockedAndLeftAloneByAnotherRun(@TempDir Path bin) throws Exception {
        // A pg_dump that, once done, waits for the test: the archive is complete but still .partial.
        Path go = bin.resolve("go");
        Path pgDump = bin.resolve("pg_dump");
        Files.writeString(pgDump, "#!/bin/sh\n"
                + "[ \"$1\" = --version ] && exec " + TOOLS.pgDump() + " --version\n"
                + TOOLS.pgDump() + " \"$@\" || exit $?\n"
                + "while [ ! -e " + go + " ]; do sleep 0.1; done\n");
        pgDump.toFile().setExecutable(true);
        Tools slow = new Tools(pgDump.toString(), TOOLS.pgRestore(), TOOLS.alembic(), TOOLS.python());
        Clock generation1 = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);
        java.util.concurrent.CompletableFuture<BackupResult> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return Backup.run(Databases.settings(db), slow, new BackupRequest(dir, "crm", "g1", 5), generation1);
                    } catch (RunnerException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        try {
            Path partial = dir.resolve("crm_20240101T000000000Z_g1.dump.partial");
            for (int i = 0; i < 600 && !(Files.exists(partial) && Files.size(partial) > 100_000); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.size(partial) > 100_000, "the first run's dump is written");
            // Seen from another process, as another pod would: locked.
            Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl, sys; "
                    + "fcntl.lockf(open(sys.argv[1], 'r+'), fcntl.LOCK_EX | fcntl.LOCK_NB)", partial.toString())
                    .redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            assertEquals(1, probe.waitFor(), "another process cannot lock the partial file of a running backup");

            // Another run with the same name on the same volume, hours later by its clock: the first run's file is
            // old but its writer runs. It dumps another database: on the same one, it would wait for the migration
            // lock the first run holds while it dumps.
            try (TestDatabase other = TestDatabase.create("partial_other")) {
                BackupResult second = Backup.run(Databases.settings(other), TOOLS, new BackupRequest(dir, "crm", "g2", 5),
                        Clock.fixed(Instant.parse("2024-01-01T05:00:00Z"), ZoneOffset.UTC));
                assertTrue(second.verified());
            }
            assertTrue(Files.exists(partial), "the first run's partial file is still there");
        } finally {
            Files.createFile(go);
        }
        BackupResult done = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(done.verified(), "the first run's archive was verified, not deleted under it");
        assertEquals(sha256(Path.of(done.file())), done.sha256());
    }

    private Path partial(String name, Instant modified) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "being written");
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void retentionNeverPrunesAnotherDatabasesArchives() throws Exception {
        // The same resource name against another database (another namespace's resource, or local mode pointed
        // elsewhere) shares the volume: each database keeps its own `retain` newest.
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        try (TestDatabase other = TestDatabase.create("other")) {
            BackupResult ours = backup("crm", 1, Clock.fixed(t, ZoneOffset.UTC));
            BackupResult theirs = Backup.run(Databases.settings(other), TOOLS, new BackupRequest(dir, "crm", "g3", 1),
                    Clock.fixed(t.plus(Duration.ofMinutes(1)), ZoneOffset.UTC));
            assertEquals(List.of(), theirs.pruned(), "the other database's backup pruned ours");
            assertTrue(Files.exists(Path.of(ours.file())));

            // Without metadata nobody can tell whose an archive is: it stays.
            Path unknown = dir.resolve("crm_20230101T000000000Z_g1.dump");
            Files.writeString(unknown, "no metadata beside it");

            BackupResult oursAgain = backup("crm", 1, Clock.fixed(t.plus(Duration.ofMinutes(2)), ZoneOffset.UTC));
            assertEquals(List.of(Path.of(ours.file()).getFileName().toString()), oursAgain.pruned());
            assertTrue(Files.exists(Path.of(theirs.file())));
            assertTrue(Files.exists(Path.of(theirs.metadataFile())));
            assertTrue(Files.exists(unknown));
        }
    }

    @Test
    void anUnknownTargetIsRefusedBeforeAnythingIsDumped() throws Exception {
        AlembicProject project = AlembicProject.create(dir.resolve("m"), false);
        Path backups = Files.createDirectories(dir.resolve("backups"));
        CommandLineRun run = CommandLineRun.run(dir, db.env(), "backup", "--dir", backups.toString(), "--name", "crm",
                "--label", "g1", "--migrations", project.dir().toString(), "--target", "0003_nope");

        assertEquals(2, run.exit(), run.out());
        RunnerResult result = run.result();
        assertEquals("InvalidInput", result.reason());
        assertTrue(result.message().contains("target revision '0003_nope' is not in the migrations in "
                + project.dir().toAbsolutePath()), result.message());
        assertTrue(result.message().endsWith("(their head is 0002_email)"), result.message());
        try (Stream<Path> files = Files.list(backups)) {
            assertEquals(List.of(), files.toList(), "nothing dumped");
        }

        // A known target goes on to the backup.
        run = CommandLineRun.run(dir, db.env(), "backup", "--dir", backups.toString(), "--name", "crm", "--label", "g1",
                "--migrations", project.dir().toString(), "--target", "head");
        assertEquals(0, run.exit());
    }

    @Test
    void lz4OnAClientBefore16IsRefusedBeforeAnythingRuns(@TempDir Path bin) throws Exception {
        Map<String, String> env = new HashMap<>(db.env());
        String version = new String(new ProcessBuilder(TOOLS.pgDump(), "--version").start().getInputStream()
                .readAllBytes()).strip();
        int major = Integer.parseInt(version.replaceAll("^pg_dump \\(PostgreSQL\\) (\\d+).*", "$1"));
        if (major >= 16) {
            // scripts/test.sh installs PostgreSQL 15's client; a newer one is made to say 15 for its version.
            version = "pg_dump (PostgreSQL) 15.18";
            major = 15;
            Path older = Files.writeString(bin.resolve("pg_dump"), "#!/bin/sh\necho '" + version + "'\n");
            assertTrue(older.toFile().setExecutable(true));
            env.put("DBMIGRATE_PG_DUMP", older.toString());
        }
        Path backups = Files.createDirectories(dir.resolve("backups"));
        CommandLineRun run = CommandLineRun.run(dir, env, "backup", "--dir", backups.toString(), "--name", "crm",
                "--label", "g1", "--compression", "lz4");

        assertEquals(2, run.exit(), run.out());
        RunnerResult result = run.result();
        assertEquals("InvalidInput", result.reason());
        assertEquals("backup compression lz4 (spec.backup.compression, runner option --compression) needs a PostgreSQL"
                + " 16 client or newer, and this runner's is " + major + " (" + version + "): use gzip or none, or a"
                + " migrations image with a newer client", result.message());
        try (Stream<Path> files = Files.list(backups)) {
            assertEquals(List.of(), files.toList(), "nothing dumped");
        }
    }

    @Test
    void uncompressedAndGzipLevelsAreOnePassBackupsToo() throws Exception {
        BackupResult gzip = backup("crm", 5, clockAt("2024-05-06T07:00:00Z"));
        BackupResult none = Backup.run(Databases.settings(db), TOOLS, new BackupRequest(dir, "crm", "g3", 5,
                BackupCompression.parse("compression", "none")), clockAt("2024-05-06T07:01:00Z"));
        BackupResult best = Backup.run(Databases.settings(db), TOOLS, new BackupRequest(dir, "crm", "g3", 5,
                BackupCompression.parse("compression", "gzip:9")), clockAt("2024-05-06T07:02:00Z"));
        for (BackupResult r : List.of(none, best)) {
            assertTrue(r.verified());
            assertEquals(Files.size(Path.of(r.file())), r.sizeBytes());
            assertEquals(sha256(Path.of(r.file())), r.sha256());
            ArchiveVerifier.verify(TOOLS, Path.of(r.file()));
        }
        // 20,000 rows of 230 bytes of text: uncompressed, the archive holds them all; gzip shrinks it.
        assertTrue(none.sizeBytes() > 20_000L * 230, "uncompressed: " + none.sizeBytes());
        assertTrue(gzip.sizeBytes() < none.sizeBytes() / 2, gzip.sizeBytes() + " vs " + none.sizeBytes());
        assertTrue(best.sizeBytes() <= gzip.sizeBytes(), best.sizeBytes() + " vs " + gzip.sizeBytes());
        assertEquals("none", new ObjectMapper().readTree(Files.readString(Path.of(none.metadataFile())))
                .get("compression").asText());
        assertEquals("gzip", new ObjectMapper().readTree(Files.readString(Path.of(gzip.metadataFile())))
                .get("compression").asText());
    }

    @Test
    void theClientIsAskedItsVersionOncePerTool(@TempDir Path bin) throws Exception {
        Path calls = bin.resolve("calls.log");
        Tools tools = pgDumpThrough(bin, "exec " + TOOLS.pgDump() + " \"$@\"");
        Files.writeString(bin.resolve("pg_dump"), Files.readString(bin.resolve("pg_dump"))
                .replace("#!/bin/sh\n", "#!/bin/sh\necho \"$1\" >> '" + calls + "'\n"));
        Backup.run(Databases.settings(db), tools, new BackupRequest(dir, "crm", "g1", 5), Clock.systemUTC());
        Backup.run(Databases.settings(db), tools, new BackupRequest(dir, "crm", "g2", 5), Clock.systemUTC());
        List<String> lines = Files.readAllLines(calls);
        assertEquals(1, lines.stream().filter("--version"::equals).count(), lines.toString());
        assertEquals(2, lines.stream().filter("-Fc"::equals).count(), lines.toString());
    }

    @Test
    void missingOrUnusableDirectoryIsABackupFailure() throws Exception {
        Path missing = dir.resolve("not-mounted");
        RunnerException e = assertThrows(RunnerException.class, () -> Backup.run(Databases.settings(db), TOOLS,
                new BackupRequest(missing, "crm", "g3", 5), Clock.systemUTC()));
        assertEquals(ExitCode.BACKUP_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        Path aFile = Files.writeString(dir.resolve("a-file"), "x");
        e = assertThrows(RunnerException.class, () -> Backup.run(Databases.settings(db), TOOLS,
                new BackupRequest(aFile, "crm", "g3", 5), Clock.systemUTC()));
        assertEquals(ExitCode.BACKUP_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());

        // /proc/1 is a directory nobody can create files in, root included.
        e = assertThrows(RunnerException.class, () -> Backup.run(Databases.settings(db), TOOLS,
                new BackupRequest(Path.of("/proc/1"), "crm", "g3", 5), Clock.systemUTC()));
        assertEquals(ExitCode.BACKUP_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());
    }

    @Test
    void wrongPasswordIsAnAuthenticationFailureAndLeavesNoFile() throws Exception {
        Map<String, String> env = new HashMap<>(db.env());
        env.put("PGPASSWORD", "definitely-not-the-password");
        ConnectionSettings wrong = ConnectionSettings.fromEnvironment(env);
        RunnerException e = assertThrows(RunnerException.class, () -> Backup.run(wrong, TOOLS,
                new BackupRequest(dir, "crm", "g3", 5), Clock.systemUTC()));
        assertEquals(ExitCode.AUTHENTICATION_FAILED, e.exitCode());
        assertFalse(e.getMessage().contains("definitely-not-the-password"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void pgDumpFailureIsABackupFailureAndLeavesNoFile() throws Exception {
        // A user who may read alembic_version but not every table: pg_dump fails half way through.
        String role = "dbm_it_reader_" + Long.toHexString(System.nanoTime());
        db.execute("create table secret_stuff (x int)",
                "create role " + role + " login password 'reader-pw'",
                "grant select on alembic_version, customers to " + role);
        try {
            Map<String, String> env = new HashMap<>(db.env());
            env.put("PGUSER", role);
            env.put("PGPASSWORD", "reader-pw");
            RunnerException e = assertThrows(RunnerException.class, () -> Backup.run(
                    ConnectionSettings.fromEnvironment(env), TOOLS, new BackupRequest(dir, "crm", "g3", 5),
                    Clock.systemUTC()));
            assertEquals(ExitCode.BACKUP_FAILED, e.exitCode());
            assertTrue(e.getMessage().contains("secret_stuff"), e.getMessage());
            assertFalse(e.getMessage().contains("reader-pw"), e.getMessage());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
        } finally {
            db.execute("drop table secret_stuff", "revoke all on alembic_version, customers from " + role,
                    "drop role " + role);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
