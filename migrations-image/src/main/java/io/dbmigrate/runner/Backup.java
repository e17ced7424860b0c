package io.dbmigrate.runner;

import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.Revisions;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.SchemaName;
import io.dbmigrate.contract.Truncation;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backs up one database with {@code pg_dump -Fc} before a migration, and only calls it a backup once pg_restore has read
 * it back in full. The archive is written under a {@code .partial} name and renamed atomically, so a file named
 * {@code .dump} is always complete; old archives are pruned only after the new one is safe.
 */
public final class Backup {

    /** A partial file younger than this is never removed: its writer may be about to lock it, or still write it. */
    static final Duration STALE_AFTER = Duration.ofHours(1);
    // The partial files this JVM writes (local mode runs the runner in-process): closing a channel of such a file here
    // would release the writer's lock, so they are never opened to test their lock.
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();
    private static final Pattern MAJOR_VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    private Backup() {
    }

    public static BackupResult run(ConnectionSettings settings, Tools tools, BackupRequest request, Clock clock)
            throws RunnerException {
        return run(settings, tools, request, clock, null);
    }

    /**
     * {@link #run(ConnectionSettings, Tools, BackupRequest, Clock)} with a connection already being opened: used when
     * it is for {@code settings}, and then closed by the caller when it is not taken. Null opens one here.
     */
    static BackupResult run(ConnectionSettings settings, Tools tools, BackupRequest request, Clock clock,
                            EarlyConnection opened) throws RunnerException {
        request.validate();
        if (opened != null && opened.isFor(settings)) {
            return backUp(settings, tools, request, clock, opened);
        }
        try (EarlyConnection connection = EarlyConnection.open(settings)) {
            return backUp(settings, tools, request, clock, connection);
        }
    }

    private static BackupResult backUp(ConnectionSettings settings, Tools tools, BackupRequest request, Clock clock,
                                       EarlyConnection connection) throws RunnerException {
        BackupCompression compression = request.compressionOrDefault();
        // First: a compression the client does not have is the resource's mistake, told before anything else runs.
        String pgDumpVersion = version(tools.pgDump());
        checkClientHas(compression, pgDumpVersion);
        if (compression.method().sincePgDump() > 0) {
            checkClientHas(compression, version(tools.pgRestore())); // it reads the archive back
        }
        Instant startedAt = now(clock);
        Path dir = request.directory().toAbsolutePath().normalize();
        checkWritableDirectory(dir);
        removeStalePartials(dir, request.name(), startedAt);

        PartialFile claimed = claimFileName(dir, request, startedAt);
        Path file = claimed.file();
        Path partial = claimed.partial();
        try {
            Dumped dumped = dumpUnderLock(connection.take("connecting to " + settings.describe()), settings, tools,
                    compression, claimed);
            String revision = dumped.revision();
            long size = dumped.size();
            String sha256 = dumped.sha256();
            moveAtomically(partial, file);
            Instant finishedAt = now(clock);

            Path metadataFile = dir.resolve(file.getFileName() + BackupFileName.METADATA_SUFFIX);
            writeMetadata(metadataFile, new BackupMetadata(file.toString(), metadataFile.toString(), size, sha256,
                    revision, true, startedAt, finishedAt, settings.database(), settings.host(), settings.port(),
                    "custom", compression.toString(), pgDumpVersion));

            List<String> pruned = prune(dir, request, file, settings);
            return new BackupResult(file.toString(), metadataFile.toString(), size, sha256, revision, true,
                    startedAt, finishedAt, pruned);
        } catch (IOException e) {
            throw new RunnerException(ExitCode.BACKUP_FAILED, "writing backup " + file + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial); // after the rename it no longer exists; after a failure it must not stay
            claimed.release();
        }
    }

    /**
     * Loads what the run needs after pg_dump (the JSON writers of the metadata and of the runner's result: a quarter
     * of a second of class loading without the image's class-data archive) on a spare thread while pg_dump runs,
     * instead of after it: a backup's fixed cost is most of a small database's, and pg_dump leaves a core mostly idle.
     * Not before: the connection, opened meanwhile (EarlyConnection), is the start's critical path and needs the other
     * core.
     */
    private static void warmUp() {
        Thread warm = new Thread(() -> {
            RunnerJson.writePretty(new BackupMetadata("", "", 0, "", "", true, Instant.EPOCH, Instant.EPOCH, "", "", 0,
                    "custom", "gzip", ""));
            RunnerJson.write(RunnerResult.of("backup", ExitCode.OK, "").withBackup(new BackupResult("", "", 0, "", "",
                    true, Instant.EPOCH, Instant.EPOCH, List.of())));
        }, "backup-warm-up");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
    }

