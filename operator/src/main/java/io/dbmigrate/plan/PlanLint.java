package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.LintFindingStatus;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import java.util.Comparator;
import java.util.List;

/** A plan's lint findings as status shows them, and whether they hold a step under lint mode Block. Pure. */
public final class PlanLint {

    private PlanLint() {
    }

    /** The report, bounded for status: errors first, then in the SQL's order; null when the plan was not linted. */
    public static LintStatus status(LintReport report) {
        if (report == null) {
            return null;
        }
        List<LintFinding> received = report.findings() == null ? List.of() : report.findings();
        int errors = (int) received.stream().filter(LintFinding::error).count();
        int total = report.total() == null ? received.size() : report.total();
        // A stable sort: within a severity, the SQL's order, which is the revisions' order.
        List<LintFindingStatus> shown = received.stream()
                .sorted(Comparator.comparing(f -> f.error() ? 0 : 1))
                .limit(LintStatus.SHOWN)
                .map(f -> new LintFindingStatus(f.severity(), f.rule(), f.revision(), f.statement(), f.line()))
                .toList();
        return new LintStatus(report.linter(), total, errors,
                report.unavailable() == null ? received.size() >= total : null, shown, report.unavailable());
    }

    /**
     * Why lint mode Block holds a step on this plan, or null when it does not: an error finding, findings not all seen,
     * or SQL that could not be linted (fail closed: what was not linted may hold anything).
     */
    public static String blocking(PlanStatus plan) {
        List<String> pending = plan.pendingRevisions() == null ? List.of() : plan.pendingRevisions();
        LintStatus lint = plan.lint();
        if (pending.isEmpty()) {
            return null;
        }
        if (lint == null) {
            return "its plan was not linted";
        }
        if (lint.unavailable() != null) {
            return "its SQL could not be linted (" + lint.unavailable() + ")";
        }
        if (lint.errorsOrZero() > 0) {
            LintFindingStatus first = lint.findings() == null || lint.findings().isEmpty() ? null
                    : lint.findings().get(0);
            return "its lint found " + lint.errorsOrZero() + (lint.errorsOrZero() == 1 ? " error" : " errors")
                    + (first == null ? "" : " (" + first.rule() + " in revision " + first.revision() + ", line "
                    + first.line() + (lint.errorsOrZero() > 1 ? ", ..." : "") + ")");
        }
        if (Boolean.FALSE.equals(lint.complete())) {
            return "its lint found " + lint.totalOrZero() + " findings and only the first ones were seen";
        }
        return null;
    }

    /** Whether {@link #blocking} holds it because lint could not look, rather than because of what it found. */
    public static boolean unavailable(PlanStatus plan) {
        return plan.lint() == null || plan.lint().unavailable() != null;
    }

    /** The findings as the digest covers them: what a reviewer is shown of each, in the order received. */
    static String digestText(LintReport report) {
        if (report == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("linter=").append(report.linter()).append("\ntotal=")
                .append(report.total()).append("\nunavailable=")
                .append(report.unavailable() == null ? "" : report.unavailable());
        for (LintFinding f : report.findings() == null ? List.<LintFinding>of() : report.findings()) {
            sb.append("\nfinding=").append(String.join("|", f.severity(), f.rule(), String.valueOf(f.revision()),
                    String.valueOf(f.line()), String.valueOf(f.statement()), String.valueOf(f.message())));
        }
        return sb.toString();
    }
}
