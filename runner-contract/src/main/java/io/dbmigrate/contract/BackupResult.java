package io.dbmigrate.contract;

import java.time.Instant;
import java.util.List;

/**
 * A finished, verified backup.
 *
 * @param file          absolute path of the archive ({@code pg_dump -Fc})
 * @param metadataFile  absolute path of the JSON written beside it
 * @param sha256        hex SHA-256 of the archive
 * @param revision      the Alembic revision(s) at backup time joined with ",", or "base"
 * @param verified      the archive was read back in full by pg_restore
 * @param pruned        file names of older archives of the same resource removed because of retain
 */
public record BackupResult(String file, String metadataFile, long sizeBytes, String sha256, String revision,
                           boolean verified, Instant startedAt, Instant finishedAt, List<String> pruned) {
}
