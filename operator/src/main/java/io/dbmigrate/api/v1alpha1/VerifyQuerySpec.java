package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.VerifyQuery;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A query that must return true after a step. */
public record VerifyQuerySpec(
    @Required
    @Pattern(VerifyQuery.NAME_PATTERN)
    @Size(min = 1, max = VerifyQuery.NAME_MAX_LENGTH)
    @JsonPropertyDescription("Named in status and events when it fails: lowercase letters, digits and dashes.")
    String name,

    @Required
    @Size(min = 1, max = 4096)
    @JsonPropertyDescription("SQL returning one row with one boolean, run in a read-only transaction after the step, "
        + "e.g. select count(*) = 0 from customers where computed_score is null.")
    String sql) {
}
