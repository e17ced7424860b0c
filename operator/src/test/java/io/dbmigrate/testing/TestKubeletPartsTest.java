package io.dbmigrate.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts of the test kubelet and Job controller, whose rules must match Kubernetes' own. */
class TestKubeletPartsTest {

    @TempDir
    Path tmp;

    @Test
    void variableExpansionFollowsKubernetes() {
        Map<String, String> vars = Map.of("A", "x");
        assertEquals("x-$(A)-$(B)-$", VariableExpansion.expand("$(A)-$$(A)-$(B)-$", vars));
        assertEquals("no refs", VariableExpansion.expand("no refs", vars));
        // JobFactory's escape of every $ comes back as written: the kubelet expands no variable in user SQL.
        assertEquals("select '$(A)', $$x$$", VariableExpansion.expand("select '$$(A)', $$$$x$$$$", vars));
        // A $( never closed is kept as it is, and the text after it is still expanded.
        assertEquals("$(A $b", VariableExpansion.expand("$(A $$b", vars));
    }

    @Test
    void argsMapToHostFoldersLongestMountFirstAndBack() throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withNewSpec()
                .addNewVolume().withName("backups").withNewPersistentVolumeClaim().withClaimName("claim").endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("inner").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build();
        Container c = new ContainerBuilder().withName("migrate")
                .addNewVolumeMount().withName("backups").withMountPath("/var/lib/dbmigrate/backups").endVolumeMount()
                .addNewVolumeMount().withName("inner").withMountPath("/migrations/generated/").endVolumeMount()
                .build();
        Path project = Files.createDirectories(tmp.resolve("project"));
        HostPaths paths = HostPaths.of(pod, c, tmp, tmp.resolve("pod"), Map.of("/migrations", project.toString()));
        Path pvc = tmp.resolve("pvc/ns/claim");

        assertTrue(Files.isDirectory(pvc), "the claim's folder is created");
        assertEquals(pvc.toString(), paths.rewrite("/var/lib/dbmigrate/backups"));
        assertEquals(pvc.resolve("a.dump").toString(), paths.rewrite("/var/lib/dbmigrate/backups/a.dump"));
        assertEquals("/var/lib/dbmigrate/backups2", paths.rewrite("/var/lib/dbmigrate/backups2"));
        assertEquals(project.resolve("versions").toString(), paths.rewrite("/migrations/versions"));
        assertEquals(tmp.resolve("pod/volumes/inner/x").toString(), paths.rewrite("/migrations/generated/x"));
        assertEquals("/migrationsX", paths.rewrite("/migrationsX"));
        assertEquals("head", paths.rewrite("head"));

        String json = "{\"file\":\"" + pvc.resolve("a.dump") + "\",\"other\":\"" + pvc + "2/b\"}";
        assertEquals("{\"file\":\"/var/lib/dbmigrate/backups/a.dump\",\"other\":\"" + pvc + "2/b\"}",
                paths.toContainerPaths(json));
    }

    @Test
    void terminationMessageFollowsTheKubeletsRules() throws Exception {
        UnaryOperator<String> same = s -> s;
        Path file = tmp.resolve("termination-log");
        List<String> logs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            logs.add("line " + i);
        }

        Files.writeString(file, "{\"exitCode\":3}");
        assertEquals("{\"exitCode\":3}", TerminationMessage.of(file, 3, "FallbackToLogsOnError", logs, same));

        Files.writeString(file, "");
        String fallback = TerminationMessage.of(file, 3, "FallbackToLogsOnError", logs.subList(20, 100), same);
        assertTrue(fallback.startsWith("line 21\n") && fallback.endsWith("line 100"), fallback);
        assertNull(TerminationMessage.of(file, 0, "FallbackToLogsOnError", logs, same), "no fallback on success");
        assertNull(TerminationMessage.of(file, 3, "File", logs, same), "no fallback with policy File");

        String longLine = "é".repeat(3000); // 2 bytes each
        String tail = TerminationMessage.of(file, 1, "FallbackToLogsOnError", List.of(longLine), same);
        assertEquals(2048, tail.getBytes(StandardCharsets.UTF_8).length);

        Files.writeString(file, "x".repeat(5000));
        assertEquals(4096, TerminationMessage.of(file, 0, "File", logs, same).length());
    }

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
