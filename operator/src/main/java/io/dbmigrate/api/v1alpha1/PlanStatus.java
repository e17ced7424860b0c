package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** A step's plan: the revisions it would apply from the revision the database was at, and where its SQL is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanStatus(
    @JsonPropertyDescription("The Job that made the plan.")
    String job,
    @JsonPropertyDescription("A digest of the plan (starting revision, revisions, SQL, lint findings). gate.approval.plan set to it "
        + "approves exactly this plan.")
    String digest,
    @JsonPropertyDescription("The ConfigMap holding the plan's SQL (key upgrade.sql), revisions (key revisions) and lint "
        + "findings (key lint.json).")
    String configMap,
    @JsonPropertyDescription("The database's revision when the plan was made.")
    String fromRevision,
    @JsonPropertyDescription("upgrade, downgrade, or none.")
    String direction,
    @JsonPropertyDescription("The revisions the step would apply (or undo), in order.")
    List<String> pendingRevisions,
    @JsonPropertyDescription("Size of the plan's SQL in bytes.")
    Long sqlBytes,
    @JsonPropertyDescription("False when the SQL was too large for the ConfigMap copy; the plan Job's log has all of it.")
    Boolean sqlComplete,
    @JsonPropertyDescription("Why there is no SQL, when Alembic's offline mode could not produce it.")
    String sqlUnavailable,
    @JsonPropertyDescription("What the linter (squawk) found in the plan's SQL; absent when spec.safety.lint.mode is "
        + "Off. The digest covers it: approving the digest approves these findings.")
    LintStatus lint) {

    public PlanStatus(String job, String digest, String configMap, String fromRevision, String direction,
                      List<String> pendingRevisions, Long sqlBytes, Boolean sqlComplete, String sqlUnavailable) {
        this(job, digest, configMap, fromRevision, direction, pendingRevisions, sqlBytes, sqlComplete, sqlUnavailable,
                null);
    }
}
