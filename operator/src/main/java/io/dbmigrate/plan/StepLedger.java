package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.StepStatus;
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
      String jobName = spec.phased() ? JobNames.forStep(name, uid, generation, step.name())
          : JobNames.forGeneration(name, uid, generation);
      String planJobName = JobNames.forPlan(name, uid, generation, step.name());
      String fingerprint = Fingerprint.of(spec, step);
      StepStatus recorded = previous.stepsOrEmpty().stream()
          .filter(s -> step.name().equals(s.name()))
          .filter(s -> sameGeneration
              // A later edit that left this step's database, image and target alone does not run it again.
              || (s.phase() == Phase.Succeeded && fingerprint.equals(s.fingerprint())))
          .findFirst()
          .orElse(null);
      entries.add(new StepEntry(i, step, jobName, planJobName, JobNames.planConfigMap(name, uid, step.name()), fingerprint, recorded,
          observation.jobs().get(jobName), step.gated() ? observation.jobs().get(planJobName) : null));
    }
    return entries;
  }
}
