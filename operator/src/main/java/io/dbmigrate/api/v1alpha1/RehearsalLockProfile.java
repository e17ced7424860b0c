package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What a rehearsal's upgrade of the copy held, sampled from pg_locks: what the upgrade will hold in production. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RehearsalLockProfile(
        @JsonPropertyDescription("How often pg_locks was sampled, e.g. 5ms. A hold is measured from the first to the "
                + "last sample that saw it: the real hold is longer by up to two sampling periods.")
        String sampleInterval,
        @JsonPropertyDescription("The mean time from one sample to the next as measured: the profile's resolution.")
        String resolution,
        @JsonPropertyDescription("How many samples were taken.")
        Integer samples,
        @JsonPropertyDescription("How many relations Alembic's sessions were seen locking (holds lists the longest).")
        Integer relations,
        @JsonPropertyDescription("The longest holds, longest first, at most 5: per relation its strongest mode's longest "
                + "continuous hold (the runner's log and a local run print up to 10).")
        List<LockHoldStatus> holds,
        @JsonPropertyDescription("Why there is no profile: \"profile unavailable: ...\" (then holds is empty).")
        String unavailable) {

    /** How many holds status keeps: the ones a reader acts on, in a status that stays small. */
    public static final int MAX_HOLDS = 5;

    /** One relation's longest hold of one mode. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LockHoldStatus(
            @JsonPropertyDescription("Schema-qualified name; \"oid N\" for a relation created and dropped inside "
                    + "Alembic's transaction (a rewrite's transient heap).")
            String relation,
            @JsonPropertyDescription("AccessShare, RowShare, RowExclusive, ShareUpdateExclusive, Share, "
                    + "ShareRowExclusive, Exclusive or AccessExclusive.")
            String mode,
            @JsonPropertyDescription("The longest continuous hold, e.g. 2.84s (0s: seen in one sample).")
            String hold,
            @JsonPropertyDescription("The revision Alembic was running when the hold began.")
            String revision,
            @JsonPropertyDescription("Whether the relation's file changed during the upgrade: a table rewrite.")
            Boolean rewritten,
            @JsonPropertyDescription("The longest continuous wait of Alembic's sessions for a lock on it, when seen.")
            String waited) {
    }
}
