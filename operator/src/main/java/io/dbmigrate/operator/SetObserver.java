package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.fleet.DatabaseSecret;
import io.dbmigrate.fleet.SetObservation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a set's reconcile knows: its children from the informer, and for each secrets generator the Secrets its
 * selector matches, listed from the API server (a list per reconcile, instead of a watch on every Secret).
 */
final class SetObserver {
    private final KubernetesClient client;
    private final Clock clock;

    SetObserver(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** @param valid whether the spec is valid: an invalid one's selectors are not listed */
    SetObservation observe(DatabaseMigrationSet set, Context<DatabaseMigrationSet> context, boolean valid) {
        Map<Integer, List<DatabaseSecret>> secrets = new HashMap<>();
        List<GeneratorSpec> generators = valid ? set.getSpec().generatorsOrEmpty() : List.of();
        for (int i = 0; i < generators.size(); i++) {
            if (generators.get(i).secrets() != null) {
                secrets.put(i, client.secrets().inNamespace(set.getMetadata().getNamespace())
                        .withLabels(generators.get(i).secrets().matchLabels()).list().getItems().stream()
                        .map(DatabaseSecret::of).toList());
            }
        }
        List<DatabaseMigration> children = List.copyOf(context.getSecondaryResources(DatabaseMigration.class));
        return new SetObservation(set, secrets, children, clock.instant());
    }
}
