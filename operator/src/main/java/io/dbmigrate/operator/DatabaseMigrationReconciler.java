package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Reconciliation;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.validate.SpecValidator;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.status.TransitionEvent;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.observe.RolloutObservation;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes, computes the reconcile's outcome ({@link Reconciliation}), carries out its effects and writes its status.
 * No sleeps and no polling: Job, Pod and Deployment informers wake it, and the outcome says when only time can.
 * Not generation-aware: an approval is an annotation, which leaves the generation alone, and must still wake it.
 */
@ControllerConfiguration(name = DatabaseMigrationReconciler.NAME, generationAwareEventProcessing = false)
public class DatabaseMigrationReconciler implements Reconciler<DatabaseMigration> {
  public static final String NAME = "databasemigration";
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationReconciler.class);
  private static final String DEPLOYMENTS = "deployments";
  private static final String ALL_NAMESPACES = "";
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
    List<EventSource<?, DatabaseMigration>> sources = new ArrayList<>(List.of(new InformerEventSource<>(jobs, context),
        new InformerEventSource<>(pods, context)));
    // Deployments are the application's, not ours: a rollout wakes the migrations whose gates name it. JOSDK gives
    // each watched namespace an informer of its own but hands them all the one ItemStore configured, and each
    // informer's re-list drops from that store what its namespace does not have: so one source, and one store, per
    // namespace (or one for all namespaces).
    Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
    for (String namespace : InformerConfiguration.allNamespacesWatched(namespaces) ? Set.of(ALL_NAMESPACES)
        : namespaces) {
      InformerEventSourceConfiguration.Builder<Deployment> deployments = InformerEventSourceConfiguration
          .from(Deployment.class, DatabaseMigration.class)
          .withName(deploymentSource(namespaces, namespace))
          .withItemStore(new RolloutFieldsStore())
          .withSecondaryToPrimaryMapper((Deployment deployment) -> gatedOn(deployment, context));
      if (!ALL_NAMESPACES.equals(namespace)) {
        deployments.withNamespaces(Set.of(namespace));
      }
      sources.add(new InformerEventSource<>(deployments.build(), context));
    }
    return sources;
  }

  // The name of the Deployment source that sees this namespace.
  private static String deploymentSource(Set<String> watched, String namespace) {
    return InformerConfiguration.allNamespacesWatched(watched) ? DEPLOYMENTS : DEPLOYMENTS + "-" + namespace;
  }

  private static Set<ResourceID> gatedOn(Deployment deployment, EventSourceContext<DatabaseMigration> context) {
    String namespace = deployment.getMetadata().getNamespace();
    String name = deployment.getMetadata().getName();
    return context.getPrimaryCache().list(namespace)
        .filter(migration -> rolloutGates(migration).contains(name))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static Set<String> rolloutGates(DatabaseMigration migration) {
    if (migration.getSpec() == null || migration.getSpec().steps() == null) {
      return Set.of();
    }
    return migration.getSpec().steps().stream()
        .filter(step -> step.gate() != null && step.gate().deploymentRollout() != null)
        .map(step -> step.gate().deploymentRollout().name())
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
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
    List<String> problems = SpecValidator.problems(resource);
    boolean valid = problems.isEmpty();
    Map<String, JobObservation> jobs = valid ? observeJobs(resource, context) : Map.of();
    Map<String, RolloutObservation> rollouts = valid ? observeRollouts(resource, context) : Map.of();
    // The Secret matters only before a Job starts; then it is the kubelet's to read.
    SecretObservation secret = valid
        ? new SecretObserver(client).observe(namespace, resource.getSpec().database().credentialsSecret())
        : SecretObservation.PRESENT;
    Reconciliation outcome = Reconciliation.of(new Observation(resource, secret, jobs, rollouts, clock.instant()),
        problems);
    if (outcome.decision() instanceof Decision.JobLost lost) {
      // The informer may not have seen a Job created moments ago: only the API server can say it is gone.
      Job live = client.batch().v1().jobs().inNamespace(namespace).withName(lost.step().jobName()).get();
      if (live != null) {
        Map<String, JobObservation> seen = new HashMap<>(jobs);
        seen.put(live.getMetadata().getName(), JobObserver.observe(live, podsOf(resource, context).stream()
            .filter(pod -> live.getMetadata().getName().equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_JOB)))
            .toList()));
        outcome = Reconciliation.of(new Observation(resource, secret, seen, rollouts, clock.instant()), problems);
      }
    }

    if (outcome.publishesPlan()) {
      publish(client, resource, outcome);
    } else {
      new ClusterEffects(client).carryOut(outcome);
      DatabaseMigrationStatus before = resource.getStatus();
      DatabaseMigrationStatus after = outcome.status();
      if (Objects.equals(before, after)) {
        metrics.record(resource, before, after);
      } else {
        writeStatus(client, resource, StatusPatch.replace(after));
        recordTransition(client, resource, before, after);
      }
    }
    UpdateControl<DatabaseMigration> control = UpdateControl.noUpdate();
    outcome.requeue().ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * A gated step's plan, seen for the first time, is shown: in its ConfigMap and in status. Every approval the gate
   * ever counts must come after that. So an approval already in the annotation is spent first, and status is written
   * here with the resourceVersion this reconcile knows (after its own annotation patch): when the resource changed
   * meanwhile (an approval given while the plan was being shown), the write fails and the next reconcile spends that
   * approval before it shows the plan again. Whatever happens, a reconcile follows (the outcome's requeue), not
   * waiting for the event of this one's own write.
   */
  private void publish(KubernetesClient client, DatabaseMigration resource, Reconciliation outcome) {
    Decision.AwaitGate gate = (Decision.AwaitGate) outcome.decision();
    String resourceVersion = resource.getMetadata().getResourceVersion();
    if (!outcome.spentApprovals().isEmpty()) {
      DatabaseMigration patched = ApprovalAnnotation.consume(client, resource, outcome.spentApprovals(), true);
      if (patched == null) {
        return;
      }
      resourceVersion = patched.getMetadata().getResourceVersion();
    }
    publishPlan(client, resource, gate);
    DatabaseMigrationStatus before = resource.getStatus();
    DatabaseMigrationStatus after = outcome.status();
    try {
      writeStatus(client, resource, StatusPatch.ifUnchanged(resourceVersion, after));
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != 422) {
        throw e;
      }
      LOG.info("msg=\"resource changed while its plan was published; publishing again\" resource={}/{} step={}",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName(), gate.step().name());
      return;
    }
    recordTransition(client, resource, before, after);
  }

  // The one place status is written: the whole status, as a JSON patch of the status subresource (see StatusPatch).
  private static void writeStatus(KubernetesClient client, DatabaseMigration resource, String patch) {
    client.resources(DatabaseMigration.class).inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }

  private void recordTransition(KubernetesClient client, DatabaseMigration resource, DatabaseMigrationStatus before,
                                DatabaseMigrationStatus after) {
    metrics.record(resource, before, after);
    EventRecorder events = new EventRecorder(client, clock);
    for (TransitionEvent event : TransitionEvent.between(before, after)) {
      LOG.info("msg=transition resource={}/{} generation={} reason={} message=\"{}\"",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName(), after.observedGeneration(),
          event.reason(), event.message());
      events.record(resource, event);
    }
  }

  /**
   * A Job or ConfigMap built from this spec was refused as invalid ({@link RefusedWrite}): the API server will never
   * accept it, e.g. a jobTemplate label it rejects. Retrying cannot help, so the status says so (Stalled, reason
   * RejectedByApiServer, the server's message) and the next edit of the resource tries again. Every other error,
   * including a 422 on the operator's own status patch, keeps JOSDK's retries.
   */
  @Override
  public ErrorStatusUpdateControl<DatabaseMigration> updateErrorStatus(DatabaseMigration resource,
                                                                      Context<DatabaseMigration> context, Exception e) {
    RefusedWrite refused = RefusedWrite.in(e);
    if (refused == null) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    DatabaseMigrationStatus before = resource.getStatus();
    DatabaseMigrationStatus after = StatusAggregator.refused(resource, Reasons.REJECTED_BY_API_SERVER,
        refused.getMessage(), clock.instant());
    writeStatus(context.getClient(), resource, StatusPatch.replace(after));
    recordTransition(context.getClient(), resource, before, after);
    return ErrorStatusUpdateControl.<DatabaseMigration>noStatusUpdate().withNoRetry();
  }

  // Every Job of the resource (step Jobs and plan Jobs of all generations), by name, with its pods.
  private static Map<String, JobObservation> observeJobs(DatabaseMigration resource, Context<DatabaseMigration> context) {
    List<Pod> pods = podsOf(resource, context);
    Map<String, JobObservation> jobs = new HashMap<>();
    for (Job job : context.getSecondaryResources(Job.class)) {
      String name = job.getMetadata().getName();
      List<Pod> own = pods.stream()
          .filter(pod -> name.equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_JOB)))
          .toList();
      jobs.put(name, JobObserver.observe(job, own));
    }
    return jobs;
  }

  private static List<Pod> podsOf(DatabaseMigration resource, Context<DatabaseMigration> context) {
    String migration = resource.getMetadata().getName();
    return context.getSecondaryResources(Pod.class).stream()
        .filter(pod -> pod.getMetadata().getLabels() != null
            && migration.equals(pod.getMetadata().getLabels().get(JobFactory.LABEL_MIGRATION)))
        .toList();
  }

  private static Map<String, RolloutObservation> observeRollouts(DatabaseMigration resource,
                                                                 Context<DatabaseMigration> context) {
    Set<String> names = rolloutGates(resource);
    if (names.isEmpty()) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    InformerEventSource<Deployment, DatabaseMigration> informer = (InformerEventSource<Deployment, DatabaseMigration>)
        context.eventSourceRetriever().getEventSourceFor(Deployment.class, deploymentSource(
            context.getControllerConfiguration().getEffectiveNamespaces(), resource.getMetadata().getNamespace()));
    Map<String, RolloutObservation> rollouts = new HashMap<>();
    for (String name : names) {
      Deployment deployment = informer.get(new ResourceID(name, resource.getMetadata().getNamespace())).orElse(null);
      rollouts.put(name, RolloutObserver.observe(name, deployment));
    }
    return rollouts;
  }

  // Create or replace: each generation's plan of the step takes the step's one ConfigMap.
  private static void publishPlan(KubernetesClient client, DatabaseMigration resource, Decision.AwaitGate gate) {
    ConfigMap configMap = PlanConfigMaps.build(resource, gate.step(), gate.publish());
    try {
      client.configMaps().inNamespace(resource.getMetadata().getNamespace()).resource(configMap).createOr(
          existing -> existing.update());
    } catch (KubernetesClientException e) {
      throw RefusedWrite.orRethrow("ConfigMap " + configMap.getMetadata().getName(), e);
    }
    LOG.info("msg=\"plan published\" resource={}/{} step={} configMap={}", resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(), gate.step().name(), configMap.getMetadata().getName());
  }
}
