package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.GateSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Whether a step's gate is open. Pure: approvals come from the resource, rollouts from the observation. */
public final class Gates {
  /** Comma-separated step names; `kubectl annotate dbmigration NAME dbmigrate.io/approve=contract`. */
  public static final String APPROVE_ANNOTATION = "dbmigrate.io/approve";
  public static final String OPENED_BY_ANNOTATION = "annotation " + APPROVE_ANNOTATION;
  public static final String OPENED_BY_SPEC = "spec gate.approval.approved";

  private Gates() {
  }

  /**
   * A gate's verdict.
   *
   * @param openedBy   what opened it, when open
   * @param reason     AwaitingApproval or AwaitingRollout, when closed
   * @param waitingFor what it waits for, for people, when closed
   */
  public record Verdict(boolean open, String openedBy, String reason, String waitingFor) {
  }

  public static Verdict check(Observation observation, StepEntry step) {
    GateSpec gate = step.spec().gate();
    List<String> waiting = new ArrayList<>();
    List<String> opened = new ArrayList<>();
    String reason = null;
    if (gate.approval() != null) {
      if (gate.approval().approvedInSpec()) {
        opened.add(OPENED_BY_SPEC);
      } else if (approvedSteps(observation.resource()).contains(step.name())) {
        opened.add(OPENED_BY_ANNOTATION);
      } else {
        reason = Reasons.AWAITING_APPROVAL;
        waiting.add("approval (kubectl annotate dbmigration " + observation.resource().getMetadata().getName() + " "
            + APPROVE_ANNOTATION + "=" + step.name() + ")");
      }
    }
    if (gate.deploymentRollout() != null) {
      String name = gate.deploymentRollout().name();
      RolloutObservation rollout = observation.rollouts().getOrDefault(name, RolloutObservation.missing(name));
      if (rollout.complete()) {
        opened.add("rollout of Deployment " + name);
      } else {
        reason = reason == null ? Reasons.AWAITING_ROLLOUT : reason;
        waiting.add("rollout of Deployment " + name + " (" + rollout.detail() + ")");
      }
    }
    if (!waiting.isEmpty()) {
      return new Verdict(false, null, reason, String.join(" and ", waiting));
    }
    return new Verdict(true, String.join(", ", opened), null, null);
  }

  /** The step names the approve annotation lists. */
  public static Set<String> approvedSteps(DatabaseMigration resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(APPROVE_ANNOTATION);
    if (value == null) {
      return Set.of();
    }
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
  }
}
