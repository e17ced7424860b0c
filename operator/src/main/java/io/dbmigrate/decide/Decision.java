package io.dbmigrate.decide;

import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.observe.JobObservation;
import java.time.Duration;
import java.time.Instant;

/** What the reconciler (or local mode) does next. The planner decides; the caller only carries it out. */
public sealed interface Decision {

  /** A decision about one step of the spec: which one is {@link #step()}. */
  sealed interface StepDecision extends Decision {
    StepEntry step();
  }

  /** A decision about a stamp of alembic_version (annotation or baseline): which one is {@link #run()}. */
  sealed interface StampDecision extends Decision {
    StampRun run();
  }

  /** The spec cannot run: nothing is created until it is edited. */
  record Stall(String reason, String message) implements Decision {
  }

  /** The credentials Secret is missing or incomplete: check again later, create nothing. */
  record WaitForSecret(String reason, String message) implements Decision {
  }

  /** Another Job of the resource still runs (an earlier generation's, a stamp's): the next one waits for its end. */
  record WaitForJob(String job) implements Decision {
  }

  /** spec.suspend holds the next step before its Job exists. */
  record Hold() implements Decision {
  }

  /**
   * Create the step's Job; {@code openedBy} says what opened its gate, null when it has none; {@code window} the
   * maintenance window it must fit in, null when it has none.
   */
  record CreateJob(StepEntry step, String openedBy, WindowSlot window) implements StepDecision {
    public CreateJob(StepEntry step, String openedBy) {
      this(step, openedBy, null);
    }
  }

  /**
   * The open maintenance window a step's Job runs in: its upgrade must not start with less than {@code expected} (null:
   * unknown) left before {@code closesAt}; the Job's runner checks again after its backup and rehearsal.
   */
  record WindowSlot(Instant closesAt, Duration expected) {
  }

  /**
   * A stamp of alembic_version, behind its own backup: an emergency repair asked for by annotation, or the adoption
   * spec.baseline asks for.
   *
   * @param requestedBy the annotation's field manager; null for a baseline or when unknown
   * @param requestedAt RFC 3339
   */
  record StampRun(Kind kind, String revision, String jobName, String requestedBy, String requestedAt) {
    /** What asked for the stamp. */
    public enum Kind { Annotation, Baseline }
  }

  /** Create the stamp's Job: nothing else of the resource runs meanwhile. */
  record CreateStampJob(StampRun run) implements StampDecision {
  }

  /**
   * A stamp whose Job was deleted before it ran, and whose annotation is gone or asks for another revision: taken
   * back, not created again.
   */
  record CancelStamp(StampRun run) implements StampDecision {
  }

  /** The stamp's Job runs, or has ended: status follows it. */
  record FollowStampJob(StampRun run, JobObservation job) implements StampDecision {
    /**
     * Its Job has ended and the migration goes on from it: a stamp by annotation to the annotation's removal and the
     * steps, a baseline that succeeded to the steps. A refused baseline holds them until the spec is edited.
     */
    public boolean goesOn() {
      return job.state() != JobObservation.State.Active
          && (run.kind() == StampRun.Kind.Annotation || job.state() == JobObservation.State.Succeeded);
    }
  }

  /** The step's Job exists and is running, or has failed: status follows it. */
  record FollowJob(StepEntry step, JobObservation job) implements StepDecision {
  }

  /**
   * The step's Job, recorded in status as started, is gone before its end was seen: the step failed with an unknown
   * outcome, and is not run again in this generation.
   */
  record JobLost(StepEntry step) implements StepDecision {
  }

  /** Create the Job that plans a gated step before its gate can open. */
  record CreatePlanJob(StepEntry step) implements StepDecision {
  }

  /** The step's plan Job runs, or has failed. */
  record FollowPlanJob(StepEntry step, JobObservation job) implements StepDecision {
  }

  /**
   * The step's gate is closed. {@code publish} is the plan to write to the step's ConfigMap now, the first time it is
   * seen; null once it is recorded in status.
   */
  record AwaitGate(StepEntry step, String reason, String waitingFor, PlanResult publish, Instant nextWindow)
      implements StepDecision {
    public AwaitGate(StepEntry step, String reason, String waitingFor, PlanResult publish) {
      this(step, reason, waitingFor, publish, null);
    }

    /** Whether this reconcile shows the step's plan for the first time. */
    public boolean publishes() {
      return publish != null;
    }
  }

  /** Every step has ended (succeeded, or one failed and its Job is gone): nothing to do. */
  record Finished() implements Decision {
  }
}
