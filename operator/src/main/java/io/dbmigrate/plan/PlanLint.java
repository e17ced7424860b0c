package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.LintFindingStatus;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.decide.Gates;
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
        int total = report.total() == null ? received.size() : report.total();
        // The runner counts the errors among all findings before it cuts the list; a runner that did not leaves them
        // unknown when the list is cut (null), and counted from the list when it is whole.
        Integer errors = report.errors() != null ? report.errors()
                : received.size() >= total ? (Integer) (int) received.stream().filter(LintFinding::error).count() : null;
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
     * What holds a step under lint mode Block on a plan of these pending revisions and this lint, or null when nothing
     * does: an error finding (counted among all findings, also those cut from the list), findings cut from the list
     * with their errors not counted, or SQL that could not be linted (fail closed: what was not linted may hold
     * anything). A cut list whose errors were counted as none holds nothing: warnings never do.
     */
    public static Gates.LintHold hold(List<String> pendingRevisions, LintStatus lint) {
        if (pendingRevisions == null || pendingRevisions.isEmpty()) {
            return null;
        }
        if (lint == null) {
            return new Gates.LintHold("its plan was not linted", true);
        }
        if (lint.unavailable() != null) {
            return new Gates.LintHold("its SQL could not be linted (" + lint.unavailable() + ")", true);
        }
        if (lint.errorsOrZero() > 0) {
            // The errors counted may all be among the findings cut from the list: then none is named.
            LintFindingStatus first = lint.findings() == null ? null : lint.findings().stream()
                    .filter(f -> LintFinding.ERROR.equals(f.severity())).findFirst().orElse(null);
            return new Gates.LintHold("its lint found " + lint.errorsOrZero()
                    + (lint.errorsOrZero() == 1 ? " error" : " errors")
                    + (first == null ? "" : " (" + first.rule() + " in revision " + first.revision() + ", line "
                    + first.line() + (lint.errorsOrZero() > 1 ? ", ..." : "") + ")"), false);
        }
        if (lint.errors() == null && Boolean.FALSE.equals(lint.complete())) {
            return new Gates.LintHold("its lint found " + lint.totalOrZero()
                    + " findings and only the first ones were seen, their errors not counted", false);
        }
        return null;
    }

    /** The findings as the digest covers them: what a reviewer is shown of each, in the order received. */
    static String digestText(LintReport report) {
        if (report == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("linter=").append(report.linter()).append("\ntotal=")
                .append(report.total()).append("\nunavailable=")
                .append(report.unavailable() == null ? "" : report.unavailable());
        // The error count of all findings, shown beside a cut list: approved with it. A runner that sent none keeps
        // the digest it gave before.
        if (report.errors() != null) {
            sb.append("\nerrors=").append(report.errors());
        }
        for (LintFinding f : report.findings() == null ? List.<LintFinding>of() : report.findings()) {
            sb.append("\nfinding=").append(String.join("|", f.severity(), f.rule(), String.valueOf(f.revision()),
                    String.valueOf(f.line()), String.valueOf(f.statement()), String.valueOf(f.message())));
        }
        return sb.toString();
    }
}
