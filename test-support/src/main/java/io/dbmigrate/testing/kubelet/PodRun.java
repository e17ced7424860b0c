package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.KubeTime;
import io.dbmigrate.testing.LogLine;
import io.dbmigrate.testing.Specs;
import io.dbmigrate.testing.StatusWrites;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on the test kubelet, run once as restartPolicy Never demands: the init containers one after the other,
 * then the app containers together, each a local {@code java -jar <runner> <args>}. A container whose configuration
 * does not resolve yet (a missing Secret) waits and is retried every second without holding a pool thread. Every
 * change is written to the pod's status subresource as a kubelet would.
 */
final class PodRun {

    private static final Logger LOG = LoggerFactory.getLogger(PodRun.class);
    /** The exit status of a SIGKILLed process, as container runtimes report it. */
    private static final int KILLED = 137;
    /** What container runtimes report when the process could not be started at all. */
    private static final int START_FAILED = 128;
    /** PATH of the image, with the host's tools in the image's places. */
    static final String PATH = "/usr/bin:/bin:/usr/local/bin:/usr/sbin:/sbin";
    static final String ALEMBIC = "/usr/bin/alembic";
    /** The image's WORKDIR; used when the image map covers it. */
    private static final String IMAGE_WORKDIR = "/migrations";

    /** What every pod run shares with the kubelet. */
    record Node(KubernetesClient client, Path runnerJar, Path root, Map<String, Map<String, String>> images,
                ScheduledExecutorService executor) {
    }

    private record Launch(List<String> command, Map<String, String> env, Path workingDirectory, Path resultFile,
                          Path logFile, String policy, HostPaths paths) {
    }

    private final Node node;
    private final Pod pod;
    private final String namespace;
    private final String name;
    private final String uid;
    private final Path podFolder;
    private final PodStatusTracker tracker;
    private final Runnable onDone;
    private final List<ContainerProcess> processes = new CopyOnWriteArrayList<>();
    private volatile boolean deleted;
    private volatile boolean shutDown;
    private boolean announced;
    private int nextInit;

    PodRun(Node node, Pod pod, Runnable onDone) {
        this.node = node;
        this.pod = pod;
        this.namespace = pod.getMetadata().getNamespace();
        this.name = pod.getMetadata().getName();
        this.uid = pod.getMetadata().getUid();
        this.podFolder = node.root().resolve("pods").resolve(namespace).resolve(name);
        this.tracker = new PodStatusTracker(pod);
        this.onDone = onDone;
    }

    String key() {
        return namespace + "/" + name;
    }

    void start() {
        node.executor().execute(this::step);
    }

    /** The pod was deleted: kill its processes; a pod still visible (finalizers) gets its final status. */
    void podDeleted() {
        if (!deleted) {
            deleted = true;
            LOG.info(LogLine.of("pod-deleted", "pod", key(), "running", processes.size()));
            processes.forEach(ContainerProcess::kill);
        }
    }

    /** The kubelet stops: kill everything and write nothing more. */
    void shutDown() {
        shutDown = true;
        processes.forEach(ContainerProcess::kill);
    }

