package io.dbmigrate.contract;

import java.time.Instant;

/**
 * What {@code stamp} did to alembic_version. Revisions are written as in {@link BackupResult#revision()}.
 *
 * @param revision     the revision asked for, as given
 * @param fromRevision alembic_version before ({@code base} when the table was absent or empty)
 * @param toRevision   alembic_version after, read back
 * @param adopt        whether it was {@code --adopt} (spec.baseline): stamp only a database without revisions
 * @param stamped      false when {@code --adopt} found the database already at the revision or past it
 */
public record StampResult(String revision, String fromRevision, String toRevision, boolean adopt, boolean stamped,
                          Instant startedAt, Instant finishedAt) {
}
