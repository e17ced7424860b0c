package io.dbmigrate.runner;

import java.time.Instant;
import java.util.List;

/**
 * What an upgrade did. Revisions are written as in {@link BackupResult#revision()}: joined with "," or "base".
 *
 * @param toRevision       read from the database after Alembic exited, also after a failure (truth over hope)
 * @param appliedRevisions the revisions Alembic ran and the database kept, in order
 * @param failedRevision   the revision whose upgrade failed; null on success
 */
public record UpgradeResult(String target, String fromRevision, String toRevision, List<String> appliedRevisions,
                            String failedRevision, Instant startedAt, Instant finishedAt) {
}
