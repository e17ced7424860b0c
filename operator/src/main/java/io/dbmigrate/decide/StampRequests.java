package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The stamps asked for: an emergency repair by annotation ({@code kubectl annotate dbmigration crm
 * dbmigrate.io/stamp=<revision>}), and the adoption spec.baseline asks for. Pure. A stamp runs only while no other
 * Job of the resource runs, and behind its own backup; the annotation is removed once status records the stamp.
 */
public final class StampRequests {
    public static final String STAMP_ANNOTATION = "dbmigrate.io/stamp";

    private StampRequests() {
    }

    /** The stamp annotation, with who set it and when as the API server's managedFields tell (null when they don't). */
    public record Requested(String revision, String manager, String time) {
    }

    /** The stamp to run or follow now, if any; before the steps, whose Jobs it never runs beside. */
    public static Optional<Decision> decide(Observation observation) {
        DatabaseMigration resource = observation.resource();
        DatabaseMigrationStatus status = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
        StampStatus last = status.lastStamp();
        Optional<Requested> requested = requested(resource);
        if (last != null && !last.finished() && last.job() != null) {
            Decision.StampRun run = new Decision.StampRun(Decision.StampRun.Kind.Annotation, last.revision(), last.job(),
                    last.requestedBy(), last.requestedAt());
            JobObservation job = observation.jobs().get(last.job());
            if (job != null) {
                return Optional.of(new Decision.FollowStampJob(run, job));
            }
            boolean stillAsked = requested.map(r -> r.revision().equals(last.revision())).orElse(false);
            return Optional.of(stillAsked ? new Decision.CreateStampJob(run) : new Decision.CancelStamp(run));
        }
        if (requested.isEmpty() || done(last, requested.get()) || observation.anyJobActive()) {
            return Optional.empty();
        }
        Requested r = requested.get();
        String job = JobNames.forStamp(resource.getMetadata().getName(), resource.getMetadata().getUid(), r.revision(),
                last == null ? null : last.job());
        return Optional.of(new Decision.CreateStampJob(new Decision.StampRun(Decision.StampRun.Kind.Annotation,
                r.revision(), job, r.manager(), r.time() != null ? r.time() : StatusAggregator.timestamp(observation.now()))));
    }

    /** spec.baseline's adoption, while it has not succeeded: its Job, created or followed. */
    public static Optional<Decision> baseline(Observation observation) {
        DatabaseMigration resource = observation.resource();
        String revision = resource.getSpec().baseline();
        if (revision == null) {
            return Optional.empty();
        }
        DatabaseMigrationStatus status = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
        StampStatus done = status.baseline();
        if (done != null && revision.equals(done.revision()) && done.phase() == Phase.Succeeded) {
            return Optional.empty();
        }
        String job = JobNames.forBaseline(resource.getMetadata().getName(), resource.getMetadata().getUid(),
                MigrationPlanner.generation(resource), revision);
        Decision.StampRun run = new Decision.StampRun(Decision.StampRun.Kind.Baseline, revision, job, null, null);
        JobObservation observed = observation.jobs().get(job);
        return Optional.of(observed == null ? new Decision.CreateStampJob(run) : new Decision.FollowStampJob(run, observed));
    }

    /**
     * The annotation's value when status already records its stamp as ended: the reconciler removes it (testing the
     * value, so a new request made meanwhile stays).
     */
    static Optional<String> spentAnnotation(DatabaseMigration resource) {
        Optional<Requested> requested = requested(resource);
        StampStatus last = resource.getStatus() == null ? null : resource.getStatus().lastStamp();
        // The value as it stands: the removal tests it, and a value with spaces around the revision must match too.
        return requested.filter(r -> done(last, r)).map(r -> resource.getMetadata().getAnnotations().get(STAMP_ANNOTATION));
    }

    /**
     * Whether the ended stamp in status is this request's. Without managedFields (an API server that keeps none) the
     * same revision is taken for the same request: stamping the same revision twice in a row changes nothing anyway.
     */
    static boolean done(StampStatus last, Requested requested) {
        return last != null && last.finished() && requested.revision().equals(last.revision())
                && (requested.time() == null || Objects.equals(requested.time(), last.requestedAt()));
    }

    public static Optional<Requested> requested(DatabaseMigration resource) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(STAMP_ANNOTATION);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Optional<ManagedFieldsEntry> setter = setter(resource.getMetadata().getManagedFields());
        return Optional.of(new Requested(value.strip(), setter.map(ManagedFieldsEntry::getManager).orElse(null),
                setter.map(ManagedFieldsEntry::getTime).orElse(null)));
    }

    // The field manager that owns the annotation: the one that set it last when several touched it.
    private static Optional<ManagedFieldsEntry> setter(List<ManagedFieldsEntry> entries) {
        if (entries == null) {
            return Optional.empty();
        }
        return entries.stream()
                .filter(e -> e.getFieldsV1() != null && ownsAnnotation(e.getFieldsV1().getAdditionalProperties()))
                .max(Comparator.comparing((ManagedFieldsEntry e) -> e.getTime() == null ? "" : e.getTime()));
    }

    private static boolean ownsAnnotation(Map<String, Object> fields) {
        Object metadata = fields == null ? null : fields.get("f:metadata");
        Object annotations = metadata instanceof Map<?, ?> m ? m.get("f:annotations") : null;
        return annotations instanceof Map<?, ?> a && a.containsKey("f:" + STAMP_ANNOTATION);
    }
}
