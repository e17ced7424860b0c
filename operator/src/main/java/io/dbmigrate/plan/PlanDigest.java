package io.dbmigrate.plan;

import io.dbmigrate.contract.CompressedSql;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.naming.Sha256;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What an approval in the spec names: 12 hex digits of a SHA-256 over everything a plan shows a reviewer (the
 * revision it starts from, the direction, the revisions, the SQL or why there is none, and its lint findings). Another
 * target, image or starting revision gives another plan, and so another digest; another finding too, so approving a
 * digest approves the findings shown with it.
 */
public final class PlanDigest {

    private PlanDigest() {
    }

    // The SQL itself, so that another runner build compressing it differently gives the same digest; as sent when it
    // does not decode.
    private static String sql(String gzipBase64) {
        if (gzipBase64 == null) {
            return "";
        }
        try {
            return CompressedSql.decode(gzipBase64);
        } catch (UncheckedIOException e) {
            return gzipBase64;
        }
    }

    public static String of(PlanResult plan) {
        String shown = String.join("\n", "from=" + plan.fromRevision(), "direction=" + plan.direction(),
                "revisions=" + String.join(",", plan.pendingRevisions() == null ? List.of() : plan.pendingRevisions()),
                "sql=" + sql(plan.sqlGzipBase64()),
                "unavailable=" + (plan.sqlUnavailable() == null ? "" : plan.sqlUnavailable()));
        // A plan made without lint keeps the digest it had before lint existed.
        if (plan.lint() != null) {
            shown += "\nlint=" + PlanLint.digestText(plan.lint());
        }
        return Sha256.hex(shown, 6);
    }
}
