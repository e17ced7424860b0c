package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.BackupStatus;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.api.v1alpha1.StepStatus;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What `dbmigrate run` prints at the end unless asked for the resource (-o yaml): the outcome, the failing revision
 * and its error, where the database is and at which revision, and where the backup is. Pure: built from the status.
 */
public final class RunSummary {
    private RunSummary() {
    }

    public static List<String> of(DatabaseMigration resource, ConnectionSettings connection) {
        DatabaseMigrationStatus status = resource.getStatus() == null ? DatabaseMigrationStatus.EMPTY
                : resource.getStatus();
        List<String> lines = new ArrayList<>();
        Phase phase = status.phase();
        if (phase == Phase.Succeeded) {
            lines.add("Succeeded: " + status.message());
        } else if (phase == Phase.AwaitingGate) {
            lines.add("Waiting: " + waiting(resource, status));
        } else if (phase == Phase.Failed) {
            lines.add("Failed" + stalledReason(status).map(reason -> " (" + reason + ")").orElse("") + ": "
                    + status.message());
            failingRevision(status).ifPresent(revision -> lines.add("  failing revision: " + revision));
        } else {
            lines.add(phase + ": " + status.message());
        }
        lines.add("  database: '" + connection.database() + "' on " + connection.host() + ":" + connection.port()
                + ", at " + (status.currentRevision() == null ? "a revision this run did not read" : status.currentRevision()));
        BackupStatus backup = status.lastBackup();
        if (backup != null && backup.file() != null) {
            lines.add("  backup:   " + backup.file() + " (" + backup.sizeBytes() + " bytes"
                    + (Boolean.TRUE.equals(backup.verified()) ? ", verified" : "") + "; the database as it was at "
                    + backup.revision() + ")");
        } else {
            lines.add("  backup:   none taken" + (resource.getSpec() != null
                    && resource.getSpec().backupOrDefault().modeOrDefault() != BackupSpec.BackupMode.Required
                    ? " (spec.backup.mode: Disabled)" : ""));
        }
        return lines;
    }

    // Local words: what to run next, not the annotation or the Deployment's controller a cluster would use.
    private static String waiting(DatabaseMigration resource, DatabaseMigrationStatus status) {
        String name = status.currentStep();
        StepStatus step = status.stepsOrEmpty().stream().filter(s -> Objects.equals(s.name(), name)).findFirst()
                .orElse(null);
        String reason = ready(status).map(StatusCondition::reason).orElse("");
        if (Reasons.awaitsPlanApproval(reason)) {
            String digest = step != null && step.plan() != null ? step.plan().digest() : null;
            return "step " + name + " waits for approval of its plan (printed above"
                    + (Reasons.heldByLint(reason) ? ", with its lint findings; spec.safety.lint.mode is Block" : "") + (digest == null ? "" : ", digest "
                    + digest) + "): run again with --approve " + name + (digest == null ? ""
                    : ", or set gate.approval.plan: " + digest + " in the manifest");
        }
        if (Reasons.AWAITING_ROLLOUT.equals(reason)) {
            return "step " + name + " has a deploymentRollout gate, which cannot open without a cluster: run the "
                    + "remaining steps with the operator";
        }
        if (Reasons.AWAITING_WINDOW.equals(reason) && step != null && step.waitingFor() != null) {
            return "step " + name + " waits: " + step.waitingFor() + "; run again then (--now INSTANT previews it)";
        }
        return status.message();
    }

    private static Optional<String> failingRevision(DatabaseMigrationStatus status) {
        if (status.lastMigration() != null && status.lastMigration().failedRevision() != null) {
            return Optional.of(status.lastMigration().failedRevision());
        }
        return status.stepsOrEmpty().stream()
                .filter(step -> step.rehearsal() != null && step.rehearsal().failedRevision() != null)
                .map(step -> step.rehearsal().failedRevision() + " (in the rehearsal on a restored copy)")
                .reduce((first, last) -> last);
    }

    private static Optional<String> stalledReason(DatabaseMigrationStatus status) {
        return status.conditionsOrEmpty().stream()
                .filter(c -> StatusCondition.STALLED.equals(c.type()) && c.isTrue())
                .map(StatusCondition::reason).findFirst();
    }

    private static Optional<StatusCondition> ready(DatabaseMigrationStatus status) {
        return status.conditionsOrEmpty().stream().filter(c -> StatusCondition.READY.equals(c.type())).findFirst();
    }
}
