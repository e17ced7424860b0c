package io.dbmigrate.operator;

import static io.dbmigrate.testing.Resources.NAMESPACE;
import static io.dbmigrate.testing.Resources.SECRET;
import static io.dbmigrate.testing.Resources.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.testing.MockApiServer;
import io.dbmigrate.testing.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The credentials Secret is read when the planner asks for it, once, and not when the observation is made: a
 * resource at rest is reconciled every few minutes, and its Secret matters only before a Job starts.
 */
class ClusterObserverTest {
    private MockApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = MockApiServer.start();
        client = server.client();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsTheSecretWhenThePlannerAsksAndOnlyOnce() {
        DatabaseMigration resource = Resources.migration().build();
        Observation observation = new ClusterObserver(client, Clock.fixed(T0, ZoneOffset.UTC))
                .observe(resource, InformerContext.of(Map.of(Job.class, List::of, Pod.class,
                        List::of)), true);

        // Made after the observation: an observation that read it then would say it is missing.
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .endMetadata().withStringData(Map.of("username", "app", "password", "secret")).build()).create();
        assertEquals(SecretObservation.PRESENT, observation.secret());

        client.secrets().inNamespace(NAMESPACE).withName(SECRET).delete();
        assertEquals(SecretObservation.PRESENT, observation.secret(), "read once per observation");
        assertEquals(SecretObservation.PRESENT, observation.at(T0.plusSeconds(1)).secret(), "and its copies");
    }
}
