package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.naming.ChildNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A target's DatabaseMigration as the set wants it: the template with the target's database, named
 * {@link ChildNames}, labelled with the set, owned by it (deleting the set deletes its children and so their Jobs), and
 * annotated with its target, the set generation it was written for, and whether it is a canary.
 */
public final class ChildFactory {
    private ChildFactory() {
    }

    public static DatabaseMigration child(DatabaseMigrationSet set, TargetSpec target, boolean canary) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(DatabaseMigrationSet.TARGET_ANNOTATION, target.name());
        annotations.put(DatabaseMigrationSet.SET_GENERATION_ANNOTATION, String.valueOf(RolloutPlanner.generation(set)));
        if (canary) {
            annotations.put(DatabaseMigrationSet.CANARY_ANNOTATION, "true");
        }
        DatabaseMigration child = new DatabaseMigration();
        child.setMetadata(new ObjectMetaBuilder()
                .withName(ChildNames.of(set.getMetadata().getName(), target.name()))
                .withNamespace(set.getMetadata().getNamespace())
                .withLabels(Map.of(DatabaseMigrationSet.LABEL_SET, set.getMetadata().getName()))
                .withAnnotations(annotations)
                .withOwnerReferences(owner(set))
                .build());
        child.setSpec(set.getSpec().template().withDatabase(target.database()));
        return child;
    }

    /** Whether the child is the set's: its controller reference names the set's uid. */
    public static boolean owns(DatabaseMigrationSet set, DatabaseMigration child) {
        return child.getMetadata().getOwnerReferences() != null && child.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> Boolean.TRUE.equals(ref.getController()) && set.getMetadata().getUid() != null
                        && set.getMetadata().getUid().equals(ref.getUid()));
    }

    private static OwnerReference owner(DatabaseMigrationSet set) {
        return new OwnerReferenceBuilder()
                .withApiVersion(DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION)
                .withKind("DatabaseMigrationSet")
                .withName(set.getMetadata().getName())
                .withUid(set.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}
