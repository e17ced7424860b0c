package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A stamp of alembic_version: an emergency repair asked for by annotation, or the adoption spec.baseline asks for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StampStatus(
        @JsonPropertyDescription("The revision stamped (or asked for).")
        String revision,
        @JsonPropertyDescription("Who asked: the field manager that set the dbmigrate.io/stamp annotation (kubectl, "
                + "argocd-controller, ...); absent for spec.baseline.")
        String requestedBy,
        @JsonPropertyDescription("When the annotation was set, or first seen (RFC 3339).")
        String requestedAt,
        @JsonPropertyDescription("The Job that backs up and stamps.")
        String job,
        @JsonPropertyDescription("Pending, BackingUp, Stamping, Succeeded or Failed.")
        Phase phase,
        @JsonPropertyDescription("alembic_version before (base when absent or empty).")
        String fromRevision,
        @JsonPropertyDescription("alembic_version after, read back.")
        String toRevision,
        @JsonPropertyDescription("False when spec.baseline found the database already at the baseline or past it.")
        Boolean stamped,
        @JsonPropertyDescription("The backup taken before the stamp.")
        String backupFile,
        @JsonPropertyDescription("When it ended (RFC 3339).")
        String finishedAt,
        @JsonPropertyDescription("One line on it, for people.")
        String message) {

    public boolean finished() {
        return phase != null && phase.isFinal();
    }
}
