package io.dbmigrate.plan;

import static io.dbmigrate.testing.Resources.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.LintFindingStatus;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan's findings in its digest and, bounded, in status. */
class PlanLintTest {
    private static final PlanResult PLAN = plan("head", "e5f6", List.of("f7a8"),
            "CREATE INDEX ix_customers_email ON customers (email);\n");
    private static final LintFinding INDEX = new LintFinding("require-concurrent-index-creation", "f7a8",
            LintFinding.ERROR, "During normal index creation, table updates are blocked.",
            "CREATE INDEX ix_customers_email ON customers (email);", 3);

    private static LintReport report(LintFinding... findings) {
        return LintReport.of("squawk 2.66.0", List.of(findings));
    }

    @Test
    void theDigestChangesWhenAFindingChanges() {
        String linted = PlanDigest.of(PLAN.withLint(report(INDEX)));

        assertNotEquals(PlanDigest.of(PLAN), linted, "a finding is part of what is approved");
        assertNotEquals(linted, PlanDigest.of(PLAN.withLint(report())), "no findings");
        assertNotEquals(linted, PlanDigest.of(PLAN.withLint(report(new LintFinding(INDEX.rule(), INDEX.revision(),
                LintFinding.WARNING, INDEX.message(), INDEX.statement(), INDEX.line())))), "another severity");
        assertNotEquals(linted, PlanDigest.of(PLAN.withLint(report(new LintFinding("constraint-missing-not-valid",
                INDEX.revision(), INDEX.severity(), INDEX.message(), INDEX.statement(), INDEX.line())))), "another rule");
        assertNotEquals(linted, PlanDigest.of(PLAN.withLint(LintReport.unavailable("squawk 2.66.0", "exit 2"))));
        assertEquals(linted, PlanDigest.of(PLAN.withLint(report(INDEX))), "the same plan, the same digest");
    }

    @Test
    void theDigestOfACutListCoversTheErrorCountOfAllFindings() {
        String oneError = PlanDigest.of(PLAN.withLint(new LintReport("squawk 2.66.0", List.of(INDEX), 40, 1, null)));

        assertNotEquals(oneError, PlanDigest.of(PLAN.withLint(new LintReport("squawk 2.66.0", List.of(INDEX), 40, 2,
                null))), "another error among the findings cut");
        assertEquals(oneError, PlanDigest.of(PLAN.withLint(new LintReport("squawk 2.66.0", List.of(INDEX), 40, 1,
                null))));
    }

    @Test
    void aPlanWithoutLintKeepsItsDigest() {
        // The digest of a plan made before lint existed (lint mode Off), as PlanDigest computed it then.
        assertEquals(io.dbmigrate.naming.Sha256.hex(String.join("\n", "from=e5f6", "direction=upgrade",
                "revisions=f7a8", "sql=CREATE INDEX ix_customers_email ON customers (email);\n", "unavailable="), 6),
                PlanDigest.of(PLAN));
    }

    @Test
    void statusShowsTheFirstFindingsErrorsFirstAndCountsThemAll() {
        List<LintFinding> findings = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            boolean error = i % 10 == 9;
            findings.add(new LintFinding(error ? "adding-not-nullable-field" : "ban-drop-column", "r" + i,
                    error ? LintFinding.ERROR : LintFinding.WARNING, "m", "stmt " + i, i + 1));
        }

        LintStatus status = PlanLint.status(LintReport.of("squawk 2.66.0", findings));

        assertEquals(LintStatus.SHOWN, status.findings().size());
        assertEquals(30, status.total());
        assertEquals(3, status.errors());
        assertEquals(Boolean.TRUE, status.complete());
        assertEquals(List.of("r9", "r19", "r29", "r0", "r1"), status.findings().stream().limit(5)
                .map(LintFindingStatus::revision).toList(), "errors first, then the SQL's order");
        assertNull(PlanLint.status(null), "a plan made without lint shows none");
    }

    @Test
    void statusSaysWhenTheRunnerSentOnlyTheFirstFindings() {
        LintStatus cut = PlanLint.status(new LintReport("squawk 2.66.0", List.of(INDEX), 57, null, null));

        assertEquals(57, cut.total());
        assertEquals(Boolean.FALSE, cut.complete());
    }

    @Test
    void theErrorsOfACutListAreTheRunnersCountOfAllFindings() {
        LintStatus counted = PlanLint.status(new LintReport("squawk 2.66.0", List.of(INDEX), 57, 3, null));
        assertEquals(3, counted.errors(), "counted by the runner among all 57");
        assertEquals(Boolean.FALSE, counted.complete());

        LintStatus uncounted = PlanLint.status(new LintReport("squawk 2.66.0", List.of(INDEX), 57, null, null));
        assertNull(uncounted.errors(), "a runner that did not count them: unknown, not the 1 shown");
        assertNotNull(PlanLint.hold(List.of("f7a8"), uncounted), "unknown errors hold the step");

        LintStatus warningsOnly = PlanLint.status(new LintReport("squawk 2.66.0", List.of(), 57, 0, null));
        assertNull(PlanLint.hold(List.of("f7a8"), warningsOnly), "a cut list of warnings alone holds nothing");
    }

    @Test
    void theRunnersCutKeepsTheCountsOfAllFindings() {
        LintReport all = LintReport.of("squawk 2.66.0", List.of(INDEX, INDEX, INDEX));

        LintReport cut = all.firstFindings(1);

        assertEquals(List.of(1, 3, 3), List.of(cut.findings().size(), cut.total(), cut.errors()));
    }

    @Test
    void unavailableLintIsShownAsSuchNotAsNoFindings() {
        LintStatus status = PlanLint.status(LintReport.unavailable(null, "squawk cannot run"));

        assertEquals("squawk cannot run", status.unavailable());
        assertNull(status.complete());
        assertTrue(status.findings().isEmpty());
        assertFalse(PlanLint.status(report()).findings().iterator().hasNext());
    }
}