    private void step() {
        if (deleted || shutDown) {
            return;
        }
        try {
            if (!announced) {
                if (!publish()) {
                    gone();
                    return;
                }
                announced = true;
                LOG.info(LogLine.of("pod-started", "pod", key()));
            }
            List<Container> inits = Specs.initContainers(pod);
            while (nextInit < inits.size()) {
                Container init = inits.get(nextInit);
                Launch launch = prepare(init, true);
                if (launch == null) {
                    return;
                }
                List<Integer> exits = run(List.of(init), List.of(launch), true);
                if (exits == null) {
                    return;
                }
                if (exits.get(0) != 0) {
                    // restartPolicy Never: a failed init container fails the pod; app containers never start.
                    finish(PodStatusTracker.FAILED);
                    return;
                }
                nextInit++;
            }
            List<Container> apps = Specs.containers(pod);
            List<Launch> launches = new ArrayList<>();
            for (Container app : apps) {
                Launch launch = prepare(app, false);
                if (launch == null) {
                    return;
                }
                launches.add(launch);
            }
            List<Integer> exits = run(apps, launches, false);
            if (exits == null) {
                return;
            }
            finish(exits.stream().allMatch(e -> e == 0) ? PodStatusTracker.SUCCEEDED : PodStatusTracker.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutDown();
            onDone.run();
        } catch (IOException | RuntimeException e) {
            // A fixture failure, not a pod failure: say so loudly and leave the pod as it is.
            LOG.error(LogLine.of("test-kubelet-error", "pod", key(), "error", e.toString()), e);
            onDone.run();
        }
    }

    /** The launch of a container, or null when it cannot start (now: retried later; or ever: left waiting). */
    private Launch prepare(Container c, boolean init) throws IOException {
        try {
            return launch(c);
        } catch (ContainerStartError e) {
            ContainerState previous = tracker.state(c.getName(), init);
            boolean changed = previous == null || previous.getWaiting() == null
                    || !e.reason().equals(previous.getWaiting().getReason())
                    || !Objects.equals(e.getMessage(), previous.getWaiting().getMessage());
            if (changed) {
                LOG.info(LogLine.of("container-waiting", "pod", key(), "container", c.getName(), "reason", e.reason(),
                        "message", e.getMessage(), "retrying", e.retryable()));
                tracker.waiting(c, init, e.reason(), e.getMessage());
                if (!publish()) {
                    gone();
                    return null;
                }
            }
            if (e.retryable()) {
                node.executor().schedule(this::step, 1, TimeUnit.SECONDS);
            } else {
                onDone.run(); // nothing about it can change: it waits until the pod is deleted
            }
            return null;
        }
    }

    private Launch launch(Container c) throws ContainerStartError, IOException {
        Map<String, String> imageFolders = node.images().get(c.getImage());
        if (imageFolders == null) {
            throw new ContainerStartError(ContainerStartError.IMAGE_PULL_ERROR, "Failed to pull image \"" + c.getImage()
                    + "\": not found: the test kubelet has only the images " + node.images().keySet(), false);
        }
        if (!Specs.list(c.getCommand()).isEmpty()) {
            throw new ContainerStartError(ContainerStartError.CREATE_ERROR, "the test kubelet runs the image's "
                    + "entrypoint (the dbmigrate runner) only; container " + c.getName() + " sets command "
                    + c.getCommand(), false);
        }
        if (!Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
            // Refused on every server alike: a real one would add a projected token volume, which no folder stands for.
            throw new ContainerStartError(ContainerStartError.CONFIG_ERROR, "the test kubelet mounts no ServiceAccount"
                    + " token: the pod must set automountServiceAccountToken: false", false);
        }
        HostPaths paths = HostPaths.of(pod, c, node.root(), podFolder, imageFolders);
        Map<String, String> specEnv = new ContainerEnvironment(node.client(), pod).resolve(c);

        Path containerFolder = podFolder.resolve("containers").resolve(c.getName());
        Path home = Files.createDirectories(containerFolder.resolve("home"));
        Path tmp = Files.createDirectories(paths.hostPath("/tmp").orElse(containerFolder.resolve("tmp")));
        Path resultFile = containerFolder.resolve("termination-log");
        Files.deleteIfExists(resultFile);
        Files.createFile(resultFile); // a kubelet creates it empty; an empty file means "no message"

        // The image's environment first, the spec's over it, as container runtimes merge them. Nothing comes from the
        // test JVM's environment: in particular not its PG* variables, which would let a pod connect without the
        // Secret the operator was supposed to reference.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // the mapped /migrations is a source folder: no __pycache__ there
        env.put("PYTHONUNBUFFERED", "1");
        env.putAll(specEnv);
        // The host's tools stand in for the image's: Debian's Alembic (with psycopg2) and pg_dump from /usr/bin.
        env.put("PATH", PATH);
        env.put("DBMIGRATE_ALEMBIC", ALEMBIC);
        // Kubernetes would mount the termination message file; here the runner is told where it is.
        env.put("DBMIGRATE_RESULT_PATH", resultFile.toString());

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp,
                "-jar", node.runnerJar().toString()));
        for (String arg : Specs.list(c.getArgs())) {
            command.add(paths.rewrite(VariableExpansion.expand(arg, env)));
        }
        String workingDir = c.getWorkingDir() != null ? c.getWorkingDir() : IMAGE_WORKDIR;
        Path workingDirectory = paths.hostPath(workingDir).filter(Files::isDirectory).orElse(containerFolder);
        Path logFile = node.root().resolve("logs").resolve(namespace).resolve(name).resolve(c.getName() + ".log");
        String policy = c.getTerminationMessagePolicy() == null ? "File" : c.getTerminationMessagePolicy();
        return new Launch(command, env, workingDirectory, resultFile, logFile, policy, paths);
    }

    /** Runs the containers together; their exit codes, or null when the pod went away meanwhile. */
    private List<Integer> run(List<Container> containers, List<Launch> launches, boolean init)
            throws IOException, InterruptedException {
        List<ContainerProcess> started = new ArrayList<>();
        List<String> startedAt = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            Launch launch = launches.get(i);
            String at = KubeTime.now();
            startedAt.add(at);
            ContainerProcess process;
            try {
                process = ContainerProcess.start(launch.command(), launch.env(), launch.workingDirectory(),
                        launch.logFile(), key() + "/" + c.getName());
            } catch (IOException e) {
                LOG.error(LogLine.of("container-start-failed", "pod", key(), "container", c.getName(), "error", e.toString()));
                started.add(null);
                tracker.terminated(c, init, START_FAILED, "failed to start: " + e.getMessage(), at, KubeTime.now());
                continue;
            }
            processes.add(process);
            started.add(process);
            tracker.running(c, init, at);
            LOG.info(LogLine.of("container-started", "pod", key(), "container", c.getName(),
                    "args", String.join(" ", Specs.list(c.getArgs()))));
        }
        if (!init) {
            tracker.phase(PodStatusTracker.RUNNING);
        }
        if (!publish() && !deleted) {
            gone();
            return null;
        }
        for (int i = 0; i < containers.size(); i++) {
            ContainerProcess process = started.get(i);
            if (process == null) {
                exits.add(START_FAILED);
                continue;
            }
            int exit = process.waitFor();
            processes.remove(process);
            if (shutDown) {
                return null;
            }
            Container c = containers.get(i);
            Launch launch = launches.get(i);
            exit = deleted ? KILLED : exit;
            String message = TerminationMessage.of(launch.resultFile(), exit, launch.policy(), process.lastLines(),
                    launch.paths()::toContainerPaths);
            tracker.terminated(c, init, exit, message, startedAt.get(i), KubeTime.now());
            LOG.info(LogLine.of("container-finished", "pod", key(), "container", c.getName(), "exitCode", exit,
                    "log", launch.logFile()));
            exits.add(exit);
        }
        if (deleted) {
            finish(PodStatusTracker.FAILED);
            return null;
        }
        return exits;
    }

    private void finish(String phase) {
        tracker.phase(phase);
        boolean written = publish();
        LOG.info(LogLine.of("pod-finished", "pod", key(), "phase", phase, "statusWritten", written));
        onDone.run();
    }

    private void gone() {
        LOG.info(LogLine.of("pod-gone", "pod", key()));
        deleted = true;
        processes.forEach(ContainerProcess::kill);
        onDone.run();
    }

    /** Writes the tracked status; false when the pod no longer exists (or is another pod of the same name). */
    private boolean publish() {
        if (shutDown) {
            return false;
        }
        KubernetesClient client = node.client();
        return StatusWrites.retryOnConflict(key(), () -> {
            Pod current = client.pods().inNamespace(namespace).withName(name).get();
            if (current == null || !uid.equals(current.getMetadata().getUid())) {
                return false;
            }
            current.setStatus(tracker.build(current.getStatus()));
            client.pods().inNamespace(namespace).resource(current).updateStatus();
            return true;
        });
    }
}
