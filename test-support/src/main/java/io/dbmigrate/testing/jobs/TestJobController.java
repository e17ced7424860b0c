package io.dbmigrate.testing.jobs;

import io.dbmigrate.testing.LogLine;
import io.dbmigrate.testing.Specs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test Job controller, for API servers that have none (the fabric8 mock server has no controllers at all): it
 * creates a pod for a Job, retries failed pods up to backoffLimit, applies podFailurePolicy FailJob rules and
 * activeDeadlineSeconds, and writes the Job's status and conditions as the Kubernetes Job controller does; each
 * {@link JobSync} is one such pass over one Job.
 *
 * <p>Against a server that has a Job controller it must not compete with it. {@value #MODE_VARIABLE} chooses:
 * {@code on}, {@code off}, or {@code auto} (act only for Jobs that still have no pod 3 s after this controller first
 * saw them). The default is {@code on} for the mock server and {@code auto} for a real one.
 */
public final class TestJobController implements AutoCloseable {

    public static final String MODE_VARIABLE = "DBMIGRATE_TEST_JOB_CONTROLLER";

    public enum Mode { ON, OFF, AUTO }

    private static final Logger LOG = LoggerFactory.getLogger(TestJobController.class);

    private final KubernetesClient client;
    private final Mode mode;
    private final JobSync sync;
    private final ScheduledExecutorService worker;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Map<String, List<SharedIndexInformer<?>>> informers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public TestJobController(KubernetesClient client, Collection<String> namespaces, Mode mode) {
        this.client = client;
        this.mode = mode;
        this.sync = new JobSync(client, mode);
        // One thread: passes never overlap, so two passes can never both decide to create a pod for one attempt.
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-job-controller");
            t.setDaemon(true);
            return t;
        });
        LOG.info(LogLine.of("job-controller-mode", "mode", mode));
        namespaces.forEach(this::watch);
    }

    /** A controller whose mode comes from {@value #MODE_VARIABLE}, defaulting by the kind of server. */
    public static TestJobController forServer(KubernetesClient client, boolean mockServer) {
        return new TestJobController(client, List.of(), modeFromEnvironment(mockServer));
    }

    /** {@value #MODE_VARIABLE} ({@code on|off|auto}); unset: on for the mock server, auto for a real one. */
    public static Mode modeFromEnvironment(boolean mockServer) {
        String value = System.getenv(MODE_VARIABLE);
        if (value == null || value.isBlank()) {
            return mockServer ? Mode.ON : Mode.AUTO;
        }
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MODE_VARIABLE + " must be on, off or auto, not '" + value + "'", e);
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Starts controlling the Jobs of one more namespace (idempotent; nothing in mode off). */
    public void watch(String namespace) {
        if (closed) {
            throw new IllegalStateException("the test Job controller is closed");
        }
        if (mode == Mode.OFF) {
            return;
        }
        informers.computeIfAbsent(namespace, ns -> {
            List<SharedIndexInformer<?>> started = new ArrayList<>();
            started.add(client.batch().v1().jobs().inNamespace(ns).inform(TestJobController.<Job>handler(job -> enqueue(ns, job.getMetadata().getName())), 0));
            // Every pod event of a Job's pod is a reason to look at the Job; the label says which Job.
            started.add(client.pods().inNamespace(ns).inform(TestJobController.<Pod>handler(pod -> {
                String job = Specs.map(pod.getMetadata().getLabels()).get("job-name");
                if (job != null) {
                    enqueue(ns, job);
                }
            }), 0));
            LOG.info(LogLine.of("job-controller-watching", "namespace", ns));
            return started;
        });
    }

    @Override
    public void close() {
        closed = true;
        informers.values().forEach(list -> list.forEach(SharedIndexInformer::close));
        informers.clear();
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void enqueue(String namespace, String name) {
        String key = namespace + "/" + name;
        if (!closed && queued.add(key)) {
            worker.execute(() -> {
                queued.remove(key); // events from now on need another pass
                pass(namespace, name);
            });
        }
    }

    private void enqueueAfter(String namespace, String name, Duration delay) {
        if (!closed) {
            worker.schedule(() -> enqueue(namespace, name), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private void pass(String namespace, String name) {
        if (closed) {
            return;
        }
        try {
            Duration again = sync.sync(namespace, name);
            if (again != null) {
                enqueueAfter(namespace, name, again);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn(LogLine.of("job-sync-failed", "job", namespace + "/" + name, "error", e.toString()));
                enqueueAfter(namespace, name, Duration.ofSeconds(1));
            }
        }
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onChange) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onChange.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onChange.accept(obj);
            }
        };
    }
}
