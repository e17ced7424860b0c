package io.dbmigrate.testing.kubelet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.testing.docker.TestImages;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pod spec as {@code docker create} arguments, and which runtime a run gets. */
class DockerCreateArgsTest {

    private static Pod pod(Long runAsUser, Long runAsGroup, Long fsGroup) {
        return new PodBuilder().withNewMetadata().withName("crm-g1-abc").withNamespace("crm").withUid("u1").endMetadata()
                .withNewSpec().withNewSecurityContext().withRunAsUser(runAsUser).withRunAsGroup(runAsGroup)
                .withFsGroup(fsGroup).withSupplementalGroups(List.of(2000L)).endSecurityContext().endSpec().build();
    }

    /** The operator's migrate container: args only, a read-only root, no privilege escalation, no capabilities. */
    private static Container migrate() {
        return new ContainerBuilder().withName("migrate").withImage("crm-migrations:test")
                .withArgs("upgrade", "--migrations", "/migrations", "--verify", "select '$$(PGPASSWORD)' <> '$(PGUSER)'")
                .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext().build();
    }

    @Test
    void theOperatorsContainerBecomesItsDockerCreateArguments() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGUSER", "crm_owner");
        env.put("PGPASSWORD", "s3cret");
        List<DockerCreateArgs.Mount> mounts = List.of(
                new DockerCreateArgs.Mount(Path.of("/host/pvc/crm/crm-backups"), "/var/lib/dbmigrate/backups", false),
                new DockerCreateArgs.Mount(Path.of("/host/project"), "/migrations", true));

        List<String> argv = DockerCreateArgs.of("k8s_migrate", Map.of("dbmigrate.io/test-kubelet", "true"),
                pod(10001L, 10001L, 10001L), migrate(), env, mounts);

        assertEquals(List.of("create", "--name", "k8s_migrate", "--network", "host",
                "--label", "dbmigrate.io/test-kubelet=true",
                "--user", "10001:10001", "--group-add", "10001", "--group-add", "2000",
                "--read-only", "--security-opt", "no-new-privileges", "--cap-drop", "ALL",
                "--env", "PGUSER", "--env", "PGPASSWORD",
                "--mount", "type=bind,source=/host/pvc/crm/crm-backups,target=/var/lib/dbmigrate/backups",
                "--mount", "type=bind,source=/host/project,target=/migrations,readonly",
                // $(VAR) expanded from the spec's variables, $$ an escaped $; the image's entrypoint kept.
                "crm-migrations:test", "upgrade", "--migrations", "/migrations", "--verify",
                "select '$(PGPASSWORD)' <> 'crm_owner'"), argv);
        // Values travel in the client's environment only: no secret on a command line.
        assertFalse(argv.stream().anyMatch(a -> a.contains("s3cret")), argv::toString);
    }

    @Test
    void commandReplacesTheEntrypointAndTheContainersUserWins() {
        Container c = new ContainerBuilder().withName("probe").withImage("img").withWorkingDir("/work")
                .withCommand("sh", "-c", "echo $(GREETING) > /dev/termination-log").withArgs("$(GREETING)")
                .withNewSecurityContext().withRunAsUser(4242L).endSecurityContext().build();

        List<String> argv = DockerCreateArgs.of("n", Map.of(), pod(10001L, 10002L, null), c,
                Map.of("GREETING", "hello"), List.of());

        assertEquals(List.of("create", "--name", "n", "--network", "host", "--user", "4242:10002",
                "--group-add", "2000", "--env", "GREETING", "--workdir", "/work", "--entrypoint", "sh",
                "img", "-c", "echo hello > /dev/termination-log", "hello"), argv);
    }

    @Test
    void containersRunInDockerWhenImagesAreGivenUnlessProcessesAreForced() {
        Optional<TestImages> images = Optional.of(new TestImages("unix:///run/d.sock", "m:1", "o:1", "t:1"));

        assertEquals(images, TestKubelet.containerImages(null, images));
        assertEquals(images, TestKubelet.containerImages("docker", images));
        assertTrue(TestKubelet.containerImages("process", images).isEmpty());
        assertTrue(TestKubelet.containerImages("", Optional.empty()).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> TestKubelet.containerImages("docker", Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> TestKubelet.containerImages("podman", images));
    }
}
