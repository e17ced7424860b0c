package io.dbmigrate.contract;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What to plan: the upgrade an {@link UpgradeRequest} would run for the same directory and target.
 *
 * @param allowDowngrade whether a target below the current revision may be planned as a downgrade (as
 *                       {@link UpgradeRequest#allowDowngrade()}: without it the plan reports DowngradeNotAllowed)
 * @param lint           whether the plan's SQL is linted (squawk); the plan's {@code lint} then says what was found or
 *                       why nothing could be
 * @param lintIgnore     squawk rules whose findings are dropped (spec.safety.lint.ignore): they neither show nor count
 */
public record PlanRequest(Path migrationsDir, String target, boolean allowDowngrade, boolean lint,
                          List<String> lintIgnore) {

    /** A squawk rule name, e.g. require-concurrent-index-creation. */
    public static final Pattern LINT_RULE = Pattern.compile("^[a-z][a-z0-9]*(-[a-z0-9]+)*$");

    public PlanRequest {
        lintIgnore = lintIgnore == null ? List.of() : List.copyOf(lintIgnore);
    }

    public PlanRequest(Path migrationsDir, String target, boolean allowDowngrade) {
        this(migrationsDir, target, allowDowngrade, false, List.of());
    }

    public PlanRequest(Path migrationsDir, String target, boolean allowDowngrade, boolean lint) {
        this(migrationsDir, target, allowDowngrade, lint, List.of());
    }

    public void validate() throws RunnerException {
        RevisionSpec.validate("target", target);
        if (migrationsDir == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the migrations directory is required");
        }
        for (String rule : lintIgnore) {
            if (!LINT_RULE.matcher(rule).matches()) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--lint-ignore: \"" + rule + "\" is not a squawk rule"
                        + " name (lowercase letters, digits and dashes)");
            }
        }
    }
}
