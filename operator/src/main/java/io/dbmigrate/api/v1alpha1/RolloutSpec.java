package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** How the set's children are created: a canary first, a gate, then the rest a few at a time until too many fail. */
@ValidationRule(value = "!has(self.gate) || has(self.canary)", message = "a gate waits after the canary: set canary too")
public record RolloutSpec(
        @JsonPropertyDescription("The targets migrated first, alone; the rest wait until every one of them succeeded.")
        CanarySpec canary,

        @JsonPropertyDescription("What else the rest waits for after the canary succeeded: an approval or a pause.")
        RolloutGateSpec gate,

        @Default("5")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("How many targets migrate at once at most. Default 5.")
        Integer maxParallel,

        @Default("0")
        @Min(0)
        @JsonPropertyDescription("How many targets may fail before no new one starts (running ones finish). Default 0: "
                + "the first failure halts the rollout.")
        Integer maxFailures,

        @Default("false")
        @JsonPropertyDescription("When true, no new target starts; running ones finish.")
        Boolean suspend) {

    public static final int DEFAULT_MAX_PARALLEL = 5;
    public static final RolloutSpec DEFAULT = new RolloutSpec(null, null, null, null, null);

    public int maxParallelOrDefault() {
        return maxParallel == null ? DEFAULT_MAX_PARALLEL : maxParallel;
    }

    public int maxFailuresOrDefault() {
        return maxFailures == null ? 0 : maxFailures;
    }

    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /** How many of {@code targets} form the canary: none without one, at least one for a percentage above 0. */
    public int canarySize(int targets) {
        if (canary == null) {
            return 0;
        }
        if (canary.count() != null) {
            return Math.min(canary.count(), targets);
        }
        int percentage = canary.percentage() == null ? 0 : canary.percentage();
        return Math.min(targets, (int) Math.ceil(targets * percentage / 100.0));
    }
}
