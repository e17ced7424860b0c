package io.dbmigrate.testing;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import java.util.Objects;

/**
 * kstatus's verdict on a custom resource (sigs.k8s.io/cli-utils/pkg/kstatus/status, generic.go and status.go), which
 * Flux's health checks use: its generic rules only, in their order. Kept to what docs/gitops.md describes, so tests
 * can say what Flux would see.
 */
public final class Kstatus {
    public enum Verdict { Terminating, InProgress, Failed, Current }

    private Kstatus() {
    }

    public static Verdict of(DatabaseMigration resource) {
        if (resource.getMetadata().getDeletionTimestamp() != null) {
            return Verdict.Terminating;
        }
        DatabaseMigrationStatus status = resource.getStatus();
        if (status == null) {
            return Verdict.Current; // no observedGeneration to compare, no conditions to read
        }
        if (status.observedGeneration() != null
                && !Objects.equals(status.observedGeneration(), resource.getMetadata().getGeneration())) {
            return Verdict.InProgress;
        }
        if (isTrue(status, StatusCondition.RECONCILING)) {
            return Verdict.InProgress;
        }
        if (isTrue(status, StatusCondition.STALLED)) {
            return Verdict.Failed;
        }
        return Verdict.Current;
    }

    private static boolean isTrue(DatabaseMigrationStatus status, String type) {
        return status.conditionsOrEmpty().stream().anyMatch(c -> type.equals(c.type()) && "True".equals(c.status()));
    }
}
