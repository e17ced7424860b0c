package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the operator observed: the revision the database is really at, the last backup, and why it is where it is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseMigrationStatus(
        @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("Pending, AwaitingGate, BackingUp, Rehearsing, Migrating, Stamping, Succeeded, Failed or "
                + "Suspended.")
        Phase phase,

        @JsonPropertyDescription("The revision alembic_version holds, as read by the last run; base when the table is absent or empty.")
        String currentRevision,

        @JsonPropertyDescription("The target revision of the observed generation: its last step's.")
        String targetRevision,

        @JsonPropertyDescription("The step running or waiting, or the last one when all have ended.")
        String currentStep,

        @JsonPropertyDescription("Each step of the observed generation, in order.")
        List<StepStatus> steps,

        @JsonPropertyDescription("Name of the Job that runs the observed generation.")
        String job,

        @JsonPropertyDescription("One line on where the migration stands, for people.")
        String message,

        @JsonPropertyDescription("The last verified backup.")
        BackupStatus lastBackup,

        @JsonPropertyDescription("The last upgrade run: revisions before and after, what was applied, what failed.")
        MigrationRunStatus lastMigration,

        @JsonPropertyDescription("Failed attempts of the observed generation's Job.")
        Integer failedAttempts,

        @JsonPropertyDescription("Ready, Reconciling and Stalled, as kstatus reads them.")
        List<StatusCondition> conditions,

        @JsonPropertyDescription("The last completed steps, stamps and baselines, oldest first; spec.historyLimit of them.")
        List<HistoryEntry> history,

        @JsonPropertyDescription("The adoption spec.baseline asked for.")
        StampStatus baseline,

        @JsonPropertyDescription("The last stamp asked for with the dbmigrate.io/stamp annotation.")
        StampStatus lastStamp) {

    public static final DatabaseMigrationStatus EMPTY =
            new DatabaseMigrationStatus(null, null, null, null, null, List.of(), null, null, null, null, null, List.of(),
                    List.of(), null, null);

    public List<HistoryEntry> historyOrEmpty() {
        return history == null ? List.of() : history;
    }

    public List<StepStatus> stepsOrEmpty() {
        return steps == null ? List.of() : steps;
    }

    public List<StatusCondition> conditionsOrEmpty() {
        return conditions == null ? List.of() : conditions;
    }
}
