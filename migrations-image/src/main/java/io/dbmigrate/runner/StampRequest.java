package io.dbmigrate.runner;

import java.nio.file.Path;

/**
 * Set alembic_version without running a migration.
 *
 * @param revision the revision(s) to stamp, as {@code alembic stamp} takes them (comma-separated for several heads)
 * @param adopt    spec.baseline: stamp only a database whose alembic_version is absent or empty; one already at the
 *                 revision or past it is left as it is; any other is refused ({@link ExitCode#BASELINE_REFUSED})
 */
public record StampRequest(Path migrationsDir, String revision, boolean adopt) {
}
