package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.observe.RolloutObservation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import org.junit.jupiter.api.Test;

/** `kubectl rollout status`'s verdict, from a Deployment as the informer holds it. */
class RolloutObserverTest {
    private static final String NAME = "crm-web";

    /** generation 4, 3 replicas wanted; status as given. */
    private static DeploymentBuilder deployment(Long observedGeneration, Integer replicas, Integer updated,
                                                                                            Integer available) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(NAME).withNamespace("crm").withGeneration(4L).endMetadata()
                .withNewSpec().withReplicas(3).endSpec()
                .withNewStatus().withObservedGeneration(observedGeneration).withReplicas(replicas).withUpdatedReplicas(updated)
                .withAvailableReplicas(available).endStatus();
    }

    /** Every replica updated and available, with this Progressing condition. */
    private static DeploymentBuilder rolledOutWithProgressing(String status, String reason) {
        return deployment(4L, 3, 3, 3).editStatus()
                .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus(status)
                        .withReason(reason).build())
                .endStatus();
    }

    private static RolloutObservation observe(DeploymentBuilder deployment) {
        return RolloutObserver.observe(NAME, deployment.build());
    }

    private static void assertWaiting(RolloutObservation observation, String detail) {
        assertTrue(observation.exists());
        assertFalse(observation.complete(), observation.toString());
        assertTrue(observation.detail().contains(detail), observation.detail());
    }

    @Test
    void completeWhenEveryReplicaIsUpdatedAndAvailableAndNoOldOneIsLeft() {
        RolloutObservation observation = observe(deployment(4L, 3, 3, 3));

        assertTrue(observation.complete(), observation.toString());
        assertTrue(observation.exists());
        assertEquals(NAME, observation.name());
    }

    @Test
    void aControllerBehindTheGenerationIsNotComplete() {
        // The old status says all is well, but it describes generation 3, not the template just applied.
        assertWaiting(observe(deployment(3L, 3, 3, 3)), "has not observed generation 4");
        assertWaiting(observe(deployment(null, 3, 3, 3)), "has not observed generation 4");
    }

    @Test
    void fewerUpdatedReplicasThanWantedIsNotComplete() {
        assertWaiting(observe(deployment(4L, 3, 2, 3)), "2 of 3 replicas updated");
    }

    @Test
    void oldReplicasPendingTerminationAreNotComplete() {
        assertWaiting(observe(deployment(4L, 4, 3, 3)), "1 old replicas pending termination");
    }

    @Test
    void updatedReplicasNotYetAvailableAreNotComplete() {
        assertWaiting(observe(deployment(4L, 3, 3, 2)), "2 of 3 updated replicas available");
    }

    @Test
    void aMissingStatusCountIsZero() {
        assertWaiting(observe(deployment(4L, 3, null, 3)), "0 of 3 replicas updated");
    }

    @Test
    void progressDeadlineExceededIsNotComplete() {
        assertWaiting(observe(rolledOutWithProgressing("False", "ProgressDeadlineExceeded")), "progress deadline");
    }

    @Test
    void progressingForAnotherReasonDoesNotHold() {
        assertTrue(observe(rolledOutWithProgressing("True", "NewReplicaSetAvailable")).complete());
    }

    @Test
    void aMissingDeploymentIsNotComplete() {
        RolloutObservation observation = RolloutObserver.observe(NAME, null);

        assertFalse(observation.exists());
        assertFalse(observation.complete());
        assertTrue(observation.detail().contains("not found"), observation.detail());
    }

    @Test
    void aDeploymentWithoutStatusIsNotComplete() {
        Deployment fresh = new DeploymentBuilder().withNewMetadata().withName(NAME).withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(1).endSpec().build();

        assertFalse(RolloutObserver.observe(NAME, fresh).complete());
    }

    @Test
    void scaledToZeroIsComplete() {
        Deployment zero = deployment(4L, 0, 0, 0).editSpec().withReplicas(0).endSpec().build();

        assertTrue(RolloutObserver.observe(NAME, zero).complete(), "nothing to roll out");
    }
}
