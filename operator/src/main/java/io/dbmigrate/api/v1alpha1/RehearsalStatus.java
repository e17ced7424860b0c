package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What a step did on a restored copy of its backup, before production. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RehearsalStatus(
        @JsonPropertyDescription("Passed or Failed.")
        String result,
        @JsonPropertyDescription("Whether the copy was also downgraded back and upgraded again.")
        Boolean roundTrip,
        @JsonPropertyDescription("The copy's revision when restored: where the step starts from.")
        String fromRevision,
        @JsonPropertyDescription("The copy's revision when the rehearsal ended.")
        String toRevision,
        @JsonPropertyDescription("How long the upgrade of the copy took, verification included: the step's expected "
                + "duration, which maintenance windows are checked against.")
        String duration,
        @JsonPropertyDescription("When it failed: restore, upgrade, downgrade or upgrade-again.")
        String failedPhase,
        @JsonPropertyDescription("When it failed: the revision whose upgrade or downgrade failed.")
        String failedRevision,
        @JsonPropertyDescription("When it failed: the error.")
        String error,
        @JsonPropertyDescription("The scratch database it ran in (dropped afterwards).")
        String scratchDatabase,
        @JsonPropertyDescription("When it ended (RFC 3339).")
        String finishedAt,
        @JsonPropertyDescription("What the upgrade of the copy held, sampled from pg_locks: the longest lock holds, "
                + "checked against spec.rehearsal.maxLockHold.")
        RehearsalLockProfile lockProfile) {

    public static final String PASSED = "Passed";
    public static final String FAILED = "Failed";

    public boolean passed() {
        return PASSED.equals(result);
    }
}
