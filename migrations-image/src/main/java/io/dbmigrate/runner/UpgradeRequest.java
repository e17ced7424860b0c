package io.dbmigrate.runner;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What to migrate to, and how patient to be.
 *
 * @param migrationsDir the directory holding {@code alembic.ini} (Alembic runs with it as working directory)
 * @param target        an Alembic revision spec, see {@link RevisionSpec}
 * @param lockTimeout   PostgreSQL {@code lock_timeout} for the migration's statements: a migration waiting this long
 *                      for a table lock gives up instead of queueing every query of the application behind it.
 *                      Zero means no limit.
 * @param lockWait      how long to wait for another migration of the same database to finish
 */
public record UpgradeRequest(Path migrationsDir, String target, Duration lockTimeout, Duration lockWait) {

    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(5);

    public void validate() throws RunnerException {
        RevisionSpec.validate("target", target);
        if (migrationsDir == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the migrations directory is required");
        }
        if (lockTimeout == null || lockTimeout.isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock timeout must be zero or positive");
        }
        if (lockWait == null || lockWait.isNegative()) {
            throw new RunnerException(ExitCode.BAD_INPUT, "lock wait must be zero or positive");
        }
    }
}
