package io.dbmigrate.contract;

import java.nio.file.Path;

/**
 * What to plan: the upgrade an {@link UpgradeRequest} would run for the same directory and target.
 *
 * @param allowDowngrade whether a target below the current revision may be planned as a downgrade (as
 *                       {@link UpgradeRequest#allowDowngrade()}: without it the plan reports DowngradeNotAllowed)
 * @param lint           whether the plan's SQL is linted (squawk); the plan's {@code lint} then says what was found or
 *                       why nothing could be
 */
public record PlanRequest(Path migrationsDir, String target, boolean allowDowngrade, boolean lint) {

    public PlanRequest(Path migrationsDir, String target, boolean allowDowngrade) {
        this(migrationsDir, target, allowDowngrade, false);
    }

    public void validate() throws RunnerException {
        RevisionSpec.validate("target", target);
        if (migrationsDir == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the migrations directory is required");
        }
    }
}
