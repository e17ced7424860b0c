package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.plan.Reasons;
import io.dbmigrate.plan.Resources;
import io.dbmigrate.plan.StatusAggregator;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A write the API server refuses as invalid ends the generation as Stalled; other errors keep JOSDK's retries. */
class RefusalTest {

  @Test
  void invalidAndBadRequestAreRefusalsWhereverTheyAreInTheCauses() {
    KubernetesClientException invalid = new KubernetesClientException("Job.batch is invalid", 422, null);
    assertSame(invalid, DatabaseMigrationReconciler.refusal(new RuntimeException("reconcile", invalid)));
    KubernetesClientException bad = new KubernetesClientException("bad request", 400, null);
    assertSame(bad, DatabaseMigrationReconciler.refusal(bad));
  }

  @Test
  void transientErrorsAreNotRefusals() {
    for (int code : new int[] {0, 403, 409, 429, 500, 503}) {
      assertNull(DatabaseMigrationReconciler.refusal(new KubernetesClientException("x", code, null)), "code " + code);
    }
    assertNull(DatabaseMigrationReconciler.refusal(new IllegalStateException("x")));
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
