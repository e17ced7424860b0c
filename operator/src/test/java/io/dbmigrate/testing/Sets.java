package io.dbmigrate.testing;

import io.dbmigrate.api.v1alpha1.CanarySpec;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.SecretsGeneratorSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.fleet.ChildFactory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** DatabaseMigrationSets for tests: every field starts valid; the template is {@link Resources#migration()}'s spec. */
public final class Sets {
    public static final String SET = "tenants";
    public static final String SET_UID = "5d1c7a2b-3e4f-4a5b-8c6d-7e8f9a0b1c2d";

    private Sets() {
    }

    /** A tenant database, its credentials in the Secret of the same name. */
    public static TargetSpec target(String name) {
        return new TargetSpec(name, new DatabaseSpec("db-" + name + ".tenants.svc", 5432, name.replace('-', '_'),
                SslMode.PREFER, new CredentialsSecretRef(name, null, null)));
    }

    public static List<TargetSpec> targets(String... names) {
        List<TargetSpec> targets = new ArrayList<>();
        for (String name : names) {
            targets.add(target(name));
        }
        return targets;
    }

    public static DatabaseMigrationSpec template() {
        return Resources.migration().build().getSpec().withDatabase(null);
    }

    public static RolloutSpec rollout(Integer canary, RolloutGateSpec gate, Integer maxParallel, Integer maxFailures,
                                      Boolean suspend) {
        return new RolloutSpec(canary == null ? null : new CanarySpec(canary, null), gate, maxParallel, maxFailures,
                suspend);
    }

    public static GeneratorSpec list(List<TargetSpec> targets) {
        return GeneratorSpec.of(targets);
    }

    public static GeneratorSpec secrets(Map<String, String> labels) {
        return GeneratorSpec.of(new SecretsGeneratorSpec(labels, null));
    }

    /** A query on the catalog database, whose credentials the targets share. */
    public static QueryGeneratorSpec catalogQuery(String sql) {
        return new QueryGeneratorSpec(new DatabaseSpec("catalog.tenants.svc", 5432, "catalog", SslMode.PREFER,
                new CredentialsSecretRef("catalog", null, null)), sql, null, null, null);
    }

    /**
     * A list target's child as the planner writes it, at the set's generation, with a status of the given phase as the
     * DatabaseMigration reconciler would write it (none when {@code phase} is null).
     */
    public static DatabaseMigration child(DatabaseMigrationSet set, String target, boolean canary, Phase phase,
                                          Instant since) {
        TargetSpec spec = set.getSpec().generators().stream().filter(g -> g.list() != null)
                .flatMap(g -> g.list().stream()).filter(t -> t.name().equals(target)).findFirst().orElseThrow();
        DatabaseMigration child = ChildFactory.child(set, spec, canary);
        child.getMetadata().setUid("uid-" + target);
        child.getMetadata().setGeneration(1L);
        if (phase != null) {
            String at = since.toString();
            boolean ready = phase == Phase.Succeeded;
            boolean stalled = phase == Phase.Failed;
            child.setStatus(new DatabaseMigrationStatus(1L, phase, null, null, null, List.of(), null,
                    stalled ? "Upgrade failed at c3d4" : null, null, null, null,
                    List.of(new StatusCondition(StatusCondition.READY, ready ? "True" : "False", 1L, at,
                                    stalled ? "MigrationFailed" : ready ? "Succeeded" : "Migrating", null),
                            new StatusCondition(StatusCondition.STALLED, stalled ? "True" : "False", 1L, at,
                                    stalled ? "MigrationFailed" : "NotStalled", null)),
                    List.of(), null, null));
        }
        return child;
    }

    public static DatabaseMigrationSet set(RolloutSpec rollout, GeneratorSpec... generators) {
        return set(new DatabaseMigrationSetSpec(template(), List.of(generators), rollout), 1L, Map.of(), null);
    }

    public static DatabaseMigrationSet set(DatabaseMigrationSetSpec spec, long generation, Map<String, String> annotations,
                                           DatabaseMigrationSetStatus status) {
        DatabaseMigrationSet set = new DatabaseMigrationSet();
        set.setMetadata(new ObjectMetaBuilder().withName(SET).withNamespace(Resources.NAMESPACE).withUid(SET_UID)
                .withGeneration(generation).withAnnotations(annotations).build());
        set.setSpec(spec);
        set.setStatus(status);
        return set;
    }
}
