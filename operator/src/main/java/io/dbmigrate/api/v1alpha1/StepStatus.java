package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Where one step stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepStatus(
    @JsonPropertyDescription("The step's name.")
    String name,
    @JsonPropertyDescription("The revision the step upgrades to.")
    String targetRevision,
    @JsonPropertyDescription("Pending, AwaitingGate, BackingUp, Rehearsing, Migrating, Succeeded or Failed.")
    Phase phase,
    @JsonPropertyDescription("The Job that ran (or runs) the step.")
    String job,
    @JsonPropertyDescription("The metadata.generation whose Job ran the step; older than observedGeneration when a "
        + "later edit left the step as it was.")
    Long generation,
    @JsonPropertyDescription("Hash of what decides the step's outcome (database, migrations image and path, target): "
        + "a new generation with the same fingerprint keeps a succeeded step instead of running it again.")
    String fingerprint,
    @JsonPropertyDescription("What the step waits for while AwaitingGate.")
    String waitingFor,
    @JsonPropertyDescription("The plan shown before a gated step: what an approval approves.")
    PlanStatus plan,
    @JsonPropertyDescription("How the gate was opened: annotation dbmigrate.io/approve, spec, or deployment rollout.")
    String openedBy,
    @JsonPropertyDescription("The revision before the step.")
    String fromRevision,
    @JsonPropertyDescription("The revision after the step, read from alembic_version.")
    String toRevision,
    @JsonPropertyDescription("Revisions the step applied (or undid, for a downgrade), in order.")
    List<String> appliedRevisions,
    @JsonPropertyDescription("After a failure with onFailure Downgrade: the revision the automatic downgrade reached.")
    String rolledBackTo,
    @JsonPropertyDescription("When the step's Job was created (RFC 3339).")
    String startedAt,
    @JsonPropertyDescription("When the step ended (RFC 3339).")
    String finishedAt,
    @JsonPropertyDescription("One line on the step, for people.")
    String message,
    @JsonPropertyDescription("The step's rehearsal on a restored copy of its backup.")
    RehearsalStatus rehearsal,
    @JsonPropertyDescription("For a step behind a maintenance window: when the next window opens (RFC 3339).")
    String nextWindow,
    @JsonPropertyDescription("How long the step is expected to take (its last rehearsal's upgrade), when known.")
    String expectedDuration,
    @JsonPropertyDescription("How many times the step's Job found too little of its window left after its backup "
        + "and rehearsal and left production alone; the step then waits for the next window.")
    Integer deferrals) {

}
