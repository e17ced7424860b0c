package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.plan.Decision;
import io.dbmigrate.plan.JobObservation;
import io.dbmigrate.plan.MigrationPlanner;
import io.dbmigrate.plan.Observation;
import io.dbmigrate.plan.SecretObservation;
import io.dbmigrate.plan.SpecValidator;
import io.dbmigrate.plan.StatusAggregator;
import io.dbmigrate.plan.TransitionEvent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes, asks the planner, carries out its one decision, and hands the computed status to JOSDK to write.
 * No sleeps and no polling: Job and Pod informers wake it, and only a missing Secret asks for a timed retry.
 */
@ControllerConfiguration(name = DatabaseMigrationReconciler.NAME)
public class DatabaseMigrationReconciler implements Reconciler<DatabaseMigration> {
  public static final String NAME = "databasemigration";
  /** How often a missing Secret is looked for again: a `get`, instead of a cluster-wide watch on Secrets. */
  public static final Duration SECRET_RECHECK = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);
  private static final String SELECTOR = JobFactory.LABEL_MANAGED_BY + "=" + JobFactory.MANAGED_BY;

  private final Clock clock;
  private final MigrationMetrics metrics;

  public DatabaseMigrationReconciler(Clock clock, MigrationMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public List<EventSource<?, DatabaseMigration>> prepareEventSources(EventSourceContext<DatabaseMigration> context) {
    InformerEventSourceConfiguration<Job> jobs = InformerEventSourceConfiguration.from(Job.class, DatabaseMigration.class)
        .withName("jobs")
        .withLabelSelector(SELECTOR)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(DatabaseMigration.class))
        .build();
    // Pods are owned by their Job, not by us: the migration label leads back to the resource.
    InformerEventSourceConfiguration<Pod> pods = InformerEventSourceConfiguration.from(Pod.class, DatabaseMigration.class)
        .withName("pods")
        .withLabelSelector(SELECTOR)
        .withSecondaryToPrimaryMapper((Pod pod) -> migrationOf(pod))
        .build();
    return List.of(new InformerEventSource<>(jobs, context), new InformerEventSource<>(pods, context));
  }

  private static Set<ResourceID> migrationOf(HasMetadata owned) {
    String name = owned.getMetadata().getLabels() == null ? null
        : owned.getMetadata().getLabels().get(JobFactory.LABEL_MIGRATION);
    return name == null ? Set.of() : Set.of(new ResourceID(name, owned.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<DatabaseMigration> reconcile(DatabaseMigration resource, Context<DatabaseMigration> context) {
    KubernetesClient client = context.getClient();
    String namespace = resource.getMetadata().getNamespace();
    boolean valid = SpecValidator.problems(resource.getSpec()).isEmpty();
    JobObservation job = valid ? observeJob(resource, context) : null;
    SecretObservation secret = valid && job == null
        ? new SecretObserver(client).observe(namespace, resource.getSpec().database().credentialsSecret())
        : SecretObservation.PRESENT;
    Observation observation = new Observation(resource, secret, job);
    Decision decision = MigrationPlanner.decide(observation);

    if (decision instanceof Decision.CreateJob create) {
      createJob(client, resource, create.jobName());
    }
    DatabaseMigrationStatus before = resource.getStatus();
    DatabaseMigrationStatus after = StatusAggregator.compute(observation, decision, clock.instant());
    metrics.record(resource, before, after);
    UpdateControl<DatabaseMigration> control;
    if (Objects.equals(before, after)) {
      control = UpdateControl.noUpdate();
    } else {
      EventRecorder events = new EventRecorder(client, clock);
      for (TransitionEvent event : TransitionEvent.between(before, after)) {
        LOG.info("msg=transition resource={}/{} generation={} reason={} message=\"{}\"", namespace,
            resource.getMetadata().getName(), after.observedGeneration(), event.reason(), event.message());
        events.record(resource, event);
      }
      resource.setStatus(after);
      control = UpdateControl.patchStatus(resource);
    }
    if (decision instanceof Decision.WaitForSecret) {
      control.rescheduleAfter(SECRET_RECHECK);
    }
    return control;
  }

  private static JobObservation observeJob(DatabaseMigration resource, Context<DatabaseMigration> context) {
    String jobName = MigrationPlanner.jobName(resource);
    Job job = context.getSecondaryResources(Job.class).stream()
        .filter(candidate -> jobName.equals(candidate.getMetadata().getName()))
        .findFirst()
        // The informer may not have seen a Job created a moment ago, or by a previous operator instance: ask.
        .orElseGet(() -> context.getClient().batch().v1().jobs().inNamespace(resource.getMetadata().getNamespace())
            .withName(jobName).get());
    if (job == null) {
      return null;
    }
    List<Pod> pods = context.getSecondaryResources(Pod.class).stream()
        .filter(pod -> pod.getMetadata().getLabels() != null
            && jobName.equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_JOB)))
        .toList();
    return JobObserver.observe(job, pods);
  }

  private static void createJob(KubernetesClient client, DatabaseMigration resource, String jobName) {
    Job job = JobFactory.build(resource);
    try {
      client.batch().v1().jobs().inNamespace(resource.getMetadata().getNamespace()).resource(job).create();
      LOG.info("msg=\"job created\" resource={}/{} job={}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), jobName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // Created by an earlier reconcile whose status write was lost: the name is the guarantee of one Job.
      LOG.info("msg=\"job exists\" resource={}/{} job={}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), jobName);
    }
  }
}
