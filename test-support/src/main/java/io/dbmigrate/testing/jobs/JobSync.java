package io.dbmigrate.testing.jobs;

import io.dbmigrate.testing.KubeTime;
import io.dbmigrate.testing.LogLine;
import io.dbmigrate.testing.Specs;
import io.dbmigrate.testing.StatusWrites;
import io.dbmigrate.testing.kubelet.PodStatusTracker;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync of one Job by the test Job controller ({@link TestJobController} runs it on every Job and pod event), as
 * the Kubernetes Job controller's syncJob: completions 1, parallelism 1, the only shape the operator creates.
 * Everything is derived from the Job and its pods as listed from the API server right now, never from memory, so a
 * sync can be repeated, or run by a restarted controller, without creating a second pod for an attempt.
 * Conditions, reasons and messages are those of the Kubernetes Job controller, and the status it writes passes a
 * real API server's Job status validation (SuccessCriteriaMet with Complete, FailureTarget with Failed, completionTime
 * only when Complete).
 */
public final class JobSync {

    /** Marks the pods this controller created, so a restarted controller in auto mode knows they are its own. */
    static final String CREATED_BY_ANNOTATION = "dbmigrate.io/test-job-controller";
    static final Duration AUTO_WAIT = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(JobSync.class);
    private static final int DEFAULT_BACKOFF_LIMIT = 6;
    private static final String COMPLETIONS_REACHED = "CompletionsReached";
    private static final String COMPLETIONS_REACHED_MESSAGE = "Reached expected number of succeeded pods";
    // generateName's alphabet: no vowels (no words), no 0/1/3 (no look-alikes).
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final TestJobController.Mode mode;
    private final Map<String, Instant> unownedSince = new ConcurrentHashMap<>();
    private final Set<String> leftToServer = ConcurrentHashMap.newKeySet();

    public JobSync(KubernetesClient client, TestJobController.Mode mode) {
        this.client = client;
        this.mode = mode;
    }

    private MixedOperation<Job, JobList, ScalableResource<Job>> jobs() {
        return client.batch().v1().jobs();
    }

