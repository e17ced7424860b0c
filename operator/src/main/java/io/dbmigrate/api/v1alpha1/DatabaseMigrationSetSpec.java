package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The DatabaseMigration spec every target gets, the generators of targets, and the rollout. */
public record DatabaseMigrationSetSpec(
        @Required
        @JsonPropertyDescription("A DatabaseMigration spec without its database: each target's DatabaseMigration is this "
                + "spec with the target's database.")
        DatabaseMigrationSpec template,

        @Required
        @Size(min = 1, max = 10)
        @JsonPropertyDescription("Where the targets come from; target names are unique across all generators.")
        List<GeneratorSpec> generators,

        @JsonPropertyDescription("Canary, gate, parallelism, failure budget and suspend.")
        RolloutSpec rollout) {

    public List<GeneratorSpec> generatorsOrEmpty() {
        return generators == null ? List.of() : generators;
    }

    public RolloutSpec rolloutOrDefault() {
        return rollout == null ? RolloutSpec.DEFAULT : rollout;
    }
}
