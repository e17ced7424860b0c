package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.RolloutObservation;
import io.dbmigrate.observe.SecretObservation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the reconciler sees of a resource: its Jobs and their pods and the Deployments its gates name, from the
 * informers' caches ({@link MigrationEventSources}); its credentials Secret with a `get`, when the planner asks; and
 * the time.
 */
final class ClusterObserver {
    private final KubernetesClient client;
    private final Clock clock;

    ClusterObserver(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** @param specValid whether the spec passed validation; an invalid one stalls whatever runs, so nothing is read */
    Observation observe(DatabaseMigration resource, Context<DatabaseMigration> context, boolean specValid) {
        if (!specValid) {
            return new Observation(resource, SecretObservation.PRESENT, Map.of(), Map.of(), clock.instant());
        }
        Map<String, JobObservation> jobs = jobs(resource, context);
        Map<String, RolloutObservation> rollouts = rollouts(resource, context);
        // The Secret matters only before a Job starts; then it is the kubelet's to read. So it is read only when the
        // planner asks, not on every reconcile of a resource at rest (scripts/bench/fleet-at-rest.sh).
        Supplier<SecretObservation> secret = () -> new SecretObserver(client).observe(resource.getMetadata().getNamespace(),
                resource.getSpec().database().credentialsSecret());
        return new Observation(resource, secret, jobs, rollouts, clock.instant());
    }

    /**
     * The observation with the Job as the API server has it, when the informer has lost sight of a Job it may just not
     * have seen yet (created moments ago): only the API server can say it is gone. Empty when it is.
     */
    Optional<Observation> withLiveJob(Observation observation, String jobName, Context<DatabaseMigration> context) {
        DatabaseMigration resource = observation.resource();
        Job live = client.batch().v1().jobs().inNamespace(resource.getMetadata().getNamespace()).withName(jobName).get();
        if (live == null) {
            return Optional.empty();
        }
        Map<String, JobObservation> seen = new HashMap<>(observation.jobs());
        seen.put(jobName, JobObserver.observe(live, podsOf(jobName, pods(resource, context))));
        return Optional.of(new Observation(resource, observation.credentials(), seen, observation.rollouts(), clock.instant()));
    }

    // Every Job of the resource (step, plan and stamp Jobs of all generations), by name, with its pods.
    private static Map<String, JobObservation> jobs(DatabaseMigration resource, Context<DatabaseMigration> context) {
        List<Pod> pods = pods(resource, context);
        Map<String, JobObservation> jobs = new HashMap<>();
        for (Job job : context.getSecondaryResources(Job.class)) {
            String name = job.getMetadata().getName();
            jobs.put(name, JobObserver.observe(job, podsOf(name, pods)));
        }
        return jobs;
    }

    private static List<Pod> podsOf(String jobName, List<Pod> pods) {
        return pods.stream()
                .filter(pod -> jobName.equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_JOB)))
                .toList();
    }

    private static List<Pod> pods(DatabaseMigration resource, Context<DatabaseMigration> context) {
        String migration = resource.getMetadata().getName();
        return context.getSecondaryResources(Pod.class).stream()
                .filter(pod -> pod.getMetadata().getLabels() != null
                        && migration.equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_MIGRATION)))
                .toList();
    }

    private static Map<String, RolloutObservation> rollouts(DatabaseMigration resource,
                                                                                                                    Context<DatabaseMigration> context) {
        Set<String> names = MigrationEventSources.rolloutGates(resource);
        if (names.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        InformerEventSource<Deployment, DatabaseMigration> informer = (InformerEventSource<Deployment, DatabaseMigration>)
                context.eventSourceRetriever().getEventSourceFor(Deployment.class, MigrationEventSources.deploymentSource(
                        context.getControllerConfiguration().getEffectiveNamespaces(), resource.getMetadata().getNamespace()));
        Map<String, RolloutObservation> rollouts = new HashMap<>();
        for (String name : names) {
            Deployment deployment = informer.get(new ResourceID(name, resource.getMetadata().getNamespace())).orElse(null);
            rollouts.put(name, RolloutObserver.observe(name, deployment));
        }
        return rollouts;
    }
}
