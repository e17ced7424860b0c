package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.KubeTime;
import io.dbmigrate.testing.Specs;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The status a kubelet reports for one pod, kept as the pod runs and written whole: phase, startTime, the state of
 * every init and app container, and the PodScheduled / Initialized / ContainersReady / Ready conditions, with the
 * reasons and messages a real kubelet uses. Conditions other components added (a scheduler's) are kept.
 */
public final class PodStatusTracker {

    public static final String PENDING = "Pending";
    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    private final String startTime = KubeTime.now();
    private final Map<String, ContainerStatus> initStatuses = new LinkedHashMap<>();
    private final Map<String, ContainerStatus> appStatuses = new LinkedHashMap<>();
    private final Map<String, PodCondition> conditions = new LinkedHashMap<>();
    private String phase = PENDING;

    PodStatusTracker(Pod pod) {
        boolean hasInit = !Specs.initContainers(pod).isEmpty();
        for (Container c : Specs.initContainers(pod)) {
            initStatuses.put(c.getName(), status(c, waitingState("PodInitializing", null), false, false));
        }
        for (Container c : Specs.containers(pod)) {
            // Until the init containers are done, app containers wait for them; otherwise they are being created.
            appStatuses.put(c.getName(), status(c, waitingState(hasInit ? "PodInitializing" : "ContainerCreating", null),
                    false, false));
        }
        refreshConditions();
    }

    synchronized String phase() {
        return phase;
    }

    synchronized void phase(String newPhase) {
        phase = newPhase;
        refreshConditions();
    }

    synchronized void waiting(Container c, boolean init, String reason, String message) {
        put(c, init, status(c, waitingState(reason, message), false, false));
    }

    synchronized void running(Container c, boolean init, String startedAt) {
        ContainerState state = new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt).endRunning().build();
        // Without a readiness probe an app container is ready once it runs; an init container only once it is done.
        put(c, init, status(c, state, !init, true));
    }

    synchronized void terminated(Container c, boolean init, int exitCode, String message, String startedAt,
                                 String finishedAt) {
        ContainerState state = new ContainerStateBuilder().withNewTerminated()
                .withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error")
                .withMessage(message)
                .withStartedAt(startedAt)
                .withFinishedAt(finishedAt)
                .endTerminated().build();
        put(c, init, status(c, state, init && exitCode == 0, false));
    }

    /** The waiting state last recorded for a container, to avoid rewriting an unchanged status every retry. */
    synchronized ContainerState state(String name, boolean init) {
        ContainerStatus s = (init ? initStatuses : appStatuses).get(name);
        return s == null ? null : s.getState();
    }

    private void put(Container c, boolean init, ContainerStatus s) {
        (init ? initStatuses : appStatuses).put(c.getName(), s);
        refreshConditions();
    }

    private static ContainerStatus status(Container c, ContainerState state, boolean ready, boolean started) {
        return new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withImageID("")
                .withReady(ready)
                .withStarted(started)
                .withRestartCount(0)
                .withState(state)
                .build();
    }

    private static ContainerState waitingState(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
    }

    private void refreshConditions() {
        condition("PodScheduled", true, null, null);
        List<String> initIncomplete = initStatuses.values().stream()
                .filter(s -> s.getState().getTerminated() == null || s.getState().getTerminated().getExitCode() != 0)
                .map(ContainerStatus::getName).toList();
        condition("Initialized", initIncomplete.isEmpty(), initIncomplete.isEmpty() ? null : "ContainersNotInitialized",
                initIncomplete.isEmpty() ? null : "containers with incomplete status: " + initIncomplete);
        List<String> unready = appStatuses.values().stream()
                .filter(s -> !Boolean.TRUE.equals(s.getReady())).map(ContainerStatus::getName).toList();
        boolean ready = unready.isEmpty();
        String reason = switch (phase) {
            case SUCCEEDED -> "PodCompleted";
            case FAILED -> "PodFailed";
            default -> ready ? null : "ContainersNotReady";
        };
        String message = ready || reason.startsWith("Pod") ? null : "containers with unready status: " + unready;
        condition("ContainersReady", ready, reason, message);
        condition("Ready", ready, reason, message);
    }

    private void condition(String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        PodCondition previous = conditions.get(type);
        String since = previous != null && previous.getStatus().equals(value)
                ? previous.getLastTransitionTime() : KubeTime.now();
        conditions.put(type, new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
                .withMessage(message).withLastTransitionTime(since).build());
    }

    /** The status to write, keeping conditions that other components set on {@code current}. */
    synchronized PodStatus build(PodStatus current) {
        List<PodCondition> merged = new ArrayList<>(conditions.values());
        if (current != null) {
            for (PodCondition c : Specs.list(current.getConditions())) {
                if (merged.stream().noneMatch(m -> Objects.equals(m.getType(), c.getType()))) {
                    merged.add(c);
                }
            }
        }
        PodStatus status = current == null ? new PodStatus() : current;
        status.setPhase(phase);
        status.setStartTime(startTime);
        status.setConditions(merged);
        status.setInitContainerStatuses(new ArrayList<>(initStatuses.values()));
        status.setContainerStatuses(new ArrayList<>(appStatuses.values()));
        return status;
    }
}
