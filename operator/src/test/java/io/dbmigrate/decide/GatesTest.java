package io.dbmigrate.decide;

import static io.dbmigrate.testing.Resources.approvalStep;
import static io.dbmigrate.testing.Resources.entry;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.ApprovalGate;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.status.Reasons;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatesTest {

    /** The verdict on the gate of the resource's first step, for a plan with this digest. */
    private static Gates.Verdict verdict(DatabaseMigration resource, String planDigest, boolean annotationCounts) {
        Observation observation = observe(resource, List.of());
        return Gates.check(observation, entry(observation, 0), planDigest, annotationCounts);
    }

    @Test
    void theApproveAnnotationIsACommaSeparatedListOfStepNames() {
        DatabaseMigration resource = migration().annotation(Gates.APPROVE_ANNOTATION, " expand ,contract,, ").build();

        assertEquals(Set.of("expand", "contract"), Gates.approvedSteps(resource));
    }

    @Test
    void noAnnotationsApproveNothing() {
        assertEquals(Set.of(), Gates.approvedSteps(migration().build()));
        assertEquals(Set.of(), Gates.approvedSteps(migration().annotation("other", "contract").build()));
    }

    @Test
    void aClosedApprovalGateSaysHowToOpenIt() {
        DatabaseMigration resource = migration().steps(approvalStep("contract", "head", null)).build();

        Gates.Verdict verdict = verdict(resource, "0123456789ab", true);

        assertFalse(verdict.open());
        assertNull(verdict.openedBy());
        assertEquals(Reasons.AWAITING_APPROVAL, verdict.reason());
        assertTrue(verdict.waitingFor().contains("kubectl annotate dbmigration crm dbmigrate.io/approve=contract"),
                verdict.waitingFor());
        assertTrue(verdict.waitingFor().contains("gate.approval.plan: 0123456789ab"), verdict.waitingFor());
    }

    @Test
    void theSpecApprovesThePlanItNamesAndNoOther() {
        DatabaseMigration resource = migration().steps(new StepSpec("contract", "head",
                new GateSpec(new ApprovalGate(null, "0123456789ab"), null, null), null, null)).build();

        Gates.Verdict same = verdict(resource, "0123456789ab", true);
        assertTrue(same.open());
        assertEquals(Gates.OPENED_BY_SPEC_PLAN + " 0123456789ab", same.openedBy());

        Gates.Verdict other = verdict(resource, "ba9876543210", true);
        assertFalse(other.open());
        assertTrue(other.waitingFor().contains("the spec approves plan 0123456789ab, not this one"), other.waitingFor());
    }

    @Test
    void anAnnotationDoesNotCountWhileThePlanIsBeingPublished() {
        DatabaseMigration resource = migration().steps(approvalStep("contract", "head", null))
                .annotation(Gates.APPROVE_ANNOTATION, "contract").build();

        assertFalse(verdict(resource, "0123456789ab", false).open());
        assertTrue(verdict(resource, "0123456789ab", true).open());
    }

    @Test
    void theSpecApprovalWinsOverAMissingAnnotation() {
        DatabaseMigration resource = migration().steps(approvalStep("contract", "head", true)).build();

        Gates.Verdict verdict = verdict(resource, "0123456789ab", true);

        assertTrue(verdict.open());
        assertEquals(Gates.OPENED_BY_SPEC, verdict.openedBy());
    }
}
