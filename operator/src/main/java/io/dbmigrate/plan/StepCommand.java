package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.RehearsalSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RunnerArguments;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.decide.Decision;
import io.dbmigrate.decide.StepEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the runner is asked to do for one step, from the spec: the runner's requests, which local mode hands to the
 * runner in-process and {@link RunnerArguments} writes as a Job's arguments, so a cluster and a laptop run the same
 * migration.
 *
 * @param expectFrom null, or the revision(s) the database must be at for the upgrade to run
 *                   ({@code --expect-from}): for a gated step, where its approved plan started
 * @param window     null, or the maintenance window the upgrade must fit in ({@code --window-closes-at})
 * @param afterBackup a backup container precedes the upgrade in its pod (spec.backup.mode Required): the upgrade runs
 *                   only from the revision that backup was taken at ({@code --expect-backup})
 * @param lintIgnore the rules spec.safety.lint.ignore drops; null when the plan is not linted (lint mode Off)
 */
public record StepCommand(String target, LockSafety safety, List<VerifyQuery> verify, OnFailure onFailure,
                                                    boolean allowDowngrade, String expectFrom, Decision.WindowSlot window, boolean afterBackup,
                                                    List<String> lintIgnore) {

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
        if (step.planned() && step.planRecorded() && step.recorded().plan().fromRevision() != null) {
            return command.expectingFrom(step.recorded().plan().fromRevision());
        }
        return command;
    }

    /** The same, run only when the database is at exactly these revision(s). */
    public StepCommand expectingFrom(String revisions) {
        return new StepCommand(target, safety, verify, onFailure, allowDowngrade, revisions, window, afterBackup,
                lintIgnore);
    }

    /** The same, run only with the expected duration left in this window (null: no window). */
    public StepCommand withinWindow(Decision.WindowSlot slot) {
        return new StepCommand(target, safety, verify, onFailure, allowDowngrade, expectFrom, slot, afterBackup,
                lintIgnore);
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
                null, null, spec.backupOrDefault().modeOrDefault() == BackupSpec.BackupMode.Required,
                spec.lintOrDefault().modeOrDefault() == LintSpec.LintMode.Off ? null
                        : List.copyOf(spec.lintOrDefault().ignoreOrEmpty()));
    }

    /** Arguments of {@code dbmigrate-runner upgrade}. */
    public List<String> upgradeArguments(String migrationsPath) {
        // The backup container leaves the revision it was taken at in the pod's /tmp.
        return RunnerArguments.upgrade(migrationsPath, request(null), afterBackup);
    }

    /**
     * Arguments of {@code dbmigrate-runner rehearse}: the step's own upgrade, with the same safety settings and
     * verification queries, on a copy restored from the archive the pod's backup container just wrote.
     */
    public List<String> rehearseArguments(String migrationsPath, String backupDir, String name, String label,
                                          RehearsalSpec rehearsal) {
        return RunnerArguments.rehearse(migrationsPath, new RehearsalRequest(null, Path.of(backupDir), name, label,
                rehearsedUpgrade(null), rehearsal.roundTripOrDefault(), null, lockBudget(rehearsal)));
    }

    /** Arguments of {@code dbmigrate-runner plan}. */
    public List<String> planArguments(String migrationsPath) {
        return RunnerArguments.plan(migrationsPath, planRequest(null));
    }

    /** The same, for the runner in-process (local mode). */
    public UpgradeRequest request(Path migrations) {
        UpgradeRequest request = new UpgradeRequest(migrations, target, safety, verify, onFailure, allowDowngrade,
                expectFrom);
        return window == null ? request : request.withinWindow(window.closesAt(), window.expected());
    }

    /** {@link #rehearseArguments}, for the runner in-process (local mode), on a known archive. */
    public RehearsalRequest rehearsalRequest(Path migrations, Path archive, String name, RehearsalSpec rehearsal) {
        return new RehearsalRequest(archive, archive.getParent(), name, null, rehearsedUpgrade(migrations),
                rehearsal.roundTripOrDefault(), null, lockBudget(rehearsal));
    }

    /** The step's rehearsal.maxLockHold as the runner takes it; SpecValidator checked its modes and durations. */
    static Map<LockMode, Duration> lockBudget(RehearsalSpec rehearsal) {
        Map<LockMode, Duration> budget = new EnumMap<>(LockMode.class);
        rehearsal.maxLockHoldOrEmpty().forEach((mode, hold) -> budget.put(LockMode.of(mode).orElseThrow(
                () -> new IllegalArgumentException("rehearsal.maxLockHold: not a lock mode: " + mode)),
                duration("rehearsal.maxLockHold." + mode, hold, null)));
        return budget;
    }

    // A copy has nothing to take back and no window to fit in.
    private UpgradeRequest rehearsedUpgrade(Path migrations) {
        return new UpgradeRequest(migrations, target, safety, verify, OnFailure.HALT, allowDowngrade, expectFrom);
    }

    /** {@link #planArguments}, for the runner in-process (local mode). */
    public PlanRequest planRequest(Path migrations) {
        return new PlanRequest(migrations, target, allowDowngrade, lintIgnore != null, lintIgnore);
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
