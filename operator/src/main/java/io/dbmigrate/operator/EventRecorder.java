package io.dbmigrate.operator;

import io.dbmigrate.naming.Sha256;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events about a DatabaseMigration or a DatabaseMigrationSet, the ones `kubectl describe` shows. */
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

    /**
     * The Event's name is a hash of the resource's uid, its generation and the transition: a reconcile that starts from
     * a status the informer has not caught up with yet computes the same transition again, and its Event then has the
     * name of the one recorded already, instead of telling `kubectl describe` twice.
     */
    static String name(HasMetadata resource, TransitionEvent event) {
        String key = resource.getMetadata().getUid() + "/" + resource.getMetadata().getGeneration() + "/" + event.type()
                + "/" + event.reason() + "/" + event.message();
        String suffix = "." + Sha256.hex(key, 8);
        String base = resource.getMetadata().getName();
        // An Event name is a DNS subdomain of at most 253 characters, like the resource's.
        return base.substring(0, Math.min(base.length(), 253 - suffix.length())).replaceAll("[.-]+$", "") + suffix;
    }

    public void record(HasMetadata resource, TransitionEvent event) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String message = event.message() == null ? "" : event.message();
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE - 3) + "...";
        }
        Event kubernetesEvent = new EventBuilder()
                .withNewMetadata()
                    .withName(name(resource, event))
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
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return; // recorded already, by a reconcile that started from the same stale status
            }
            // An Event is a courtesy: losing one must not fail the reconcile that already did the work.
            LOG.warn("msg=\"event not recorded\" resource={}/{} reason={} code={}", resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), event.reason(), e.getCode());
        }
    }
}
