package io.dbmigrate.testing.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test Job controller's podFailurePolicy rules, which must match Kubernetes' own. */
class PodFailurePoliciesTest {

    @Test
    void podFailurePolicyMatchesLikeTheJobController() {
        Job job = new JobBuilder().withNewSpec().withNewPodFailurePolicy()
                .addNewRule().withAction("Ignore").withNewOnExitCodes().withContainerName("backup").withOperator("In")
                .withValues(20).endOnExitCodes().endRule()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("migrate").withOperator("In")
                .withValues(2, 21).endOnExitCodes().endRule()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withOperator("NotIn")
                .withValues(1, 3).endOnExitCodes().endRule()
                .endPodFailurePolicy().endSpec().build();

        PodFailurePolicies.Match migrate = PodFailurePolicies.match(job, failedPod(exited("backup", 0), exited("migrate", 21))).orElseThrow();
        assertEquals("FailJob", migrate.action());
        assertEquals("Container migrate for pod ns/p failed with exit code 21 matching FailJob rule at index 1", migrate.message());

        assertEquals("Ignore", PodFailurePolicies.match(job, failedPod(exited("backup", 20), null)).orElseThrow().action());
        assertTrue(PodFailurePolicies.match(job, failedPod(exited("backup", 0), exited("migrate", 3))).isEmpty(),
                "3 is excluded by NotIn; 0 never matches");
        assertEquals(2, PodFailurePolicies.match(job, failedPod(exited("backup", 10), null)).orElseThrow().ruleIndex());
    }

    private static ContainerStatus exited(String name, int code) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(code)
                .endTerminated().endState().build();
    }

    private static Pod failedPod(ContainerStatus init, ContainerStatus app) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withNewStatus().withPhase("Failed")
                .withInitContainerStatuses(init == null ? List.of() : List.of(init))
                .withContainerStatuses(app == null ? List.of() : List.of(app))
                .endStatus().build();
    }
}
