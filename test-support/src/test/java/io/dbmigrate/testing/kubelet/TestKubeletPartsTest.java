package io.dbmigrate.testing.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the test kubelet, whose rules must match Kubernetes' own. */
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
}
