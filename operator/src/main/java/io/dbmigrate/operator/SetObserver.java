package io.dbmigrate.operator;

import static java.util.stream.Collectors.toSet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.fleet.CatalogRead;
import io.dbmigrate.fleet.DatabaseSecret;
import io.dbmigrate.fleet.SetObservation;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a set's reconcile knows: its children and, for each secrets generator, the Secrets its selector matches, from
 * informer caches (slim: see {@link DatabaseSecretStore}), so a set at rest costs no API request; and for each query
 * generator its catalog's rows ({@link CatalogReader}, read again once an interval).
 */
record SetObserver(Clock clock, CatalogReader catalogs) {
    static final String SECRETS = "secrets";

    /** @param valid whether the spec is valid: an invalid one's selectors are not read */
    SetObservation observe(DatabaseMigrationSet set, Context<DatabaseMigrationSet> context, boolean valid) {
        Map<Integer, List<DatabaseSecret>> secrets = new HashMap<>();
        Map<Integer, CatalogRead> reads = new HashMap<>();
        String namespace = set.getMetadata().getNamespace();
        List<GeneratorSpec> generators = valid ? set.getSpec().generatorsOrEmpty() : List.of();
        for (int i = 0; i < generators.size(); i++) {
            GeneratorSpec generator = generators.get(i);
            if (generator.secrets() != null) {
                Map<String, String> selector = generator.secrets().matchLabels();
                secrets.put(i, secretInformer(context).list(namespace, s -> matches(selector, s))
                        .map(DatabaseSecret::of).toList());
            } else if (generator.query() != null) {
                reads.put(i, catalogs.read(namespace, set.getMetadata().getUid(), i, generator.query()));
            }
        }
        Set<String> liveSets = context.getPrimaryCache().list().map(s -> s.getMetadata().getUid()).collect(toSet());
        catalogs.forgetUnused(set.getMetadata().getUid(), reads.keySet(), liveSets);
        List<DatabaseMigration> children = List.copyOf(context.getSecondaryResources(DatabaseMigration.class));
        return new SetObservation(set, secrets, reads, children, clock.instant());
    }

    /** Whether one of the set's secrets generators selects the Secret. */
    static boolean selects(DatabaseMigrationSet set, Secret secret) {
        return set.getSpec() != null && set.getSpec().generatorsOrEmpty().stream()
                .anyMatch(g -> g.secrets() != null && matches(g.secrets().matchLabels(), secret));
    }

    private static boolean matches(Map<String, String> selector, Secret secret) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return selector != null && !selector.isEmpty() && labels != null
                && labels.entrySet().containsAll(selector.entrySet());
    }

    @SuppressWarnings("unchecked")
    private static InformerEventSource<Secret, DatabaseMigrationSet> secretInformer(Context<DatabaseMigrationSet> context) {
        return (InformerEventSource<Secret, DatabaseMigrationSet>) context.eventSourceRetriever()
                .getEventSourceFor(Secret.class, SECRETS);
    }
}
