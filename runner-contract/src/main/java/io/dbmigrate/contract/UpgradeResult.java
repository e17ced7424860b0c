package io.dbmigrate.contract;

import java.time.Instant;
import java.util.List;

/**
 * What an upgrade (or an explicit downgrade) did. Revisions are written as in {@link BackupResult#revision()}: joined
 * with "," or "base".
 *
 * @param toRevision         read from the database after Alembic exited, also after a failure (truth over hope); after
 *                           an on-failure downgrade, where that left the database
 * @param appliedRevisions   the revisions Alembic ran and committed, in order (for a downgrade: the revisions it
 *                           undid, in the order it undid them); an on-failure downgrade that followed does not remove
 *                           them: rolledBackTo says it ran
 * @param failedRevision     the revision whose upgrade failed; null on success
 * @param direction          "upgrade" or "downgrade" (an explicit downgrade: a target below the current revision)
 * @param lockAttempts       how many times Alembic was started: 1, plus one per lock_timeout retried; 0 when the
 *                           database was at the target already (or the run was refused)
 * @param verified           names of the verification queries that returned true
 * @param failedVerification the name of the verification query that returned false or failed; null otherwise
 * @param rolledBackTo       after a failure with on-failure downgrade: the revision the automatic downgrade reached
 *                           (read from the database); null when none ran or it failed
 * @param expectedFrom       the revision(s) the run was to start from ({@code --expect-from}, as given); null without
 *                           that option. When fromRevision differs, nothing ran ({@link ExitCode#PLAN_OUTDATED})
 */
public record UpgradeResult(String target, String fromRevision, String toRevision, List<String> appliedRevisions,
                            String failedRevision, Instant startedAt, Instant finishedAt, String direction,
                            Integer lockAttempts, List<String> verified, String failedVerification,
                            String rolledBackTo, String expectedFrom) {

    public static final String UPGRADE = "upgrade";
    public static final String DOWNGRADE = "downgrade";
}
