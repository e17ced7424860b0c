package io.dbmigrate.status;

import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.LintStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.PlanStatus;
import io.dbmigrate.api.v1alpha1.RehearsalStatus;
import io.dbmigrate.api.v1alpha1.StampStatus;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** An Event worth recording because the status moved: derived from two statuses, so it is the same wherever it runs. */
public record TransitionEvent(Type type, String reason, String message) {

    /** Kubernetes Event types. */
    public enum Type { Normal, Warning }

    public static List<TransitionEvent> between(DatabaseMigrationStatus before, DatabaseMigrationStatus after) {
        DatabaseMigrationStatus old = before == null ? DatabaseMigrationStatus.EMPTY : before;
        List<TransitionEvent> events = new ArrayList<>();
        BackupStatus backup = after.lastBackup();
        if (backup != null && backup.file() != null
                && (old.lastBackup() == null || !Objects.equals(old.lastBackup().file(), backup.file()))) {
            events.add(new TransitionEvent(Type.Normal, Reasons.BACKUP_VERIFIED, "Backup " + backup.file() + " verified: "
                    + backup.sizeBytes() + " bytes, sha256 " + abbreviate(backup.sha256()) + ", at revision " + backup.revision()));
        }
        if (after.stepsOrEmpty().size() > 1) {
            for (StepStatus step : after.stepsOrEmpty()) {
                boolean wasSucceeded = old.stepsOrEmpty().stream()
                        .anyMatch(s -> s.name().equals(step.name()) && s.phase() == Phase.Succeeded
                                && Objects.equals(s.job(), step.job()));
                if (step.phase() == Phase.Succeeded && !wasSucceeded && step.job() != null) {
                    events.add(new TransitionEvent(Type.Normal, Reasons.STEP_SUCCEEDED, "Step " + step.name() + " succeeded: "
                            + step.fromRevision() + " -> " + step.toRevision()
                            + (step.appliedRevisions() == null ? "" : ", " + step.appliedRevisions().size() + " applied")));
                }
            }
        }
        for (StepStatus step : after.stepsOrEmpty()) {
            RehearsalStatus rehearsal = step.rehearsal();
            boolean seen = old.stepsOrEmpty().stream().anyMatch(s -> s.name().equals(step.name()) && s.rehearsal() != null
                    && Objects.equals(s.rehearsal().finishedAt(), rehearsal == null ? null : rehearsal.finishedAt()));
            if (rehearsal != null && rehearsal.passed() && !seen) {
                events.add(new TransitionEvent(Type.Normal, Reasons.REHEARSAL_PASSED, "Step " + step.name()
                        + ": the rehearsal on a restored copy passed" + (Boolean.TRUE.equals(rehearsal.roundTrip())
                        ? " with a round trip" : "") + ", " + rehearsal.fromRevision() + " -> " + rehearsal.toRevision()
                        + ", upgrade in " + rehearsal.duration()));
            }
        }
        for (StepStatus step : after.stepsOrEmpty()) {
            lintEvent(old, step).ifPresent(events::add);
        }
        StampStatus stamp = after.lastStamp();
        if (stamp != null && stamp.finished() && (old.lastStamp() == null || !old.lastStamp().finished()
                || !Objects.equals(old.lastStamp().job(), stamp.job()))) {
            boolean ok = stamp.phase() == Phase.Succeeded;
            events.add(new TransitionEvent(ok ? Type.Normal : Type.Warning, ok ? Reasons.STAMPED : Reasons.STAMP_FAILED,
                    stamp.message()));
        }
        Optional<StatusCondition> was = ready(old);
        Optional<StatusCondition> is = ready(after);
        if (is.isPresent() && (was.isEmpty() || !Objects.equals(was.get().reason(), is.get().reason())
                || !Objects.equals(old.observedGeneration(), after.observedGeneration()))) {
            boolean warning = stalled(after) || Reasons.SECRET_NOT_FOUND.equals(is.get().reason())
                    || Reasons.SECRET_KEY_NOT_FOUND.equals(is.get().reason()) || Reasons.RETRYING.equals(is.get().reason());
            if (Reasons.PLAN_PUBLISHED.equals(is.get().reason())) {
                // A moment between planning and the Job: the Job's own event follows at once.
                return events;
            }
            events.add(new TransitionEvent(warning ? Type.Warning : Type.Normal, is.get().reason(), after.message()));
        }
        return events;
    }

    /** One Event per plan whose lint found something or could not look: when its plan is first shown. */
    private static Optional<TransitionEvent> lintEvent(DatabaseMigrationStatus old, StepStatus step) {
        PlanStatus plan = step.plan();
        LintStatus lint = plan == null || plan.digest() == null ? null : plan.lint();
        if (lint == null || (lint.totalOrZero() == 0 && lint.unavailable() == null)) {
            return Optional.empty();
        }
        boolean seen = old.stepsOrEmpty().stream().anyMatch(s -> s.name().equals(step.name()) && s.plan() != null
                && Objects.equals(s.plan().digest(), plan.digest()));
        if (seen) {
            return Optional.empty();
        }
        String what = lint.unavailable() != null ? "could not be linted: " + lint.unavailable()
                : "lint found " + lint.totalOrZero() + (lint.totalOrZero() == 1 ? " finding" : " findings") + ", "
                + lint.errorsText()
                + (lint.findings() == null || lint.findings().isEmpty() ? "" : ", first " + lint.findings().get(0).rule()
                + " in revision " + lint.findings().get(0).revision());
        return Optional.of(new TransitionEvent(Type.Warning, Reasons.LINT_FINDINGS, "Step " + step.name() + ": plan "
                + plan.digest() + " " + what + " (ConfigMap " + plan.configMap() + ", key lint.json)"));
    }

    private static Optional<StatusCondition> ready(DatabaseMigrationStatus status) {
        return status.conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type())).findFirst();
    }

    private static boolean stalled(DatabaseMigrationStatus status) {
        return status.conditionsOrEmpty().stream().anyMatch(c -> StatusCondition.STALLED.equals(c.type()) && c.isTrue());
    }

    private static String abbreviate(String sha) {
        return sha == null || sha.length() < 12 ? sha : sha.substring(0, 12);
    }
}
