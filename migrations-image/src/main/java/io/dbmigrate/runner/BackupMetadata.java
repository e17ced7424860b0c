package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code .dump.json} beside each archive: enough to know, without opening the archive, what it holds and whether
 * it is intact (the checksum). Pruning happens after it is written, so it carries no pruned list. {@code compression}
 * is pg_dump's, as {@link io.dbmigrate.contract.BackupCompression} writes it; absent in metadata of older runners.
 */
public record BackupMetadata(String file, String metadataFile, long sizeBytes, String sha256, String revision,
                             boolean verified, Instant startedAt, Instant finishedAt, String database, String host,
                             int port, String format, String compression,
                             String pgDumpVersion) {

    /**
     * The metadata beside {@code archive}; empty when there is none.
     *
     * @throws IOException              when it cannot be read
     * @throws IllegalArgumentException when it is not backup metadata
     */
    static Optional<BackupMetadata> beside(Path archive) throws IOException {
        Path sidecar = archive.resolveSibling(archive.getFileName() + BackupFileName.METADATA_SUFFIX);
        if (!Files.isRegularFile(sidecar)) {
            return Optional.empty();
        }
        return Optional.of(RunnerJson.read(Files.readString(sidecar), BackupMetadata.class));
    }

    /** Whether this is a dump of the database {@code settings} connect to: the same host, port and name. */
    boolean isOf(ConnectionSettings settings) {
        return settings.host().equals(host) && settings.port() == port && settings.database().equals(database);
    }
}
