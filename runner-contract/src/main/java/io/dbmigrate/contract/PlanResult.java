package io.dbmigrate.contract;

import java.util.List;

/**
 * What an upgrade to {@code target} would do from the revision the database is at now, for a reviewer to approve.
 *
 * @param fromRevision     the database's revision when the plan was made
 * @param direction        {@link UpgradeResult#UPGRADE}, {@link UpgradeResult#DOWNGRADE}, or "none" when there is
 *                         nothing to do
 * @param pendingRevisions the revisions the run would apply (or undo, for a downgrade), in order
 * @param sqlGzipBase64    the SQL of Alembic's offline mode ({@code --sql}), gzipped and base64-encoded so more of it
 *                         fits in a termination message; null when there is none
 * @param sqlBytes         the size of the whole SQL in bytes (UTF-8), also when it did not fit
 * @param sqlComplete      false when the SQL was cut to fit (the runner's log has all of it)
 * @param sqlUnavailable   why there is no SQL, when offline mode could not produce it (a revision that reads the
 *                         database, say); null otherwise
 * @param lint             what the linter found in the SQL; null when the plan was made without lint
 */
public record PlanResult(String target, String fromRevision, String direction, List<String> pendingRevisions,
                         String sqlGzipBase64, Long sqlBytes, Boolean sqlComplete, String sqlUnavailable,
                         LintReport lint) {

    public static final String NONE = "none";

    public PlanResult(String target, String fromRevision, String direction, List<String> pendingRevisions,
                      String sqlGzipBase64, Long sqlBytes, Boolean sqlComplete, String sqlUnavailable) {
        this(target, fromRevision, direction, pendingRevisions, sqlGzipBase64, sqlBytes, sqlComplete, sqlUnavailable,
                null);
    }

    public PlanResult withLint(LintReport report) {
        return new PlanResult(target, fromRevision, direction, pendingRevisions, sqlGzipBase64, sqlBytes, sqlComplete,
                sqlUnavailable, report);
    }
}
