package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.LogLine;
import io.dbmigrate.testing.Specs;
import io.dbmigrate.testing.docker.TestImages;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet for tests: it watches the Pods of some namespaces and runs, once each, the pods whose nodeSelector has
 * {@code dbmigrate.io/test-kubelet: "true"}, writing pod status the way a kubelet does. Containers run in Docker
 * when scripts/test.sh handed the tests an engine and images ({@link TestImages#fromEnvironment()}), otherwise (or with
 * {@code DBMIGRATE_TEST_KUBELET=process}) as local processes of the runner jar; each pod's log says which. Because it only talks to the API, the same fixture drives the fabric8 mock server in CI and a real
 * API server; on a real cluster no real node matches that nodeSelector, so nothing else runs these pods.
 *
 * <p>Pods must set {@code automountServiceAccountToken: false}, as the operator's Jobs do: a real API server gives any
 * other pod a projected token volume, so the mock server must not let such a pod through either.
 *
 * <p>Every image the pods may use must be in the image map ({@code image -> containerPath -> hostPath}). As processes,
 * the entrypoint is always the runner and those folders stand for the image's; in Docker the image runs as it is,
 * with those folders mounted read-only over its own. Logs are kept in {@code <root>/logs/<namespace>/<pod>/<container>.log}, PVCs are folders in
 * {@code <root>/pvc/<namespace>/<claimName>}.
 */
public final class TestKubelet implements AutoCloseable {

    /** The nodeSelector key (value "true") that sends a pod to this kubelet. */
    public static final String NODE_SELECTOR_KEY = "dbmigrate.io/test-kubelet";
    /** Forces a runtime: {@value #PROCESS} (whatever images there are) or {@value #DOCKER} (images required). */
    public static final String MODE_ENV = "DBMIGRATE_TEST_KUBELET";
    public static final String PROCESS = "process";
    public static final String DOCKER = "docker";
    /** The node name pods see through the downward API. */
    static final String NODE_NAME = "dbmigrate-test-kubelet";

    private static final Logger LOG = LoggerFactory.getLogger(TestKubelet.class);
    private static final int POOL_THREADS = 2;

    private final KubernetesClient client;
    private final Path root;
    private final ContainerRuntime runtime;
    private final PodRun.Node node;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, SharedIndexInformer<Pod>> informers = new ConcurrentHashMap<>();
    /** Pod uids this kubelet took: each runs at most once, whatever events arrive later. */
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
    private final List<PodRun> heldRuns = new ArrayList<>();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();
    private boolean held;
    private volatile boolean closed;

    /**
     * @param runnerJar  the runnable runner jar: the entrypoint of every image when containers run as processes
     * @param root       where logs, PVC folders and pod folders go
     * @param images     image name to its folders ({@code /migrations -> /path/to/alembic/project})
     */
    public TestKubelet(KubernetesClient client, Collection<String> namespaces, Path runnerJar, Path root,
                       Map<String, Map<String, String>> images) {
        if (!Files.isRegularFile(runnerJar)) {
            throw new IllegalArgumentException("the runner jar " + runnerJar + " does not exist; build it first"
                    + " (mvn -pl cli -am verify builds it before the end-to-end tests)");
        }
        this.client = client;
        this.root = root;
        this.executor = new ScheduledThreadPoolExecutor(POOL_THREADS, r -> {
            Thread t = new Thread(r, "test-kubelet-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.runtime = containerImages()
                .<ContainerRuntime>map(found -> new DockerRuntime(found.dockerHost(), root.resolve("docker-client")))
                .orElseGet(() -> new ProcessRuntime(runnerJar));
        LOG.info(LogLine.of("kubelet-runtime", "runtime", runtime.name()));
        this.node = new PodRun.Node(client, runtime, root, Map.copyOf(images), executor);
        namespaces.forEach(this::watch);
    }

    /**
     * The images of this run when its kubelets run containers in Docker: whenever scripts/test.sh handed the tests an
     * engine and images, unless {@value #MODE_ENV} is {@value #PROCESS} (processes start faster, for a quick local run).
     */
    public static Optional<TestImages> containerImages() {
        return containerImages(System.getenv(MODE_ENV), TestImages.fromEnvironment());
    }

    static Optional<TestImages> containerImages(String mode, Optional<TestImages> images) {
        String wanted = mode == null ? "" : mode.trim();
        if (wanted.equals(PROCESS)) {
            return Optional.empty();
        }
        if (wanted.equals(DOCKER) && images.isEmpty()) {
            throw new IllegalArgumentException(MODE_ENV + "=" + DOCKER + " needs an engine and images: "
                    + TestImages.SKIP_REASON);
        }
        if (!wanted.isEmpty() && !wanted.equals(DOCKER)) {
            throw new IllegalArgumentException(MODE_ENV + " must be " + PROCESS + " or " + DOCKER + ", not " + mode);
        }
        return images;
    }

    /** Starts running the pods of one more namespace (idempotent). Returns once the pod cache is synced. */
    public void watch(String namespace) {
        if (closed) {
            throw new IllegalStateException("the test kubelet is closed");
        }
        informers.computeIfAbsent(namespace, ns -> {
            // No label selector: what sends a pod here is its nodeSelector, which the API cannot filter on.
            SharedIndexInformer<Pod> informer = client.pods().inNamespace(ns).inform(new PodEvents(), 0);
            LOG.info(LogLine.of("kubelet-watching", "namespace", ns));
            return informer;
        });
    }

    /** Pods that appear from now on are not started until {@link #release()}; running ones go on. */
    public synchronized void hold() {
        held = true;
        LOG.info(LogLine.of("kubelet-hold"));
    }

    /** Starts the held pods (those not deleted meanwhile) and every later one. */
    public synchronized void release() {
        held = false;
        List<PodRun> toStart = new ArrayList<>(heldRuns);
        heldRuns.clear();
        LOG.info(LogLine.of("kubelet-release", "pods", toStart.size()));
        toStart.forEach(this::begin);
    }

    /** Whether this kubelet runs containers in Docker (else as host processes). */
    public boolean runsContainers() {
        return runtime instanceof DockerRuntime;
    }

    /** How many pods this kubelet started. */
    public int podsStarted() {
        return started.size();
    }

    /** The pods this kubelet started, as namespace/name, in the order it started them. */
    public List<String> podsRun() {
        return List.copyOf(started);
    }

    /** The folder backing a PersistentVolumeClaim of a namespace (it may not exist before a pod mounts the claim). */
    public Path persistentVolumeClaimPath(String namespace, String claimName) {
        return HostPaths.persistentVolumeClaimFolder(root, namespace, claimName);
    }

    /** The combined output of one container of a pod. */
    public Path logFile(String namespace, String pod, String container) {
        return root.resolve("logs").resolve(namespace).resolve(pod).resolve(container + ".log");
    }

    /** Stops watching and kills (in Docker: removes) every container it started. */
    @Override
    public void close() {
        closed = true;
        informers.values().forEach(SharedIndexInformer::close);
        informers.clear();
        runs.values().forEach(PodRun::shutDown);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info(LogLine.of("kubelet-closed", "podsStarted", started.size()));
    }

    private static boolean isForThisKubelet(Pod pod) {
        Map<String, String> selector = pod.getSpec() == null ? null : pod.getSpec().getNodeSelector();
        return selector != null && "true".equals(selector.get(NODE_SELECTOR_KEY));
    }

    /** Only pods nobody has run yet: no terminal phase, no container that ever started. */
    private static boolean isNew(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        if (pod.getStatus() == null) {
            return true;
        }
        String phase = pod.getStatus().getPhase();
        if (phase != null && !phase.equals(PodStatusTracker.PENDING)) {
            return false;
        }
        return Specs.list(pod.getStatus().getContainerStatuses()).stream()
                .noneMatch(s -> s.getState() != null && (s.getState().getRunning() != null || s.getState().getTerminated() != null))
                && Specs.list(pod.getStatus().getInitContainerStatuses()).stream()
                .noneMatch(s -> s.getState() != null && (s.getState().getRunning() != null || s.getState().getTerminated() != null));
    }

    private void offer(Pod pod) {
        if (closed || !isForThisKubelet(pod) || !isNew(pod) || !claimed.add(pod.getMetadata().getUid())) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        PodRun run = new PodRun(node, pod, () -> runs.remove(uid));
        runs.put(uid, run);
        synchronized (this) {
            if (held) {
                heldRuns.add(run);
                LOG.info(LogLine.of("pod-held", "pod", run.key()));
                return;
            }
        }
        begin(run);
    }

    private void begin(PodRun run) {
        if (closed) {
            return;
        }
        started.add(run.key());
        run.start();
    }

    private void deleted(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodRun run = runs.remove(uid);
        if (run == null) {
            return;
        }
        synchronized (this) {
            if (heldRuns.remove(run)) {
                LOG.info(LogLine.of("held-pod-deleted", "pod", run.key()));
                return;
            }
        }
        run.podDeleted();
    }

    private final class PodEvents implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            offer(pod);
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            if (newPod.getMetadata().getDeletionTimestamp() != null) {
                // Graceful deletion (a pod with finalizers): the containers are killed now, as a kubelet would.
                deleted(newPod);
                return;
            }
            offer(newPod);
        }

        @Override
        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            deleted(pod);
        }
    }
}
