package io.dbmigrate.decide;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.HistoryEntry;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.naming.JobNames;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the steps of the observed generation: for each, its Job names, its fingerprint, what status recorded of it,
 * and its Jobs. Pure. The planner decides from it and the aggregator writes status from it, so both see the same steps.
 */
public final class StepLedger {

    private StepLedger() {
    }

    public static List<StepEntry> read(Observation observation) {
        DatabaseMigration resource = observation.resource();
        DatabaseMigrationSpec spec = resource.getSpec();
        long generation = MigrationPlanner.generation(resource);
        DatabaseMigrationStatus previous = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY : resource.getStatus();
        boolean sameGeneration = Objects.equals(previous.observedGeneration(), generation);
        String name = resource.getMetadata().getName();
        String uid = resource.getMetadata().getUid();

        List<StepEntry> entries = new ArrayList<>();
        List<StepSpec> steps = spec.stepsOrSingle();
        for (int i = 0; i < steps.size(); i++) {
            StepSpec step = steps.get(i);
            String planJobName = JobNames.forPlan(name, uid, generation, step.name());
            String fingerprint = Fingerprint.of(spec, step);
            StepStatus recorded = previous.stepsOrEmpty().stream()
                    .filter(s -> step.name().equals(s.name()))
                    .filter(s -> sameGeneration
                            // A later edit that left this step's database, image and target alone does not run it again.
                            || (s.phase() == Phase.Succeeded && fingerprint.equals(s.fingerprint())))
                    .findFirst()
                    .orElse(null);
            // A Job that found its maintenance window too short ran nothing: the step's next Job is the next window's.
            List<JobObservation> deferred = new ArrayList<>();
            int window = 1;
            String jobName = jobName(spec, name, uid, generation, step, window);
            boolean windowed = step.gate() != null && step.gate().window() != null;
            while (windowed && StepEntry.deferredByWindow(observation.jobs().get(jobName))) {
                deferred.add(observation.jobs().get(jobName));
                window++;
                jobName = jobName(spec, name, uid, generation, step, window);
            }
            entries.add(new StepEntry(i, step, jobName, planJobName, JobNames.planConfigMap(name, uid, step.name()),
                    fingerprint, recorded, observation.jobs().get(jobName),
                    spec.planned(step) ? observation.jobs().get(planJobName) : null,
                    deferred, expectedDuration(fingerprint, deferred, recorded, previous.historyOrEmpty()),
                    spec.planned(step), spec.lintOrDefault()));
        }
        return entries;
    }

    private static String jobName(DatabaseMigrationSpec spec, String name, String uid, long generation, StepSpec step,
                                                                int window) {
        return spec.phased() ? JobNames.forStep(name, uid, generation, step.name(), window)
                : JobNames.forGeneration(name, uid, generation);
    }

    /**
     * The step's expected duration: the upgrade of its latest passed rehearsal, measured in a Job of this generation,
     * recorded in its status, or in the history of an earlier run of the same step (same fingerprint: the same target
     * of the same image on the same database; another target's duration says nothing); null when it never rehearsed.
     */
    static Duration expectedDuration(String fingerprint, List<JobObservation> deferred, StepStatus recorded,
                                                                      List<HistoryEntry> history) {
        for (int i = deferred.size() - 1; i >= 0; i--) {
            RehearsalResult measured = StepEntry.rehearsalOf(deferred.get(i));
            if (measured != null && measured.passed() && measured.upgradeMillis() != null) {
                return Duration.ofMillis(measured.upgradeMillis());
            }
        }
        RehearsalStatus own = recorded == null ? null : recorded.rehearsal();
        if (own != null && own.passed() && own.duration() != null) {
            return parse(own.duration());
        }
        for (int i = history.size() - 1; i >= 0; i--) {
            HistoryEntry entry = history.get(i);
            if (HistoryEntry.STEP.equals(entry.kind()) && fingerprint.equals(entry.fingerprint())
                    && RehearsalStatus.PASSED.equals(entry.rehearsal()) && entry.rehearsalDuration() != null) {
                return parse(entry.rehearsalDuration());
            }
        }
        return null;
    }

    private static Duration parse(String text) {
        try {
            return Durations.parse("rehearsal duration", text);
        } catch (RunnerException e) {
            return null; // written by us; a status edited by hand only loses the estimate
        }
    }
}
