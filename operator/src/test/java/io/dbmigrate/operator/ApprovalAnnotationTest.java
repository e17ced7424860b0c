package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbmigrate.decide.Gates;
import org.junit.jupiter.api.Test;

/** The JSON patch that takes used approvals out of the annotation. */
class ApprovalAnnotationTest {

    @Test
    void theLastApprovalRemovesTheAnnotationIfItStillHoldsWhatWasRead() {
        assertEquals("[{\"op\":\"test\",\"path\":\"/metadata/annotations/dbmigrate.io~1approve\",\"value\":\"contract\"},"
                + "{\"path\":\"/metadata/annotations/dbmigrate.io~1approve\",\"op\":\"remove\"}]",
                ApprovalAnnotation.patch(Gates.APPROVE_ANNOTATION, null, "contract", null));
    }

    @Test
    void approvalsOfOtherStepsStay() {
        assertEquals("[{\"op\":\"test\",\"path\":\"/metadata/annotations/dbmigrate.io~1approve\","
                + "\"value\":\"backfill, contract\"},"
                + "{\"path\":\"/metadata/annotations/dbmigrate.io~1approve\",\"op\":\"replace\",\"value\":\"backfill\"}]",
                ApprovalAnnotation.patch(Gates.APPROVE_ANNOTATION, null, "backfill, contract", "backfill"));
    }

    @Test
    void whenPublishingItAlsoTestsTheResourceVersionRead() {
        assertEquals("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"},"
                + "{\"op\":\"test\",\"path\":\"/metadata/annotations/dbmigrate.io~1approve\",\"value\":\"contract\"},"
                + "{\"path\":\"/metadata/annotations/dbmigrate.io~1approve\",\"op\":\"remove\"}]",
                ApprovalAnnotation.patch(Gates.APPROVE_ANNOTATION, "42", "contract", null));
    }
}