    /** Syncs the Job once; returns when to look again although nothing changes (a deadline, the auto-mode wait), or null. */
    public Duration sync(String namespace, String name) {
        Job job = jobs().inNamespace(namespace).withName(name).get();
        if (job == null || isFinished(job)) {
            return null;
        }
        String jobKey = namespace + "/" + name;
        String uid = job.getMetadata().getUid();
        Instant now = Instant.now();
        List<Pod> pods = ownedPods(job);

        if (mode == TestJobController.Mode.AUTO) {
            if (leftToServer.contains(uid)) {
                // The server's Job controller runs it, also while it has no pod (its backoff after a failed pod).
                return null;
            }
            if (pods.isEmpty()) {
                // A server with its own Job controller creates the pod within moments; only a Job that stays without
                // one is ours to run.
                Duration waited = Duration.between(unownedSince.computeIfAbsent(uid, u -> now), now);
                if (waited.compareTo(AUTO_WAIT) < 0) {
                    return AUTO_WAIT.minus(waited);
                }
            } else if (pods.stream().noneMatch(JobSync::createdByUs)) {
                if (leftToServer.add(uid)) {
                    LOG.info(LogLine.of("job-left-to-server", "job", jobKey, "pods", pods.size()));
                }
                return null;
            }
        }

        List<Pod> active = pods.stream().filter(p -> !isTerminal(p) && p.getMetadata().getDeletionTimestamp() == null).toList();
        List<Pod> succeeded = pods.stream().filter(p -> PodStatusTracker.SUCCEEDED.equals(phase(p))).toList();
        List<Pod> failed = pods.stream().filter(p -> PodStatusTracker.FAILED.equals(phase(p))).toList();
        Instant startTime = Optional.ofNullable(job.getStatus()).map(JobStatus::getStartTime).map(KubeTime::parse)
                .orElse(null);

        if (!succeeded.isEmpty()) {
            deletePods(active);
            Instant start = startTime != null ? startTime : now;
            writeStatus(job, s -> {
                s.setStartTime(KubeTime.format(start));
                s.setActive(0);
                s.setReady(0);
                s.setSucceeded(succeeded.size());
                s.setFailed(failed.size());
                s.setCompletionTime(KubeTime.format(now));
                // Kubernetes 1.31+ first records that the success criteria are met, then Complete; its validation
                // refuses Complete without SuccessCriteriaMet.
                addCondition(s, "SuccessCriteriaMet", COMPLETIONS_REACHED, COMPLETIONS_REACHED_MESSAGE, now);
                addCondition(s, "Complete", COMPLETIONS_REACHED, COMPLETIONS_REACHED_MESSAGE, now);
            });
            LOG.info(LogLine.of("job-complete", "job", jobKey, "pods", pods.size()));
            return null;
        }

        int counted = 0;
        for (Pod pod : failed) {
            Optional<PodFailurePolicies.Match> match = PodFailurePolicies.match(job, pod);
            String action = match.map(PodFailurePolicies.Match::action).orElse(PodFailurePolicies.COUNT);
            if (action.equals(PodFailurePolicies.FAIL_JOB)) {
                fail(job, active, failed.size(), startTime, "PodFailurePolicy", match.get().message(), now);
                return null;
            }
            if (!action.equals(PodFailurePolicies.IGNORE)) {
                counted++;
            }
        }
        int backoffLimit = job.getSpec().getBackoffLimit() == null ? DEFAULT_BACKOFF_LIMIT : job.getSpec().getBackoffLimit();
        if (counted > backoffLimit) {
            fail(job, active, counted, startTime, "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            return null;
        }
        Long deadline = job.getSpec().getActiveDeadlineSeconds();
        if (deadline != null && startTime != null && !now.isBefore(startTime.plusSeconds(deadline))) {
            fail(job, active, counted + active.size(), startTime, "DeadlineExceeded",
                    "Job was active longer than specified deadline", now);
            return null;
        }

        List<Pod> running = new ArrayList<>(active);
        if (running.isEmpty() && !Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            running.add(createPod(job, failed.size() + 1));
        }
        Instant start = startTime != null ? startTime : running.isEmpty() ? null : now;
        int failedCount = counted;
        int ready = (int) running.stream().filter(JobSync::isReady).count();
        writeStatus(job, s -> {
            if (start != null) {
                s.setStartTime(KubeTime.format(start));
            }
            s.setActive(running.size());
            s.setReady(ready);
            s.setFailed(failedCount);
            s.setSucceeded(0);
        });
        if (deadline != null && start != null) {
            Duration left = Duration.between(now, start.plusSeconds(deadline));
            return left.isNegative() ? Duration.ZERO : left.plusMillis(100);
        }
        return null;
    }

    private void fail(Job job, List<Pod> active, int failedCount, Instant startTime, String reason, String message,
                      Instant now) {
        deletePods(active); // a failed Job keeps no running pods
        Instant start = startTime != null ? startTime : now;
        writeStatus(job, s -> {
            s.setStartTime(KubeTime.format(start));
            s.setActive(0);
            s.setReady(0);
            s.setFailed(failedCount);
            s.setSucceeded(0);
            // Kubernetes 1.31+ first records the target, then the terminal condition; its validation requires both.
            addCondition(s, "FailureTarget", reason, message, now);
            addCondition(s, "Failed", reason, message, now);
        });
        LOG.info(LogLine.of("job-failed", "job", Specs.key(job), "reason", reason, "message", message));
    }

    private List<Pod> ownedPods(Job job) {
        String uid = job.getMetadata().getUid();
        // The job-name label finds the pods (an equality selector, which the mock server honours); the owner uid keeps
        // out the pods of an earlier Job of the same name, which no garbage collector removed on the mock.
        return client.pods().inNamespace(job.getMetadata().getNamespace())
                .withLabel("job-name", job.getMetadata().getName()).list().getItems().stream()
                .filter(p -> Specs.list(p.getMetadata().getOwnerReferences()).stream().anyMatch(r -> uid.equals(r.getUid())))
                .sorted(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
                .toList();
    }

    private Pod createPod(Job job, int attempt) {
        PodTemplateSpec template = job.getSpec().getTemplate();
        String jobName = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata() == null ? Map.of()
                : Specs.map(template.getMetadata().getLabels()));
        labels.put("job-name", jobName);
        labels.put("batch.kubernetes.io/job-name", jobName);
        labels.put("controller-uid", uid);
        labels.put("batch.kubernetes.io/controller-uid", uid);
        Map<String, String> annotations = new LinkedHashMap<>(template.getMetadata() == null ? Map.of()
                : Specs.map(template.getMetadata().getAnnotations()));
        annotations.put(CREATED_BY_ANNOTATION, "true");
        PodSpec spec = client.getKubernetesSerialization().clone(template.getSpec());
        for (int collision = 0; ; collision++) {
            ObjectMeta meta = new ObjectMeta();
            meta.setName(podName(jobName));
            meta.setNamespace(job.getMetadata().getNamespace());
            meta.setLabels(labels);
            meta.setAnnotations(annotations);
            meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                    .withName(jobName).withUid(uid).withController(true).withBlockOwnerDeletion(true).build()));
            Pod pod = new Pod();
            pod.setMetadata(meta);
            pod.setSpec(spec);
            try {
                Pod created = client.pods().inNamespace(meta.getNamespace()).resource(pod).create();
                LOG.info(LogLine.of("job-pod-created", "job", Specs.key(job), "pod", meta.getName(), "attempt", attempt));
                return created;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || collision >= 5) {
                    throw e;
                }
            }
        }
    }

    private static String podName(String jobName) {
        String base = jobName + "-";
        if (base.length() > 58) {
            base = base.substring(0, 58);
        }
        StringBuilder name = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            name.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
        }
        return name.toString();
    }

    private void deletePods(List<Pod> pods) {
        for (Pod pod : pods) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
            LOG.info(LogLine.of("job-pod-deleted", "pod", Specs.key(pod)));
        }
    }

    private void writeStatus(Job job, Consumer<JobStatus> change) {
        String namespace = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        StatusWrites.retryOnConflict(namespace + "/" + name, () -> {
            Job latest = jobs().inNamespace(namespace).withName(name).get();
            if (latest == null || !uid.equals(latest.getMetadata().getUid())) {
                return false;
            }
            JobStatus status = latest.getStatus() == null ? new JobStatus() : latest.getStatus();
            String before = client.getKubernetesSerialization().asJson(status);
            change.accept(status);
            if (before.equals(client.getKubernetesSerialization().asJson(status))) {
                return true; // nothing new: no write, no watch event, no reconcile loop
            }
            latest.setStatus(status);
            jobs().inNamespace(namespace).resource(latest).updateStatus();
            return true;
        });
    }

    private static void addCondition(JobStatus status, String type, String reason, String message, Instant now) {
        List<JobCondition> conditions = new ArrayList<>(Specs.list(status.getConditions()));
        if (conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))) {
            return;
        }
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(KubeTime.format(now)).withLastTransitionTime(KubeTime.format(now)).build());
        status.setConditions(conditions);
    }

    public static boolean isFinished(Job job) {
        return job.getStatus() != null && Specs.list(job.getStatus().getConditions()).stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }

    private static boolean createdByUs(Pod pod) {
        return Specs.map(pod.getMetadata().getAnnotations()).containsKey(CREATED_BY_ANNOTATION);
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static boolean isTerminal(Pod pod) {
        String phase = phase(pod);
        return PodStatusTracker.SUCCEEDED.equals(phase) || PodStatusTracker.FAILED.equals(phase);
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && Specs.list(pod.getStatus().getConditions()).stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
