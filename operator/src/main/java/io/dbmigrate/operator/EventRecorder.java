package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.plan.TransitionEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events about a DatabaseMigration, the ones `kubectl describe` shows. */
public final class EventRecorder {
  static final String COMPONENT = "dbmigrate-operator";
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void record(DatabaseMigration resource, TransitionEvent event) {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    String message = event.message() == null ? "" : event.message();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    Event kubernetesEvent = new EventBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName() + "." + Long.toHexString(clock.millis())
              + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff)))
          .withNamespace(resource.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(resource.getApiVersion())
          .withKind(resource.getKind())
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .withUid(resource.getMetadata().getUid())
          .withResourceVersion(resource.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType(event.type().name())
        .withReason(event.reason())
        .withMessage(message)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(kubernetesEvent).create();
    } catch (KubernetesClientException e) {
      // An Event is a courtesy: losing one must not fail the reconcile that already did the work.
      LOG.warn("msg=\"event not recorded\" resource={}/{} reason={} code={}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), event.reason(), e.getCode());
    }
  }
}
