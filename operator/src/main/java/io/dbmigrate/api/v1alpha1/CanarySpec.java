package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The first targets, in generator order: a count, or a percentage of the targets rounded up. */
@ValidationRule(value = "has(self.count) != has(self.percentage)", message = "set exactly one of count or percentage")
public record CanarySpec(
        @Min(1)
        @JsonPropertyDescription("How many targets form the canary.")
        Integer count,

        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Which share of the targets forms the canary, in percent, rounded up (1 to 100).")
        Integer percentage) {
}
