package io.dbmigrate.contract;

/**
 * How a runner command ended. The numeric code is the process exit status of the container, the reason is the
 * Kubernetes condition reason the operator reports, and {@link #retryable()} tells the operator whether running the
 * same command again can succeed without anybody changing anything.
 *
 * <table>
 *   <caption>Runner exit codes</caption>
 *   <tr><th>Code</th><th>Constant</th><th>Reason</th><th>Retryable</th><th>Meaning</th></tr>
 *   <tr><td>0</td><td>OK</td><td>Succeeded</td><td>no</td><td>The command did what was asked.</td></tr>
 *   <tr><td>1</td><td>UNEXPECTED</td><td>UnexpectedError</td><td>yes</td><td>A bug or an unforeseen failure; the message says what.</td></tr>
 *   <tr><td>2</td><td>BAD_INPUT</td><td>InvalidInput</td><td>no</td><td>An option or environment variable is missing or invalid.</td></tr>
 *   <tr><td>3</td><td>CONNECTION_FAILED</td><td>ConnectionFailed</td><td>yes</td><td>PostgreSQL could not be reached (refused, timeout, starting up), or the connection was lost (also during pg_dump or pg_restore).</td></tr>
 *   <tr><td>4</td><td>AUTHENTICATION_FAILED</td><td>AuthenticationFailed</td><td>no</td><td>PostgreSQL rejected the user or password, or no password was given where one is needed.</td></tr>
 *   <tr><td>5</td><td>DATABASE_NOT_FOUND</td><td>DatabaseNotFound</td><td>no</td><td>The server has no database of that name (SQLSTATE 3D000).</td></tr>
 *   <tr><td>10</td><td>BACKUP_FAILED</td><td>BackupFailed</td><td>no</td><td>pg_dump failed, or the backup directory is missing or not writable.</td></tr>
 *   <tr><td>11</td><td>BACKUP_VERIFICATION_FAILED</td><td>BackupVerificationFailed</td><td>no</td><td>The archive pg_dump wrote could not be read back in full; it was deleted.</td></tr>
 *   <tr><td>20</td><td>LOCK_NOT_ACQUIRED</td><td>LockNotAcquired</td><td>yes</td><td>Another migration of the database held its migration (advisory) lock for the whole lock wait.</td></tr>
 *   <tr><td>21</td><td>MIGRATION_FAILED</td><td>MigrationFailed</td><td>no</td><td>Alembic failed; the result names the failing revision and the error.</td></tr>
 *   <tr><td>22</td><td>LOCK_TIMEOUT</td><td>LockTimeout</td><td>no</td><td>The migration hit lock_timeout on its first try and on every retry; the message names what held the lock.</td></tr>
 *   <tr><td>23</td><td>VERIFICATION_FAILED</td><td>VerificationFailed</td><td>no</td><td>A verification query returned false or failed after the migration; the message names it.</td></tr>
 *   <tr><td>24</td><td>DOWNGRADE_NOT_ALLOWED</td><td>DowngradeNotAllowed</td><td>no</td><td>The target is below the current revision and downgrades were not allowed; nothing ran.</td></tr>
 *   <tr><td>25</td><td>PLAN_OUTDATED</td><td>PlanOutdated</td><td>no</td><td>The database is not at the revision(s) given with --expect-from (where the approved plan started); nothing ran.</td></tr>
 *   <tr><td>26</td><td>REHEARSAL_FAILED</td><td>RehearsalFailed</td><td>no</td><td>The step failed on a restored copy of the database (restore, upgrade, verification or round trip); production was not touched.</td></tr>
 *   <tr><td>27</td><td>OUTSIDE_WINDOW</td><td>OutsideWindow</td><td>no</td><td>Less than the step's expected duration is left in its maintenance window (--window-closes-at); nothing ran.</td></tr>
 *   <tr><td>28</td><td>BASELINE_REFUSED</td><td>BaselineRefused</td><td>no</td><td>stamp --adopt on a database whose alembic_version holds revisions that do not include the baseline; nothing was stamped.</td></tr>
 *   <tr><td>29</td><td>BACKUP_OUTDATED</td><td>BackupOutdated</td><td>no</td><td>upgrade --expect-backup: the database is no longer at the revision its pod's backup was taken at; nothing ran.</td></tr>
 *   <tr><td>30</td><td>DATABASE_MISMATCH</td><td>DatabaseMismatch</td><td>no</td><td>Alembic connected to another database than the one the runner locked and backed up, or reads other revisions than its alembic_version holds; stopped before any migration ran.</td></tr>
 *   <tr><td>130</td><td>INTERRUPTED</td><td>Interrupted</td><td>yes</td><td>SIGINT or SIGTERM: the child processes were stopped (Alembic's open transaction rolled back) and the migration lock released.</td></tr>
 * </table>
 */
public enum ExitCode {
    OK(0, "Succeeded", false),
    UNEXPECTED(1, "UnexpectedError", true),
    BAD_INPUT(2, "InvalidInput", false),
    CONNECTION_FAILED(3, "ConnectionFailed", true),
    AUTHENTICATION_FAILED(4, "AuthenticationFailed", false),
    // A misspelt spec.database.name does not appear by waiting; a database created later needs only a new generation.
    DATABASE_NOT_FOUND(5, "DatabaseNotFound", false),
    BACKUP_FAILED(10, "BackupFailed", false),
    BACKUP_VERIFICATION_FAILED(11, "BackupVerificationFailed", false),
    LOCK_NOT_ACQUIRED(20, "LockNotAcquired", true),
    MIGRATION_FAILED(21, "MigrationFailed", false),
    // The runner has already retried lock timeouts with backoff: another pod would only repeat that.
    LOCK_TIMEOUT(22, "LockTimeout", false),
    VERIFICATION_FAILED(23, "VerificationFailed", false),
    DOWNGRADE_NOT_ALLOWED(24, "DowngradeNotAllowed", false),
    // The database moved since the plan was approved: only a new plan, and a new approval, can make it run.
    PLAN_OUTDATED(25, "PlanOutdated", false),
    // A rehearsal that failed fails the same way again: the migration (or its downgrade) needs fixing.
    REHEARSAL_FAILED(26, "RehearsalFailed", false),
    // Not a failure of the migration: the operator holds the step for the next window instead of retrying now.
    OUTSIDE_WINDOW(27, "OutsideWindow", false),
    BASELINE_REFUSED(28, "BaselineRefused", false),
    // The backup is no longer the state the upgrade starts from: only a new pod, with a new backup, may run it.
    BACKUP_OUTDATED(29, "BackupOutdated", false),
    // env.py or alembic.ini point Alembic elsewhere: every retry would do the same.
    DATABASE_MISMATCH(30, "DatabaseMismatch", false),
    // Stopped from outside (pod deleted, node drained, Ctrl-C): nothing is wrong with the migration itself.
    INTERRUPTED(130, "Interrupted", true);

    private final int code;
    private final String reason;
    private final boolean retryable;

    ExitCode(int code, String reason, boolean retryable) {
        this.code = code;
        this.reason = reason;
        this.retryable = retryable;
    }

    public int code() {
        return code;
    }

    /** UpperCamelCase, usable as a Kubernetes condition reason as is. */
    public String reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The exit code with this numeric value; anything we do not know (a JVM crash, a kill) is {@link #UNEXPECTED}. */
    public static ExitCode of(int code) {
        for (ExitCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return UNEXPECTED;
    }
}
