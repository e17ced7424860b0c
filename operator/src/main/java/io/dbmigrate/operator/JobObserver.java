package io.dbmigrate.operator;

import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.observe.Attempt;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads a Job and its pods into the planner's terms. Pure: the reconciler hands it what the informers hold. */
public final class JobObserver {

    private JobObserver() {
    }

    public static JobObservation observe(Job job, List<Pod> pods) {
        List<Attempt> attempts = pods.stream()
                .sorted(Comparator.comparing((Pod pod) -> String.valueOf(pod.getMetadata().getCreationTimestamp()))
                        .thenComparing(pod -> pod.getMetadata().getName()))
                .map(JobObserver::attempt)
                .toList();
        Optional<JobCondition> failed = condition(job, "Failed");
        String name = job.getMetadata().getName();
        String openedBy = job.getMetadata().getAnnotations() == null ? null
                : job.getMetadata().getAnnotations().get(JobFactory.ANNOTATION_OPENED_BY);
        if (condition(job, "Complete").isPresent()) {
            return new JobObservation(name, JobObservation.State.Succeeded, attempts, null, null, openedBy);
        }
        if (failed.isPresent()) {
            return new JobObservation(name, JobObservation.State.Failed, attempts, failed.get().getReason(),
                    failed.get().getMessage(), openedBy);
        }
        return new JobObservation(name, JobObservation.State.Active, attempts, null, null, openedBy);
    }

    static Attempt attempt(Pod pod) {
        boolean hasBackup = pod.getSpec() != null && pod.getSpec().getInitContainers() != null
                && pod.getSpec().getInitContainers().stream().anyMatch(c -> JobFactory.BACKUP_CONTAINER.equals(c.getName()));
        List<ContainerStatus> init = pod.getStatus() == null ? List.of() : pod.getStatus().getInitContainerStatuses();
        List<ContainerStatus> main = pod.getStatus() == null ? List.of() : pod.getStatus().getContainerStatuses();
        ContainerOutcome backup = hasBackup ? outcome(init, JobFactory.BACKUP_CONTAINER) : null;
        if (hasBackup && backup == null) {
            backup = ContainerOutcome.waiting(null);
        }
        boolean hasRehearsal = pod.getSpec() != null && pod.getSpec().getInitContainers() != null
                && pod.getSpec().getInitContainers().stream().anyMatch(c -> JobFactory.REHEARSE_CONTAINER.equals(c.getName()));
        ContainerOutcome rehearse = hasRehearsal ? outcome(init, JobFactory.REHEARSE_CONTAINER) : null;
        if (hasRehearsal && rehearse == null) {
            rehearse = ContainerOutcome.waiting(null);
        }
        // The main container is `migrate` in a step's Job, `plan` in a plan Job and `stamp` in a stamp Job.
        String mainName = pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()
                ? JobFactory.MIGRATE_CONTAINER : pod.getSpec().getContainers().get(0).getName();
        return new Attempt(backup, rehearse, outcome(main, mainName));
    }

    private static ContainerOutcome outcome(List<ContainerStatus> statuses, String name) {
        if (statuses == null) {
            return null;
        }
        return statuses.stream()
                .filter(status -> name.equals(status.getName()))
                .findFirst()
                .map(status -> outcome(status.getState()))
                .orElse(null);
    }

    private static ContainerOutcome outcome(ContainerState state) {
        if (state == null) {
            return null;
        }
        if (state.getTerminated() != null) {
            String message = state.getTerminated().getMessage();
            RunnerResult result = parse(message);
            int exitCode = state.getTerminated().getExitCode() == null ? -1 : state.getTerminated().getExitCode();
            return ContainerOutcome.terminated(exitCode, state.getTerminated().getReason(), result, result == null ? message : null);
        }
        if (state.getRunning() != null) {
            return ContainerOutcome.running();
        }
        if (state.getWaiting() != null) {
            return new ContainerOutcome(ContainerOutcome.State.Waiting, null, state.getWaiting().getReason(), null,
                    state.getWaiting().getMessage());
        }
        return null;
    }

    // The runner writes JSON; anything else (logs, with FallbackToLogsOnError) is kept as text.
    private static RunnerResult parse(String message) {
        if (message == null || !message.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return RunnerJson.read(message);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }
}
