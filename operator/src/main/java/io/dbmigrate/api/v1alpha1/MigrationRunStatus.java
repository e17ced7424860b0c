package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One `alembic upgrade` run, as the migrate container reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationRunStatus(
    @JsonPropertyDescription("The revision before the run.")
    String fromRevision,
    @JsonPropertyDescription("The revision after the run, read from alembic_version.")
    String toRevision,
    @JsonPropertyDescription("Revisions applied, in order.")
    List<String> appliedRevisions,
    @JsonPropertyDescription("The revision whose upgrade raised, when the run failed.")
    String failedRevision,
    @JsonPropertyDescription("The error, when the run failed.")
    String error,
    @JsonPropertyDescription("When the run started (RFC 3339).")
    String startedAt,
    @JsonPropertyDescription("When the run ended (RFC 3339).")
    String finishedAt,
    @JsonPropertyDescription("upgrade, or downgrade for a target below the current revision.")
    String direction,
    @JsonPropertyDescription("How many times Alembic was started: 1, plus one per lock_timeout retried.")
    Integer lockAttempts,
    @JsonPropertyDescription("The verification queries (spec.verify and the step's) that returned true after the run.")
    List<String> verifiedQueries,
    @JsonPropertyDescription("The verification query that returned false or failed.")
    String failedVerification,
    @JsonPropertyDescription("After a failure with onFailure Downgrade: the revision the automatic downgrade reached.")
    String rolledBackTo) {
}
