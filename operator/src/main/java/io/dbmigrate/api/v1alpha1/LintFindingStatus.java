package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One lint finding of a plan, as status shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LintFindingStatus(
        @JsonPropertyDescription("error or warning.")
        String severity,
        @JsonPropertyDescription("The squawk rule, e.g. require-concurrent-index-creation; "
                + "docs/phased-migrations.md says how to fix the common ones.")
        String rule,
        @JsonPropertyDescription("The Alembic revision whose SQL it is in.")
        String revision,
        @JsonPropertyDescription("The start of the statement.")
        String statement,
        @JsonPropertyDescription("Its line in the plan's SQL (the ConfigMap's upgrade.sql).")
        Integer line) {
}
