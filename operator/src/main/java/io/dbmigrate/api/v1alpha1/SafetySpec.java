package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How a migration treats the application's locks: wait briefly, give way, try again; and how its SQL is linted. */
public record SafetySpec(
        @Default("1s")
        @Pattern(SafetySpec.DURATION_PATTERN)
        @JsonPropertyDescription("PostgreSQL lock_timeout for the migration's statements (e.g. 200ms, 1s): a migration "
                + "that waits longer for a table lock gives way, so the application's queries never queue behind it for longer. "
                + "0s for none. Default 1s.")
        String lockTimeout,

        @Default("10")
        @Min(0)
        @Max(100)
        @JsonPropertyDescription("How many times a run that hit lock_timeout is started again, after a jittered "
                + "exponential backoff (100ms doubling, at most 10s). Default 10.")
        Integer lockRetries,

        @Default("0s")
        @Pattern(SafetySpec.DURATION_PATTERN)
        @JsonPropertyDescription("PostgreSQL statement_timeout for the migration's statements; 0s (default) for none.")
        String statementTimeout,

        @JsonPropertyDescription("Lint of each step's plan (squawk on its SQL): mode Off, Warn (default) or Block, and "
                + "rules to ignore.")
        LintSpec lint) {

    /** Go's time.ParseDuration forms, as the runner reads them. */
    public static final String DURATION_PATTERN = "^(0|([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+)$";
    public static final SafetySpec DEFAULT = new SafetySpec(null, null, null, null);

    public SafetySpec(String lockTimeout, Integer lockRetries, String statementTimeout) {
        this(lockTimeout, lockRetries, statementTimeout, null);
    }

    public LintSpec lintOrDefault() {
        return lint == null ? LintSpec.DEFAULT : lint;
    }
}
