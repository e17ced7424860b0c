package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An object the API server refuses as invalid ends the generation as Stalled; other errors keep JOSDK's retries. */
class RefusalTest {

    @Test
    void anObjectRefusedAsInvalidIsARefusalWhereverItIsInTheCauses() {
        RuntimeException invalid = RefusedWrite.orRethrow("Job crm-g1-abcde", new KubernetesClientException(
                new StatusBuilder().withCode(422).withReason("Invalid")
                        .withMessage("Job.batch \"crm-g1-abcde\" is invalid: metadata.labels: Invalid value").build()));
        RefusedWrite refused = assertInstanceOf(RefusedWrite.class, invalid);
        assertSame(refused, RefusedWrite.in(new RuntimeException("reconcile", refused)));
        assertEquals("The API server refused Job crm-g1-abcde (422): Job.batch \"crm-g1-abcde\" is invalid: "
                + "metadata.labels: Invalid value", refused.getMessage());
        assertInstanceOf(RefusedWrite.class,
                RefusedWrite.orRethrow("ConfigMap crm.contract.plan", new KubernetesClientException("bad request", 400, null)));
    }

    @Test
    void otherErrorsStayErrorsJosdkRetries() {
        for (int code : new int[] {0, 403, 404, 409, 429, 500, 503}) {
            KubernetesClientException e = new KubernetesClientException("x", code, null);
            assertSame(e, RefusedWrite.orRethrow("Job x", e), "code " + code);
        }
        // A 422 that is not about the object being invalid, e.g. a failed JSON patch test.
        KubernetesClientException conflict = new KubernetesClientException(
                new StatusBuilder().withCode(422).withReason("Conflict").build());
        assertSame(conflict, RefusedWrite.orRethrow("Job x", conflict));
        assertNull(RefusedWrite.in(new KubernetesClientException("Invalid", 422, null)),
                "a 422 of any other call, such as the operator's own status patch, is not a refusal");
    }

    @Test
    void theRefusedStatusIsStalledWithTheServersWordsAndKeepsTheRest() {
        DatabaseMigration resource = Resources.migration().generation(2L).build();
        DatabaseMigrationStatus status = StatusAggregator.refused(resource, Reasons.REJECTED_BY_API_SERVER,
                "The API server refused what this spec asks for (422): metadata.labels: Invalid value", Instant.EPOCH);

        assertEquals(Phase.Failed, status.phase());
        assertEquals(2L, status.observedGeneration());
        assertEquals("True", Resources.condition(status, StatusCondition.STALLED).status());
        assertEquals(Reasons.REJECTED_BY_API_SERVER, Resources.condition(status, StatusCondition.READY).reason());
        assertEquals("False", Resources.condition(status, StatusCondition.RECONCILING).status());
    }
}
