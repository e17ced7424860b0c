package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A target whose migration failed, as its DatabaseMigration's status tells it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FailedTarget(
        @JsonPropertyDescription("The target's name.")
        String target,
        @JsonPropertyDescription("Its DatabaseMigration; absent when none could be made (InvalidTarget).")
        String migration,
        @JsonPropertyDescription("Why, in UpperCamelCase: the DatabaseMigration's reason, e.g. MigrationFailed, or "
                + "InvalidTarget.")
        String reason,
        @JsonPropertyDescription("Why, for people.")
        String message,
        @JsonPropertyDescription("When it failed (RFC 3339).")
        String failedAt) {
}
