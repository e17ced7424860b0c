package io.dbmigrate.contract;

import java.util.List;

/**
 * What the linter found in a plan's SQL, or why it could not look: a missing or failing linter is never "no findings".
 *
 * @param linter      the linter and its version, e.g. "squawk 2.66.0"
 * @param findings    the findings, in the SQL's order; the first ones only when {@code total} is larger (a
 *                    termination message holds a few KB; the plan Job's log has all of them)
 * @param total       how many findings there are in all
 * @param errors      how many of all the findings are errors, counted before any were cut: a cut list of warnings
 *                    alone holds nothing; null from a runner that did not count them (then a cut list may hide errors)
 * @param unavailable why there are no findings to show (no SQL, the linter missing or failing); null when it ran
 */
public record LintReport(String linter, List<LintFinding> findings, Integer total, Integer errors, String unavailable) {

    /** A report whose findings are all there: its errors are counted from them. */
    public static LintReport of(String linter, List<LintFinding> findings) {
        return new LintReport(linter, findings, findings.size(),
                (int) findings.stream().filter(LintFinding::error).count(), null);
    }

    public static LintReport unavailable(String linter, String why) {
        return new LintReport(linter, List.of(), 0, 0, why);
    }

    /** The same report with only the first {@code count} findings; total and errors still count them all. */
    public LintReport firstFindings(int count) {
        return new LintReport(linter, List.copyOf(findings.subList(0, Math.min(count, findings.size()))), total, errors,
                unavailable);
    }

    public boolean complete() {
        return unavailable == null && findings != null && total != null && findings.size() >= total;
    }
}
