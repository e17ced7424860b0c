package io.dbmigrate.plan;

import io.dbmigrate.decide.StepEntry;
import io.dbmigrate.decide.Decision;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the runner is asked to do for one step, from the spec: the Job's arguments and local mode's in-process request
 * are both made from this, so a cluster and a laptop run the same migration.
 *
 * @param expectFrom null, or the revision(s) the database must be at for the upgrade to run
 *                   ({@code --expect-from}): for a gated step, where its approved plan started
 * @param window     null, or the maintenance window the upgrade must fit in ({@code --window-closes-at})
 * @param afterBackup a backup container precedes the upgrade in its pod (spec.backup.mode Required): the upgrade runs
 *                   only from the revision that backup was taken at ({@code --expect-backup})
 */
public record StepCommand(String target, LockSafety safety, List<VerifyQuery> verify, OnFailure onFailure,
                          boolean allowDowngrade, String expectFrom, Decision.WindowSlot window, boolean afterBackup) {

  /**
   * The step's Job's command. A gated step runs only from the revision its recorded plan started from, so what runs is
   * what was approved; if the database moved since, the runner refuses (PlanOutdated) and nothing runs. The planner
   * creates a gated step's Job only once its plan is recorded; without a recorded plan nothing is expected.
   */
  public static StepCommand of(DatabaseMigrationSpec spec, StepEntry step) {
    return of(spec, step, null);
  }

  /** The same, for a Job created in an open maintenance window (null: none). */
  public static StepCommand of(DatabaseMigrationSpec spec, StepEntry step, Decision.WindowSlot window) {
    StepCommand command = of(spec, step.spec()).withinWindow(window);
    if (step.spec().gated() && step.planRecorded() && step.recorded().plan().fromRevision() != null) {
      return command.expectingFrom(step.recorded().plan().fromRevision());
    }
    return command;
  }

  /** The same, run only when the database is at exactly these revision(s). */
  public StepCommand expectingFrom(String revisions) {
    return new StepCommand(target, safety, verify, onFailure, allowDowngrade, revisions, window, afterBackup);
  }

  /** The same, run only with the expected duration left in this window (null: no window). */
  public StepCommand withinWindow(Decision.WindowSlot slot) {
    return new StepCommand(target, safety, verify, onFailure, allowDowngrade, expectFrom, slot, afterBackup);
  }

  /** The command of a step from the spec alone: no expected revision (a plan Job's, an ungated step's). */
  public static StepCommand of(DatabaseMigrationSpec spec, StepSpec step) {
    SafetySpec safety = spec.safetyOrDefault();
    LockSafety lockSafety = new LockSafety(
        duration("spec.safety.lockTimeout", safety.lockTimeout(), LockSafety.DEFAULT_LOCK_TIMEOUT),
        safety.lockRetries() == null ? LockSafety.DEFAULT_LOCK_RETRIES : safety.lockRetries(),
        duration("spec.safety.statementTimeout", safety.statementTimeout(), LockSafety.DEFAULT_STATEMENT_TIMEOUT),
        LockSafety.DEFAULT_LOCK_WAIT);
    List<VerifyQuery> verify = new ArrayList<>();
    for (VerifyQuerySpec query : spec.verifyOrEmpty()) {
      verify.add(new VerifyQuery(query.name(), query.sql()));
    }
    for (VerifyQuerySpec query : step.verifyOrEmpty()) {
      verify.add(new VerifyQuery(query.name(), query.sql()));
    }
    return new StepCommand(step.targetRevision(), lockSafety, List.copyOf(verify), spec.onFailureOrDefault(),
        spec.downgradeAllowed(),
        null, null, spec.backupOrDefault().modeOrDefault() == BackupSpec.BackupMode.Required);
  }

  /** Arguments of {@code dbmigrate-runner upgrade}. */
  public List<String> upgradeArguments(String migrationsPath) {
    List<String> args = new ArrayList<>(List.of("upgrade"));
    args.addAll(targetAndSafety(migrationsPath));
    args.addAll(List.of("--on-failure", onFailure.name().toLowerCase(java.util.Locale.ROOT)));
    if (afterBackup) {
      // The backup container wrote the revision it was taken at to the pod's /tmp.
      args.add("--expect-backup");
    }
    args.addAll(checks());
    if (window != null) {
      args.addAll(List.of("--window-closes-at", window.closesAt().toString()));
      if (window.expected() != null) {
        args.addAll(List.of("--expected-duration", Durations.format(window.expected())));
      }
    }
    return args;
  }

  /**
   * Arguments of {@code dbmigrate-runner rehearse}: the step's own upgrade, with the same safety settings and
   * verification queries, on a copy restored from the archive the pod's backup container just wrote.
   */
  public List<String> rehearseArguments(String migrationsPath, String backupDir, String name, String label,
                                        boolean roundTrip) {
    List<String> args = new ArrayList<>(List.of("rehearse", "--dir", backupDir, "--name", name, "--label", label));
    args.addAll(targetAndSafety(migrationsPath));
    args.addAll(checks());
    if (roundTrip) {
      args.add("--round-trip");
    }
    return args;
  }

  private List<String> targetAndSafety(String migrationsPath) {
    return List.of("--migrations", migrationsPath, "--target", target,
        "--lock-timeout", Durations.format(safety.lockTimeout()),
        "--lock-retries", Integer.toString(safety.lockRetries()),
        "--statement-timeout", Durations.format(safety.statementTimeout()));
  }

  // Verification, downgrade permission and the revision the run must start from: upgrade's and rehearse's alike.
  private List<String> checks() {
    List<String> args = new ArrayList<>();
    for (VerifyQuery query : verify) {
      // One argument each, never through a shell: the SQL needs no quoting.
      args.add("--verify");
      args.add(query.name() + "=" + query.sql());
    }
    if (allowDowngrade) {
      args.add("--allow-downgrade");
    }
    if (expectFrom != null) {
      args.add("--expect-from");
      args.add(expectFrom);
    }
    return args;
  }

  /** Options of {@code dbmigrate-runner backup} that make it refuse a target the scripts do not have, before any dump. */
  public List<String> targetCheckArguments(String migrationsPath) {
    return List.of("--migrations", migrationsPath, "--target", target);
  }

  /** Arguments of {@code dbmigrate-runner plan}. */
  public List<String> planArguments(String migrationsPath) {
    List<String> args = new ArrayList<>(List.of("plan", "--migrations", migrationsPath, "--target", target));
    if (allowDowngrade) {
      args.add("--allow-downgrade");
    }
    return args;
  }

  /** The same, for the runner in-process (local mode). */
  public UpgradeRequest request(Path migrations) {
    UpgradeRequest request = new UpgradeRequest(migrations, target, safety, verify, onFailure, allowDowngrade,
        expectFrom);
    return window == null ? request : request.withinWindow(window.closesAt(), window.expected());
  }

  /** {@link #rehearseArguments}, for the runner in-process (local mode), on a known archive. */
  public RehearsalRequest rehearsalRequest(Path migrations, Path archive, String name, boolean roundTrip) {
    return new RehearsalRequest(archive, archive.getParent(), name, null,
        new UpgradeRequest(migrations, target, safety, verify, OnFailure.HALT, allowDowngrade, expectFrom), roundTrip);
  }

  /** {@link #planArguments}, for the runner in-process (local mode). */
  public PlanRequest planRequest(Path migrations) {
    return new PlanRequest(migrations, target, allowDowngrade);
  }

  private static Duration duration(String field, String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Durations.parse(field, text);
    } catch (RunnerException e) {
      // SpecValidator refuses such a spec before anything is built from it.
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
