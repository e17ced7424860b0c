package io.dbmigrate.contract;

import java.time.Duration;

/**
 * How the migration treats the application's locks.
 *
 * @param lockTimeout      PostgreSQL {@code lock_timeout} for the migration's statements: a migration waiting this
 *                         long for a table lock gives up instead of queueing every query of the application behind
 *                         it. Zero means no limit.
 * @param lockRetries      how many times a run that hit lock_timeout (SQLSTATE 55P03) is started again, after a
 *                         jittered exponential backoff
 * @param statementTimeout PostgreSQL {@code statement_timeout} for the migration's statements; zero means none
 * @param lockWait         how long to wait for another migration of the same database to finish (the advisory lock)
 */
public record LockSafety(Duration lockTimeout, int lockRetries, Duration statementTimeout, Duration lockWait) {

    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_LOCK_RETRIES = 10;
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ZERO;
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(5);
    public static final LockSafety DEFAULT = new LockSafety(DEFAULT_LOCK_TIMEOUT, DEFAULT_LOCK_RETRIES,
            DEFAULT_STATEMENT_TIMEOUT, DEFAULT_LOCK_WAIT);
}
