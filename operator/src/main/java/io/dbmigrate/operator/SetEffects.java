package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.fleet.ChildWrite;
import io.dbmigrate.fleet.RolloutPlanner;
import io.dbmigrate.fleet.SetReason;
import io.dbmigrate.fleet.SetReconciliation;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set reconcile's effects as API writes: its children created, updated or made anew, in rollout order; then the
 * retry and approval annotations it used up, each patched only if it still holds what was read.
 */
record SetEffects(KubernetesClient client, EventRecorder events) {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrationSetReconciler.class);
    private static final List<String> SET_ANNOTATIONS = List.of(DatabaseMigrationSet.TARGET_ANNOTATION,
            DatabaseMigrationSet.SET_GENERATION_ANNOTATION, DatabaseMigrationSet.CANARY_ANNOTATION);

    void carryOut(SetReconciliation outcome) {
        DatabaseMigrationSet set = outcome.set();
        for (ChildWrite write : outcome.writes()) {
            switch (write.kind()) {
                case CREATE -> create(set, write.child());
                case UPDATE -> update(set, write.child());
                case RECREATE -> recreate(set, write);
            }
            event(set, write);
        }
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        if (!outcome.spentRetries().isEmpty()) {
            spend(set, DatabaseMigrationSet.RETRY_ANNOTATION, annotations.get(DatabaseMigrationSet.RETRY_ANNOTATION),
                    outcome.spentRetries());
        }
        if (outcome.spendsApproval()) {
            spend(set, Gates.APPROVE_ANNOTATION, annotations.get(Gates.APPROVE_ANNOTATION), Set.of(RolloutGateSpec.CANARY));
        }
    }

    private Resource<DatabaseMigration> child(DatabaseMigration child) {
        return client.resources(DatabaseMigration.class).inNamespace(child.getMetadata().getNamespace())
                .withName(child.getMetadata().getName());
    }

    private void create(DatabaseMigrationSet set, DatabaseMigration child) {
        try {
            client.resource(child).create();
            log("created", set, child);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw RefusedWrite.orRethrow("DatabaseMigration " + child.getMetadata().getName(), e);
            }
            // Made by an earlier reconcile the informer has not shown yet, or still going after a delete: the name is
            // the guarantee of one child, and its event brings the next reconcile.
            log("exists", set, child);
        }
    }

    // A child of an older set generation gets this generation's spec and annotations; its own reconciler then runs
    // the new generation with a backup first, as for any edit of a DatabaseMigration.
    private void update(DatabaseMigrationSet set, DatabaseMigration wanted) {
        try {
            child(wanted).edit(existing -> {
                Map<String, String> annotations = existing.getMetadata().getAnnotations() == null ? new HashMap<>()
                        : new HashMap<>(existing.getMetadata().getAnnotations());
                SET_ANNOTATIONS.forEach(annotations::remove);
                annotations.putAll(wanted.getMetadata().getAnnotations());
                existing.getMetadata().setAnnotations(annotations);
                existing.setSpec(wanted.getSpec());
                return existing;
            });
            log("updated", set, wanted);
        } catch (KubernetesClientException e) {
            throw RefusedWrite.orRethrow("DatabaseMigration " + wanted.getMetadata().getName(), e);
        }
    }

    // A failed generation is final: the retry deletes the child, if it is still the failed one (its uid, and the
    // resourceVersion read as the delete's precondition), and creates it anew (a new uid, so new Job names). Its old
    // Jobs go with it through their owner reference.
    private void recreate(DatabaseMigrationSet set, ChildWrite write) {
        DatabaseMigration existing = child(write.child()).get();
        if (existing != null && !write.replacesUid().equals(existing.getMetadata().getUid())) {
            log("already retried", set, write.child());
            return;
        }
        if (existing != null) {
            try {
                child(write.child()).lockResourceVersion(existing.getMetadata().getResourceVersion()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                // Changed since it was read: its event brings the next reconcile, which decides again.
                log("changed before the retry's delete", set, write.child());
                return;
            }
            log("deleted for a retry", set, write.child());
        }
        create(set, write.child());
    }

    // One per write, named by its message: a reconcile that repeats a write from a stale cache tells it once.
    private void event(DatabaseMigrationSet set, ChildWrite write) {
        String target = write.child().getMetadata().getAnnotations().get(DatabaseMigrationSet.TARGET_ANNOTATION);
        boolean canary = write.child().getMetadata().getAnnotations().containsKey(DatabaseMigrationSet.CANARY_ANNOTATION);
        String what = write.kind() == ChildWrite.Kind.RECREATE ? "made anew for the retry annotation"
                : write.kind() == ChildWrite.Kind.UPDATE ? "given generation " + RolloutPlanner.generation(set) + "'s spec"
                : "created";
        events.record(set, new TransitionEvent(TransitionEvent.Type.Normal,
                (write.kind() == ChildWrite.Kind.RECREATE ? SetReason.TargetRetried : SetReason.TargetStarted).name(),
                "Target " + target + (canary ? " (canary)" : "") + ": DatabaseMigration " + write.name() + " " + what));
    }

    private void spend(DatabaseMigrationSet set, String key, String read, Set<String> spent) {
        String left = Gates.listed(set.getMetadata().getAnnotations(), key).stream().filter(name -> !spent.contains(name))
                .collect(Collectors.joining(","));
        ApprovalAnnotation.patchIfUnchanged(client, DatabaseMigrationSet.class, set, key,
                ApprovalAnnotation.patch(key, null, read, left.isEmpty() ? null : left));
    }

    private static void log(String what, DatabaseMigrationSet set, DatabaseMigration child) {
        LOG.info("msg=\"child {}\" set={}/{} migration={} target={}", what, set.getMetadata().getNamespace(),
                set.getMetadata().getName(), child.getMetadata().getName(),
                child.getMetadata().getAnnotations().get(DatabaseMigrationSet.TARGET_ANNOTATION));
    }
}
