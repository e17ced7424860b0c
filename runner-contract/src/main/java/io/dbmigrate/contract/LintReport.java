package io.dbmigrate.contract;

import java.util.List;

/**
 * What the linter found in a plan's SQL, or why it could not look: a missing or failing linter is never "no findings".
 *
 * @param linter      the linter and its version, e.g. "squawk 2.66.0"
 * @param findings    the findings, in the SQL's order; the first ones only when {@code total} is larger (a
 *                    termination message holds a few KB; the plan Job's log has all of them)
 * @param total       how many findings there are in all
 * @param unavailable why there are no findings to show (no SQL, the linter missing or failing); null when it ran
 */
public record LintReport(String linter, List<LintFinding> findings, Integer total, String unavailable) {

    public static LintReport unavailable(String linter, String why) {
        return new LintReport(linter, List.of(), 0, why);
    }

    public boolean complete() {
        return unavailable == null && findings != null && total != null && findings.size() >= total;
    }
}
