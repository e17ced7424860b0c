package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RehearsalLockProfile;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockProfile;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.UpgradeResult;
import io.dbmigrate.decide.StepEntry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** One step's entry in status.steps being computed; {@link StepStatuses} says what happened to it. */
final class StepDraft {
    private String name;
    private String targetRevision;
    private Phase phase;
    private String job;
    private Long generation;
    private String fingerprint;
    private String waitingFor;
    private PlanStatus plan;
    private String openedBy;
    private String fromRevision;
    private String toRevision;
    private List<String> appliedRevisions;
    private String rolledBackTo;
    private String startedAt;
    private String finishedAt;
    private String message;
    private RehearsalStatus rehearsal;
    private String nextWindow;
    private String expectedDuration;
    private Integer deferrals;

    private StepDraft() {
    }

    private StepDraft(StepStatus recorded) {
        name = recorded.name();
        targetRevision = recorded.targetRevision();
        phase = recorded.phase();
        job = recorded.job();
        generation = recorded.generation();
        fingerprint = recorded.fingerprint();
        waitingFor = recorded.waitingFor();
        plan = recorded.plan();
        openedBy = recorded.openedBy();
        fromRevision = recorded.fromRevision();
        toRevision = recorded.toRevision();
        appliedRevisions = recorded.appliedRevisions();
        rolledBackTo = recorded.rolledBackTo();
        startedAt = recorded.startedAt();
        finishedAt = recorded.finishedAt();
        message = recorded.message();
        rehearsal = recorded.rehearsal();
        nextWindow = recorded.nextWindow();
        expectedDuration = recorded.expectedDuration();
        deferrals = recorded.deferrals();
    }

    /**
     * The step as its spec and the ledger say now, on what status recorded of it (if anything); what it waited for
     * is for the decision to say again.
     */
    static StepDraft of(StepEntry entry) {
        StepDraft s = entry.recorded() == null ? new StepDraft() : new StepDraft(entry.recorded());
        s.name = entry.name();
        s.targetRevision = entry.spec().targetRevision();
        s.fingerprint = entry.fingerprint();
        s.deferrals = entry.deferred().isEmpty() ? null : entry.deferred().size();
        s.expectedDuration = entry.expectedDuration() == null ? null : Durations.format(entry.expectedDuration());
        s.waitingFor = null;
        s.nextWindow = null;
        return s;
    }

    /** The status as it is, to change one thing of it. */
    static StepDraft of(StepStatus status) {
        return new StepDraft(status);
    }

    /** A Job's rehearsal, when it reported one; the one known before stays otherwise. */
    void rehearsed(RehearsalResult r) {
        if (r == null) {
            return;
        }
        rehearsal = new RehearsalStatus(r.passed() ? RehearsalStatus.PASSED : RehearsalStatus.FAILED, r.roundTrip(),
                r.fromRevision(), r.toRevision(), r.upgradeMillis() == null ? null
                : Durations.format(Duration.ofMillis(r.upgradeMillis())), r.failedPhase(), r.failedRevision(),
                r.error(), r.scratchDatabase(), StatusAggregator.timestamp(r.finishedAt()), lockProfile(r.lockProfile()));
    }

    /** The runner's profile, its longest holds kept (it sorted them): what to act on, in a status that stays small. */
    static RehearsalLockProfile lockProfile(LockProfile p) {
        if (p == null) {
            return null;
        }
        List<RehearsalLockProfile.LockHoldStatus> holds = p.holds().stream().limit(RehearsalLockProfile.MAX_HOLDS)
                .map(h -> new RehearsalLockProfile.LockHoldStatus(h.relation(), h.mode(),
                        h.mode() == null ? null : millis(h.holdMillis()), h.revision(), h.rewritten(),
                        h.waitMillis() == null ? null : millis(h.waitMillis())))
                .toList();
        return new RehearsalLockProfile(millis(p.intervalMillis()),
                p.periodMicros() <= 0 ? null : String.format(Locale.ROOT, "%.1fms", p.periodMicros() / 1000.0),
                p.samples(), p.relations(), holds, p.unavailable());
    }

    private static String millis(long ms) {
        return Durations.format(Duration.ofMillis(ms));
    }

    /**
     * Its Job of this generation exists: it started when first seen, unless status knew it before. What opened its gate
     * is what the Job records, since a status read before the Job was created does not have it; a Job without that
     * record (made by an older operator) keeps what status said of it.
     */
    void runsJob(String jobName, long jobGeneration, String now, String jobOpenedBy) {
        if (jobOpenedBy != null || !jobName.equals(job)) {
            openedBy = jobOpenedBy;
        }
        job = jobName;
        generation = jobGeneration;
        startedAt = startedAt == null ? now : startedAt;
    }

    /** The operator creates its Job now. */
    void jobCreated(String jobName, long jobGeneration, String now, String gateOpenedBy) {
        phase = Phase.Pending;
        job = jobName;
        generation = jobGeneration;
        startedAt = now;
        finishedAt = null;
        openedBy = gateOpenedBy;
    }

    void migrated(UpgradeResult upgrade) {
        fromRevision = upgrade.fromRevision();
        toRevision = upgrade.toRevision();
        appliedRevisions = upgrade.appliedRevisions();
        rolledBackTo = upgrade.rolledBackTo();
    }

    void pending() {
        phase = Phase.Pending;
    }

    /** Backing up, rehearsing, migrating, or pending while its pod does not run. */
    void running(Phase stage) {
        phase = stage;
    }

    void awaitingGate(String waitingForWhat, String windowOpens) {
        phase = Phase.AwaitingGate;
        waitingFor = waitingForWhat;
        nextWindow = windowOpens;
    }

    void succeeded(String now) {
        phase = Phase.Succeeded;
        ended(now);
    }

    void failed(String now) {
        phase = Phase.Failed;
        ended(now);
    }

    /** Its Job is gone before its end was seen: when it ended, if it did, nobody saw, so finishedAt stays empty. */
    void lost() {
        phase = Phase.Failed;
    }

    private void ended(String now) {
        finishedAt = finishedAt == null ? now : finishedAt;
    }

    void showsPlan(PlanStatus stepPlan) {
        plan = stepPlan;
    }

    StepDraft message(String text) {
        message = text;
        return this;
    }

    StepStatus build() {
        return new StepStatus(name, targetRevision, phase, job, generation, fingerprint, waitingFor, plan, openedBy,
                fromRevision, toRevision, appliedRevisions, rolledBackTo, startedAt, finishedAt, message, rehearsal,
                nextWindow, expectedDuration, deferrals);
    }
}
