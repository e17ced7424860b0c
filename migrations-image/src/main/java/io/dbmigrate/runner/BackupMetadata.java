package io.dbmigrate.runner;

import java.time.Instant;

/**
 * The {@code .dump.json} beside each archive: enough to know, without opening the archive, what it holds and whether
 * it is intact (the checksum). Pruning happens after it is written, so it carries no pruned list.
 */
public record BackupMetadata(String file, String metadataFile, long sizeBytes, String sha256, String revision,
                             boolean verified, Instant startedAt, Instant finishedAt, String database, String host,
                             int port, String format, String pgDumpVersion) {
}
