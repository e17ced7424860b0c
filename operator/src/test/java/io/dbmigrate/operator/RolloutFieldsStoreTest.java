package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Deployment cache keeps what a rollout gate judges, and nothing of the application's pod template. */
class RolloutFieldsStoreTest {

    private static Deployment deployment(int replicas, long generation, long observed, int updated, int available) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("crm-api").withNamespace("crm").withUid("u1").withGeneration(generation)
                    .withResourceVersion("42").addToLabels("app", "crm-api").addToAnnotations("note", "x".repeat(10_000))
                .endMetadata()
                .withNewSpec().withReplicas(replicas)
                    .withNewSelector().addToMatchLabels("app", "crm-api").endSelector()
                    .withNewTemplate().withNewSpec().addNewContainer().withName("api").withImage("crm-api:2")
                        .addNewEnv().withName("DATABASE_PASSWORD").withValue("hunter2").endEnv()
                    .endContainer().endSpec().endTemplate()
                .endSpec()
                .withNewStatus().withObservedGeneration(observed).withReplicas(replicas).withUpdatedReplicas(updated)
                    .withAvailableReplicas(available).endStatus()
                .build();
    }

    @Test
    void theSlimCopyKeepsNoPodTemplateAnnotationsOrLabels() {
        RolloutFieldsStore store = new RolloutFieldsStore();
        store.put("crm/crm-api", deployment(2, 3, 3, 2, 2));
        Deployment kept = store.get("crm/crm-api");

        assertNull(kept.getSpec().getTemplate());
        assertNull(kept.getSpec().getSelector());
        assertEquals(null, kept.getMetadata().getAnnotations() == null || kept.getMetadata().getAnnotations().isEmpty()
                ? null : kept.getMetadata().getAnnotations());
        String json = new KubernetesSerialization().asJson(kept);
        assertEquals(-1, json.indexOf("hunter2"), json);
        assertEquals("42", kept.getMetadata().getResourceVersion());
    }

    @Test
    void aGateJudgesTheSlimCopyAsTheWholeDeployment() {
        for (Deployment deployment : List.of(deployment(2, 3, 3, 2, 2), deployment(2, 3, 2, 2, 2), deployment(2, 3, 3, 1, 1),
                deployment(3, 1, 1, 3, 2))) {
            assertEquals(RolloutObserver.observe("crm-api", deployment),
                    RolloutObserver.observe("crm-api", RolloutFieldsStore.slim(deployment)));
        }
    }
}
