package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One completed step, stamp or baseline, oldest first in status.history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryEntry(
    @JsonPropertyDescription("Step, Stamp or Baseline.")
    String kind,
    @JsonPropertyDescription("The step's name (kind Step).")
    String step,
    @JsonPropertyDescription("The metadata.generation it ran for.")
    Long generation,
    @JsonPropertyDescription("The Job that ran it.")
    String job,
    @JsonPropertyDescription("Succeeded or Failed.")
    String outcome,
    @JsonPropertyDescription("Why, when it failed (MigrationFailed, RehearsalFailed, ...).")
    String reason,
    @JsonPropertyDescription("The revision before.")
    String fromRevision,
    @JsonPropertyDescription("The revision after, read from alembic_version.")
    String toRevision,
    @JsonPropertyDescription("The revisions applied (or undone), in order.")
    List<String> appliedRevisions,
    @JsonPropertyDescription("The backup taken first.")
    String backupFile,
    @JsonPropertyDescription("Passed or Failed, when the step rehearsed on a restored copy first.")
    String rehearsal,
    @JsonPropertyDescription("How long the copy's upgrade took, when the rehearsal passed.")
    String rehearsalDuration,
    @JsonPropertyDescription("Who asked for a stamp.")
    String requestedBy,
    @JsonPropertyDescription("RFC 3339.")
    String startedAt,
    @JsonPropertyDescription("RFC 3339.")
    String finishedAt,
    @JsonPropertyDescription("The step's fingerprint (database, image, target): a later run of the same step takes "
        + "this run's rehearsal duration as its expected duration only when it matches.")
    String fingerprint) {

  public static final String STEP = "Step";
  public static final String STAMP = "Stamp";
  public static final String BASELINE = "Baseline";
}
