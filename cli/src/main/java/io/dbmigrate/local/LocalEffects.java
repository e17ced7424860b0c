package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.Effects;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.decide.StampRequests;
import io.dbmigrate.observe.JobObservation;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A reconcile's effects in process: a Job is created by running it to its end ({@link LocalJobs}), and the
 * annotations are changed on the resource in memory, as the operator changes them on the API server.
 */
final class LocalEffects implements Effects {
    private final LocalJobs runner;
    private final Consumer<Map<String, JobObservation>> running;
    private final Map<String, JobObservation> jobs = new HashMap<>();

    /** @param running the Jobs as a reconcile would see them while one runs, each time its pod moves on */
    LocalEffects(LocalJobs runner, Consumer<Map<String, JobObservation>> running) {
        this.runner = runner;
        this.running = running;
    }

    /** Every Job run so far, by name, as it ended. */
    Map<String, JobObservation> jobs() {
        return Map.copyOf(jobs);
    }

    @Override
    public void createJob(DatabaseMigration resource, Decision.CreateJob create) {
        ended(runner.runJob(resource, create, active -> {
            Map<String, JobObservation> seen = new HashMap<>(jobs);
            seen.put(active.name(), active);
            running.accept(seen);
        }));
    }

    @Override
    public void createPlanJob(DatabaseMigration resource, Decision.CreatePlanJob plan) {
        ended(runner.runPlan(resource, plan.step()));
    }

    @Override
    public void createStampJob(DatabaseMigration resource, Decision.CreateStampJob stamp) {
        ended(runner.runStamp(resource, stamp.run()));
    }

    private void ended(JobObservation job) {
        jobs.put(job.name(), job);
    }

    // As the operator does: an approval opens one run of its step, so the resource printed at the end shows none left.
    @Override
    public void spendApprovals(DatabaseMigration resource, Set<String> steps) {
        setApprovals(resource, Gates.remainingApprovals(resource, steps));
    }

    @Override
    public void removeStampAnnotation(DatabaseMigration resource, String value) {
        Map<String, String> annotations = new HashMap<>(resource.getMetadata().getAnnotations());
        annotations.remove(StampRequests.STAMP_ANNOTATION);
        resource.getMetadata().setAnnotations(annotations);
    }

    /** {@code --approve STEP}: the step added to the approve annotation, as {@code kubectl annotate} would. */
    static void approve(DatabaseMigration resource, String step) {
        Set<String> all = new TreeSet<>(Gates.approvedSteps(resource));
        all.add(step);
        setApprovals(resource, String.join(",", all));
    }

    // The dbmigrate.io/approve annotation set to this list of steps, or removed when it is null.
    private static void setApprovals(DatabaseMigration resource, String steps) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(resource.getMetadata().getAnnotations());
        if (steps == null) {
            annotations.remove(Gates.APPROVE_ANNOTATION);
        } else {
            annotations.put(Gates.APPROVE_ANNOTATION, steps);
        }
        resource.getMetadata().setAnnotations(annotations);
    }
}
