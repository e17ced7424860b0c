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

    /** What every pod run shares with the kubelet. */
    record Node(KubernetesClient client, ContainerRuntime runtime, Path root, Map<String, Map<String, String>> images,
                ScheduledExecutorService executor) {
    }

    private final Node node;
    private final Pod pod;
    private final String namespace;
    private final String name;
    private final String uid;
    private final Path podFolder;
    private final PodStatusTracker tracker;
    private final Runnable onDone;
    private final List<RunningContainer> processes = new CopyOnWriteArrayList<>();
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
            processes.forEach(RunningContainer::kill);
        }
    }

    /** The kubelet stops: kill everything and write nothing more. */
    void shutDown() {
        shutDown = true;
        processes.forEach(RunningContainer::kill);
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
                LOG.info(LogLine.of("pod-started", "pod", key(), "runtime", node.runtime().name()));
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
        if (!Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
            // Refused on every server alike: a real one would add a projected token volume, which no folder stands for.
            throw new ContainerStartError(ContainerStartError.CONFIG_ERROR, "the test kubelet mounts no ServiceAccount"
                    + " token: the pod must set automountServiceAccountToken: false", false);
        }
        Map<String, String> specEnv = new ContainerEnvironment(node.client(), pod).resolve(c);

        Path containerFolder = Files.createDirectories(podFolder.resolve("containers").resolve(c.getName()));
        Path resultFile = containerFolder.resolve("termination-log");
        Files.deleteIfExists(resultFile);
        Files.createFile(resultFile); // a kubelet creates it empty; an empty file means "no message"
        Path logFile = node.root().resolve("logs").resolve(namespace).resolve(name).resolve(c.getName() + ".log");
        return node.runtime().prepare(new ContainerSetup(pod, c, specEnv, imageFolders, node.root(), podFolder,
                containerFolder, resultFile, logFile));
    }

    /** Runs the containers together; their exit codes, or null when the pod went away meanwhile. */
    private List<Integer> run(List<Container> containers, List<Launch> launches, boolean init)
            throws IOException, InterruptedException {
        List<RunningContainer> started = new ArrayList<>();
        List<String> startedAt = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            Launch launch = launches.get(i);
            String at = KubeTime.now();
            startedAt.add(at);
            RunningContainer process;
            try {
                process = node.runtime().start(launch, key() + "/" + c.getName());
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
            RunningContainer process = started.get(i);
            if (process == null) {
                exits.add(START_FAILED);
                continue;
            }
            int exit = process.waitFor();
            processes.remove(process);
            process.remove();
            if (shutDown) {
                return null;
            }
            Container c = containers.get(i);
            Launch launch = launches.get(i);
            exit = deleted ? KILLED : exit;
            String policy = c.getTerminationMessagePolicy() == null ? "File" : c.getTerminationMessagePolicy();
            String message = TerminationMessage.of(launch.setup().resultFile(), exit, policy, process.lastLines(),
                    launch.toContainerPaths());
            tracker.terminated(c, init, exit, message, startedAt.get(i), KubeTime.now());
            LOG.info(LogLine.of("container-finished", "pod", key(), "container", c.getName(), "exitCode", exit,
                    "log", launch.setup().logFile()));
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
        processes.forEach(RunningContainer::kill);
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
