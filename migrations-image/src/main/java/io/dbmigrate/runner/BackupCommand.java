package io.dbmigrate.runner;

import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RevisionSpec;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbmigrate-runner backup}: the verified archive every migration Job starts with. */
@Command(name = "backup", description = "pg_dump -Fc the database into DIR, verify the archive, prune old ones.")
final class BackupCommand implements RunnerCommand {

    @Mixin
    CommandOptions.Archives archives = new CommandOptions.Archives();

    @Option(names = "--label", required = true, paramLabel = "LABEL", description = "Tag in the file name, e.g. g3.")
    String label;

    @Option(names = "--retain", paramLabel = "N", defaultValue = "5",
            description = "Archives of NAME to keep, the new one included (default: ${DEFAULT-VALUE}).")
    int retain;

    @Option(names = "--compression", paramLabel = "METHOD[:LEVEL]",
            description = "gzip (pg_dump's default), lz4, zstd or none, optionally with a level, e.g. zstd:3. lz4 and"
                    + " zstd need pg_dump 16 or newer: an older one is exit 2 InvalidInput before anything is dumped.")
    String compression;

    @Option(names = "--migrations", paramLabel = "DIR",
            description = "With --target: directory with alembic.ini, whose revisions --target is checked against.")
    Path migrations;

    @Option(names = "--target", paramLabel = "REV",
            description = "With --migrations: the revision the upgrade after this backup goes to. One the scripts"
                    + " do not have is exit 2 InvalidInput before anything is dumped.")
    String target;

    @Override
    public void validateOptions() throws RunnerException {
        request().validate("--dir", "--name", "--label", "--retain", "--compression");
        if ((migrations == null) != (target == null)) {
            throw new RunnerException(ExitCode.BAD_INPUT, "--migrations and --target go together");
        }
        if (target != null) {
            RevisionSpec.validate("--target", target);
        }
    }

    private BackupRequest request() throws RunnerException {
        return new BackupRequest(archives.dir, archives.name, label, retain,
                compression == null ? null : BackupCompression.parse("--compression", compression));
    }

    /** Where upgrade --expect-backup finds the revision the backup was taken at. */
    @Override
    public PodFile podFile(Map<String, String> env) {
        return PodFile.backup(env);
    }

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        ConnectionSettings settings = in.settings();
        if (target != null) {
            // A dump taken for an upgrade that cannot run is time (and a retained slot) lost: refuse first.
            RevisionGraph.checkTarget(in.tools(), AlembicRun.migrationsDirectory(migrations), target,
                    line -> in.err().println("alembic: " + settings.redact(line)));
        }
        BackupResult b = Backup.run(settings, in.tools(), request(), in.clock(), in.connection());
        in.log("backup written", "file", b.file(), "sizeBytes", b.sizeBytes(), "sha256", b.sha256(),
                "revision", b.revision(), "verified", b.verified(), "pruned", String.join(",", b.pruned()));
        String message = "backup of database '" + settings.database() + "' at revision " + b.revision()
                + " written to " + b.file() + " (" + b.sizeBytes() + " bytes, verified"
                + (b.pruned().isEmpty() ? "" : ", pruned " + b.pruned().size() + " old") + ")";
        return in.succeeded(message).withBackup(b);
    }
}