    /**
     * The archive being written under its {@code .partial} name, created by this run (never an existing file) and
     * locked by it until it is renamed: another run that can take the lock knows its writer is gone.
     */
    private record PartialFile(Path file, Path partial, FileChannel channel) {
        void release() {
            WRITING.remove(partial);
            try {
                channel.close();
            } catch (IOException e) {
                // closing drops the lock; nothing else to undo
            }
        }
    }

    /** An actual probe file, because access(2) says yes to root on a read-only volume mounted without "ro" hints. */
    private static void checkWritableDirectory(Path dir) throws RunnerException {
        if (!Files.isDirectory(dir)) {
            throw new RunnerException(ExitCode.BACKUP_FAILED, "backup directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist (is the backup volume mounted?)"));
        }
        try {
            Path probe = Files.createTempFile(dir, ".dbmigrate-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new RunnerException(ExitCode.BACKUP_FAILED, "backup directory " + dir + " is not writable: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /**
     * Leftovers of a backup that was killed half way (pod evicted, node lost): never valid, only in the way. But another
     * run may be writing one right now (another generation's Job, a stamp, a second resource of the same name on a
     * shared volume), so a partial file is removed only when it is older than {@link #STALE_AFTER} and its writer's lock
     * can be taken, which only a dead writer allows. Whatever cannot be told (no lock support, no permission) is kept:
     * a stale file costs space, a deleted live one costs a backup.
     */
    private static void removeStalePartials(Path dir, String name, Instant now) throws RunnerException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (BackupFileName.isStalePartial(name, p.getFileName().toString()) && !WRITING.contains(p)
                        && Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(STALE_AFTER))) {
                    removeIfUnlocked(p);
                }
            }
        } catch (IOException e) {
            throw new RunnerException(ExitCode.BACKUP_FAILED,
                    "cannot clean up stale partial backups in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void removeIfUnlocked(Path partial) {
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                Files.deleteIfExists(partial); // still locked: no writer can take it up meanwhile
            }
        } catch (IOException | OverlappingFileLockException e) {
            System.err.println(KeyValueLog.line("warn", "partial backup kept: cannot tell whether its writer is gone",
                    "file", partial, "error", e.getMessage()));
        }
    }

    /**
     * The first line of {@code tool --version}, e.g. {@code pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)}; asked
     * once per tool in this JVM (a local run over a fleet backs up every target with the same client; on Debian each
     * ask is a Perl start in pg_wrapper too).
     */
    private static String version(String tool) throws RunnerException {
        String known = VERSIONS.get(tool);
        if (known != null) {
            return known;
        }
        ExternalProcess.Outcome outcome = runTool(List.of(tool, "--version"), Map.of(), tool);
        if (outcome.exitCode() != 0 || outcome.output().isEmpty()) {
            throw new RunnerException(ExitCode.BACKUP_FAILED,
                    tool + " --version failed: " + Truncation.truncate(outcome.tail(3), 500));
        }
        String version = outcome.output().get(0).strip();
        VERSIONS.put(tool, version);
        return version;
    }

    /**
     * lz4 and zstd came with pg_dump 16; an older client refuses them only once it runs, and its pg_restore cannot read
     * them back. A version line that names no major version is left to the tool itself.
     */
    static void checkClientHas(BackupCompression compression, String versionLine) throws RunnerException {
        int since = compression.method().sincePgDump();
        Matcher m = MAJOR_VERSION.matcher(versionLine);
        if (since > 0 && m.find() && Integer.parseInt(m.group(1)) < since) {
            throw new RunnerException(ExitCode.BAD_INPUT, "backup compression " + compression
                    + " (spec.backup.compression, runner option --compression) needs a PostgreSQL " + since
                    + " client or newer, and this runner's is " + m.group(1) + " (" + versionLine + "): use gzip or"
                    + " none, or a migrations image with a newer client");
        }
    }

    /** pg_dump's -Z for {@code compression}; none for gzip at its default level, as pg_dump was always run. */
    static List<String> compressionArguments(BackupCompression compression) {
        return switch (compression.method()) {
            case GZIP -> compression.level() == null ? List.of() : List.of("-Z", compression.level().toString());
            case NONE -> List.of("-Z", "0"); // every version's way; 16 also says "none"
            case LZ4, ZSTD -> List.of("-Z", compression.toString());
        };
    }

    /** The archive on disk: the revision it was taken at, its size and SHA-256 as pg_restore read it back. */
    private record Dumped(String revision, long size, String sha256) {
    }

    /**
     * Reads the revision and dumps the database under its migration lock, the one every upgrade takes, so that no
     * dbmigrate run migrates it in between; upgrade --expect-backup later checks, under that lock, that the database
     * is still at this revision. The archive is read back as it is written, so the lock is held no longer than pg_dump
     * needs it. The JDBC connection comes first, so a wrong password or an unreachable server is reported precisely
     * (AuthenticationFailed, ConnectionFailed) instead of as a generic pg_dump failure. It was opened while the input
     * was checked ({@link EarlyConnection}); this closes it.
     */
    private static Dumped dumpUnderLock(Connection connection, ConnectionSettings settings, Tools tools,
                                        BackupCompression compression, PartialFile partial) throws RunnerException {
        try (Connection c = connection;
             AdvisoryLock lock = AdvisoryLock.acquire(c, LockSafety.DEFAULT_LOCK_WAIT, settings.database(), System.err)) {
            String revision = Revisions.describe(AlembicVersion.current(c, settings.versionTable()));
            createMissingSchema(c, settings);
            warmUp();
            OnePassDump.Outcome outcome = dump(settings, tools, compression, partial);
            return new Dumped(revision, outcome.size(), outcome.sha256());
        } catch (SQLException e) {
            throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
        }
    }

    // Two backups within the same millisecond would collide; the later one moves on by a millisecond. The partial file
    // is created new, so two runs never share one, and locked before anything is written to it.
    private static PartialFile claimFileName(Path dir, BackupRequest request, Instant at) throws RunnerException {
        Instant t = at;
        for (int i = 0; i < 1000; i++, t = t.plusMillis(1)) {
            Path candidate = dir.resolve(BackupFileName.of(request.name(), t, request.label()));
            Path partial = dir.resolve(candidate.getFileName() + BackupFileName.PARTIAL_SUFFIX);
            if (Files.exists(candidate)) {
                continue;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException e) {
                throw new RunnerException(ExitCode.BACKUP_FAILED, "cannot create " + partial + ": " + e.getMessage(), e);
            }
            WRITING.add(partial);
            PartialFile claimed = new PartialFile(candidate, partial, channel);
            try {
                if (channel.tryLock() == null) {
                    throw new IOException("locked by another process");
                }
            } catch (IOException e) {
                // A volume without locks: others cannot lock it either, so they keep it; the backup goes on.
                System.err.println(KeyValueLog.line("warn", "partial backup not locked", "file", partial,
                        "error", e.getMessage()));
            }
            return claimed;
        }
        throw new RunnerException(ExitCode.BACKUP_FAILED, "no free backup file name for " + request.name() + " in " + dir);
    }

    /**
     * A schema target before its first migration has no schema yet, and pg_dump refuses a --schema that matches none.
     * It is created empty (env.py would create it in a moment, with the same right), so that the backup is the empty
     * schema the migration starts from and a rehearsal restores it.
     */
    private static void createMissingSchema(Connection c, ConnectionSettings settings) throws SQLException {
        if (settings.schema() == null) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement("select 1 from pg_namespace where nspname = ?")) {
            st.setString(1, settings.schema());
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("create schema if not exists " + SchemaName.quoted(settings.schema()));
        }
        System.err.println(KeyValueLog.line("info", "backup: the schema did not exist; created it empty to dump it",
                "schema", settings.schema()));
    }

    /**
     * pg_dump to the partial file, hashed and read back by pg_restore in the same pass. pg_dump's failure is the cause
     * when both fail (pg_restore then only saw the archive end early), so it is told first.
     */
    private static OnePassDump.Outcome dump(ConnectionSettings settings, Tools tools, BackupCompression compression,
                                            PartialFile partial) throws RunnerException {
        // Connection and password come from the environment; --no-password makes a missing one fail, not prompt.
        // No -f: the archive comes through a pipe, so pg_dump writes it front to back (see OnePassDump).
        List<String> command = new ArrayList<>(List.of(tools.pgDump(), "-Fc", "--no-password"));
        if (settings.schema() != null) {
            // The tenant's schema alone, never the other tenants'. A valid name is also a literal pg_dump pattern.
            command.add("--schema=" + settings.schema());
        }
        command.addAll(compressionArguments(compression));
        OnePassDump.Outcome outcome = ExternalProcess.supervise("running " + tools.pgDump(),
                e -> new RunnerException(ExitCode.BACKUP_FAILED, "cannot run " + tools.pgDump() + " or "
                        + tools.pgRestore() + ", or write " + partial.partial() + ": " + e.getMessage(), e),
                () -> OnePassDump.run(command, settings.libpqEnvironment(), ArchiveVerifier.readingStandardInput(tools),
                        partial.channel()));
        if (outcome.dumpExit() != 0) {
            // A lost connection (a failover, a restarted server) is retried; a dump that itself failed is not.
            ExitCode code = ConnectionSettings.classifyClientOutput(outcome.dumpOutput()).orElse(ExitCode.BACKUP_FAILED);
            throw new RunnerException(code, "pg_dump of " + settings.describe() + " failed (exit "
                    + outcome.dumpExit() + "): " + settings.redact(Truncation.truncate(
                    new ExternalProcess.Outcome(outcome.dumpExit(), outcome.dumpOutput()).tail(5), 1000)));
        }
        if (outcome.restoreExit() != 0) {
            throw ArchiveVerifier.unreadable(partial.partial(), outcome.restoreExit(),
                    new ExternalProcess.Outcome(outcome.restoreExit(), outcome.restoreOutput()).tail(5));
        }
        if (outcome.restoreStoppedAt() >= 0) {
            // pg_dump wrote past the archive's last block: bytes nobody read back are no part of a verified backup.
            throw new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED, "backup " + partial.partial().getFileName()
                    + " cannot be read back: pg_restore was done after " + outcome.restoreStoppedAt() + " of its "
                    + outcome.size() + " bytes");
        }
        return outcome;
    }

    private static ExternalProcess.Outcome runTool(List<String> command, Map<String, String> env, String tool)
            throws RunnerException {
        return ExternalProcess.supervise("running " + tool,
                e -> new RunnerException(ExitCode.BACKUP_FAILED, "cannot run " + tool + ": " + e.getMessage(), e),
                () -> ExternalProcess.run(command, null, env, null));
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the backup volume does not support atomic renames: " + e.getMessage(), e);
        }
    }

    private static void writeMetadata(Path metadataFile, BackupMetadata metadata) throws IOException {
        Path tmp = metadataFile.resolveSibling(metadataFile.getFileName() + BackupFileName.PARTIAL_SUFFIX);
        try {
            Files.writeString(tmp, RunnerJson.writePretty(metadata));
            Files.move(tmp, metadataFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Keeps the newest {@code retain} archives of this resource and this database, the new one included (it is never
     * deleted, even if a clock skew made an older file look newer). Ordered by the timestamp in the name, not by
     * mtime, which copies and restores of the volume do not preserve. A file that cannot be deleted is left for the
     * next run: the backup itself succeeded and must not be failed over housekeeping.
     */
    private static List<String> prune(Path dir, BackupRequest request, Path keep, ConnectionSettings settings)
            throws IOException {
        record Archive(Path path, Instant at) {
        }
        List<Archive> others = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String fileName = p.getFileName().toString();
                Optional<Instant> at = BackupFileName.timestampOf(request.name(), fileName);
                if (at.isPresent() && !p.equals(keep) && Files.isRegularFile(p) && isOf(p, settings)) {
                    others.add(new Archive(p, at.get()));
                }
            }
        }
        others.sort(Comparator.comparing(Archive::at).thenComparing(a -> a.path().getFileName().toString()).reversed());
        List<String> pruned = new ArrayList<>();
        for (Archive old : others.subList(Math.min(others.size(), request.retain() - 1), others.size())) {
            try {
                Files.deleteIfExists(old.path());
                Files.deleteIfExists(old.path().resolveSibling(old.path().getFileName() + BackupFileName.METADATA_SUFFIX));
                pruned.add(old.path().getFileName().toString());
            } catch (IOException e) {
                System.err.println(KeyValueLog.line("warn", "cannot prune old backup", "file", old.path(),
                        "error", e.getMessage()));
            }
        }
        return List.copyOf(pruned);
    }

    /**
     * Whether the archive's metadata names the database being backed up. The resource name alone does not say: the same
     * name in another namespace, or in local mode against another database, shares the volume. Without readable
     * metadata nobody can tell, so the archive stays.
     */
    private static boolean isOf(Path archive, ConnectionSettings settings) {
        try {
            return BackupMetadata.beside(archive).map(m -> m.isOf(settings)).orElse(false);
        } catch (IOException | RuntimeException e) {
            System.err.println(KeyValueLog.line("warn", "unreadable backup metadata, archive not pruned", "file",
                    archive, "error", e.getMessage()));
            return false;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the next run removes stale partials
        }
    }

    // Milliseconds, like the file names: nobody needs nanoseconds, and the termination message has 4096 bytes.
    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
