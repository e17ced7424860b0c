package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.LogLine;
import io.dbmigrate.testing.Specs;
import io.dbmigrate.testing.docker.TestEngine;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each container in Docker, from the pod spec (see {@link DockerCreateArgs}): {@code docker create}, then
 * {@code docker start --attach} whose output is the container's log, {@code docker wait} for the exit code and
 * {@code docker rm --force} at the end, also when the pod is deleted or the kubelet closes.
 *
 * <p>Volumes are host folders bind-mounted as a kubelet's volume plugins would leave them: an emptyDir world-writable
 * (0777), and with the pod's fsGroup every volume's files in that group, group-writable, folders setgid so that what
 * the container writes stays in the group. The termination message file is bind-mounted at the container's
 * terminationMessagePath, mode 0666 as the kubelet creates it, and read back by the kubelet after the exit. The image
 * map's folders (a project a test made) are mounted read-only over the image's, like a team image built FROM the
 * migrations image.
 */
final class DockerRuntime implements ContainerRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);
    /** Label of every container this runtime creates: what to look for if one were ever left behind. */
    static final String LABEL = "dbmigrate.io/test-kubelet";
    private static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
    private static final long CLIENT_SECONDS = 120;
    private static final String CLIENT = TestEngine.client();

    private final String dockerHost;
    private final Path clientConfig;

    DockerRuntime(String dockerHost, Path clientConfig) {
        this.dockerHost = dockerHost;
        this.clientConfig = clientConfig;
    }

    @Override
    public String name() {
        return TestKubelet.DOCKER;
    }

    @Override
    public Launch prepare(ContainerSetup setup) throws ContainerStartError, IOException {
        Pod pod = setup.pod();
        Container c = setup.container();
        for (String variable : setup.specEnv().keySet()) {
            if (variable.startsWith("DOCKER_")) {
                // The values travel in the docker client's environment, where these would redirect the client.
                throw new ContainerStartError(ContainerStartError.CREATE_ERROR, "the test kubelet's docker runtime "
                        + "cannot pass variable " + variable + " (DOCKER_* configure its docker client)", false);
            }
        }
        Long fsGroup = pod.getSpec().getSecurityContext() == null ? null : pod.getSpec().getSecurityContext().getFsGroup();
        List<DockerCreateArgs.Mount> mounts = new ArrayList<>();
        setup.imageFolders().forEach((containerPath, hostPath) ->
                mounts.add(new DockerCreateArgs.Mount(Path.of(hostPath), containerPath, true)));
        for (VolumeMount mount : Specs.list(c.getVolumeMounts())) {
            Volume volume = Specs.list(pod.getSpec().getVolumes()).stream()
                    .filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new ContainerStartError(ContainerStartError.CONFIG_ERROR,
                            "volume \"" + mount.getName() + "\" of mount " + mount.getMountPath() + " is not in the pod", false));
            Path base = HostPaths.volumeFolder(pod, volume, setup.root(), setup.podFolder());
            Files.createDirectories(base);
            if (volume.getEmptyDir() != null) {
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            if (fsGroup != null && volume.getHostPath() == null) {
                // A kubelet leaves hostPath volumes as they are; it applies fsGroup to the others.
                applyFsGroup(base, fsGroup);
            }
            Path host = mount.getSubPath() == null || mount.getSubPath().isBlank() ? base : base.resolve(mount.getSubPath());
            Files.createDirectories(host);
            mounts.add(new DockerCreateArgs.Mount(host, mount.getMountPath(), Boolean.TRUE.equals(mount.getReadOnly())));
        }
        Files.setPosixFilePermissions(setup.resultFile(), PosixFilePermissions.fromString("rw-rw-rw-"));
        String messagePath = c.getTerminationMessagePath() == null ? DEFAULT_TERMINATION_MESSAGE_PATH
                : c.getTerminationMessagePath();
        mounts.add(new DockerCreateArgs.Mount(setup.resultFile(), messagePath, false));

        String uid = pod.getMetadata().getUid();
        // dockershim's naming: unique per pod instance, and readable in `docker ps`.
        String name = "k8s_" + c.getName() + "_" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace()
                + "_" + (uid == null ? "" : uid.length() > 8 ? uid.substring(0, 8) : uid);
        List<String> command = new ArrayList<>();
        command.add(CLIENT);
        command.addAll(DockerCreateArgs.of(name, Map.of(LABEL, "true"), pod, c, setup.specEnv(), mounts));
        Map<String, String> env = new LinkedHashMap<>(setup.specEnv());
        env.putAll(clientEnvironment());
        // The container sees its own paths: nothing to map back in its termination message.
        return new Launch(setup, command, env, setup.containerFolder(), text -> text);
    }

    /** The docker client's own settings: this engine, a config folder of the test run, the host's PATH. */
    private Map<String, String> clientEnvironment() {
        String path = System.getenv("PATH");
        return Map.of("DOCKER_HOST", dockerHost, "DOCKER_CONFIG", clientConfig.toString(),
                "PATH", path == null ? ProcessRuntime.PATH : path);
    }

    /** fsGroup as a kubelet applies it: group ownership, group read/write (and search), setgid folders. */
    private static void applyFsGroup(Path base, long gid) throws IOException {
        try (Stream<Path> files = Files.walk(base)) {
            files.forEach(p -> {
                try {
                    Files.setAttribute(p, "unix:gid", (int) gid);
                    int mode = (Integer) Files.getAttribute(p, "unix:mode") & 07777;
                    boolean folder = Files.isDirectory(p);
                    mode |= folder ? 02070 : 0060;
                    Files.setAttribute(p, "unix:mode", mode);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public RunningContainer start(Launch launch, String logPrefix) throws IOException {
        Files.createDirectories(clientConfig);
        String id = client(launch.command(), launch.env()).trim();
        LOG.info(LogLine.of("docker-container-created", "container", logPrefix, "id", shortId(id),
                "image", launch.setup().container().getImage()));
        try {
            ContainerProcess attached = ContainerProcess.start(List.of(CLIENT, "start", "--attach", id),
                    clientEnvironment(), launch.workingDirectory(), launch.setup().logFile(), logPrefix);
            return new DockerContainer(id, attached);
        } catch (IOException e) {
            remove(id);
            throw e;
        }
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Runs the docker client to its end; its output, or an IOException with it when it fails. */
    private String client(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(CLIENT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("docker " + command.get(1) + " did not finish in " + CLIENT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted waiting for docker " + command.get(1), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("docker " + command.get(1) + " failed (" + process.exitValue() + "): " + output.trim());
        }
        return output;
    }

    private void remove(String id) {
        try {
            client(List.of(CLIENT, "rm", "--force", "--volumes", id), clientEnvironment());
            LOG.info(LogLine.of("docker-container-removed", "id", shortId(id)));
        } catch (IOException e) {
            LOG.warn(LogLine.of("docker-container-not-removed", "id", shortId(id), "error", e.getMessage()));
        }
    }

    /** A created container attached to by {@code docker start --attach}; removed once, however it ends. */
    private final class DockerContainer implements RunningContainer {
        private final String id;
        private final ContainerProcess attached;
        private final AtomicBoolean removed = new AtomicBoolean();

        DockerContainer(String id, ContainerProcess attached) {
            this.id = id;
            this.attached = attached;
        }

        @Override
        public int waitFor() throws InterruptedException {
            int clientExit = attached.waitFor();
            if (removed.get()) {
                return clientExit; // killed: there is no container left to ask, and the kubelet reports 137 anyway
            }
            try {
                // The container's own exit code: the attached client's may also be one of the client's errors.
                return Integer.parseInt(client(List.of(CLIENT, "wait", id), clientEnvironment()).trim());
            } catch (IOException | NumberFormatException e) {
                LOG.warn(LogLine.of("docker-wait-failed", "id", shortId(id), "error", e.getMessage()));
                return clientExit;
            }
        }

        @Override
        public void kill() {
            // rm --force is SIGKILL then removal; the attached client then ends and waitFor returns.
            remove();
        }

        @Override
        public List<String> lastLines() {
            return attached.lastLines();
        }

        @Override
        public void remove() {
            if (removed.compareAndSet(false, true)) {
                DockerRuntime.this.remove(id);
            }
        }
    }
}
