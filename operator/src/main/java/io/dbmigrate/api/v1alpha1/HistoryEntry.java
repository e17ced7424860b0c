package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One completed step, stamp or baseline, oldest first in status.history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryEntry(
        @JsonPropertyDescription("Step, Stamp or Baseline.")
        String kind,
        @JsonPropertyDescription("The step's name (kind Step).")
        String step,
        @JsonPropertyDescription("The metadata.generation it ran for.")
        Long generation,
        @JsonPropertyDescription("The Job that ran it.")
        String job,
        @JsonPropertyDescription("Succeeded or Failed.")
        String outcome,
        @JsonPropertyDescription("Why, when it failed (MigrationFailed, RehearsalFailed, ...).")
        String reason,
        @JsonPropertyDescription("The revision before.")
        String fromRevision,
        @JsonPropertyDescription("The revision after, read from alembic_version.")
        String toRevision,
        @JsonPropertyDescription("The revisions applied (or undone), in order.")
        List<String> appliedRevisions,
        @JsonPropertyDescription("The backup taken first.")
        String backupFile,
        @JsonPropertyDescription("Passed or Failed, when the step rehearsed on a restored copy first.")
        String rehearsal,
        @JsonPropertyDescription("How long the copy's upgrade took, when the rehearsal passed.")
        String rehearsalDuration,
        @JsonPropertyDescription("Who asked for a stamp.")
        String requestedBy,
        @JsonPropertyDescription("RFC 3339.")
        String startedAt,
        @JsonPropertyDescription("RFC 3339.")
        String finishedAt,
        @JsonPropertyDescription("The step's fingerprint (database, image, target): a later run of the same step takes "
                + "this run's rehearsal duration as its expected duration only when it matches.")
        String fingerprint) {

    public static final String STEP = "Step";
    public static final String STAMP = "Stamp";
    public static final String BASELINE = "Baseline";

    /** The run of a step, to be filled in. */
    public static Builder step(String step, Long generation, String job) {
        return new Builder(STEP, step, generation, job);
    }

    /** A stamp ({@link #STAMP}) or a baseline ({@link #BASELINE}), to be filled in. */
    public static Builder stamp(String kind, Long generation, String job) {
        return new Builder(kind, null, generation, job);
    }

    /** An entry field group by field group; what is not given stays empty. */
    public static final class Builder {
        private final String kind;
        private final String step;
        private final Long generation;
        private final String job;
        private String outcome;
        private String reason;
        private String fromRevision;
        private String toRevision;
        private List<String> appliedRevisions;
        private String backupFile;
        private String rehearsal;
        private String rehearsalDuration;
        private String requestedBy;
        private String startedAt;
        private String finishedAt;
        private String fingerprint;

        private Builder(String kind, String step, Long generation, String job) {
            this.kind = kind;
            this.step = step;
            this.generation = generation;
            this.job = job;
        }

        /** Succeeded or Failed, and why it failed. */
        public Builder outcome(String outcome, String reason) {
            this.outcome = outcome;
            this.reason = reason;
            return this;
        }

        public Builder revisions(String from, String to, List<String> applied) {
            this.fromRevision = from;
            this.toRevision = to;
            this.appliedRevisions = applied;
            return this;
        }

        public Builder backupFile(String file) {
            this.backupFile = file;
            return this;
        }

        public Builder rehearsal(String result, String duration) {
            this.rehearsal = result;
            this.rehearsalDuration = duration;
            return this;
        }

        public Builder requestedBy(String manager) {
            this.requestedBy = manager;
            return this;
        }

        public Builder times(String started, String finished) {
            this.startedAt = started;
            this.finishedAt = finished;
            return this;
        }

        public Builder fingerprint(String value) {
            this.fingerprint = value;
            return this;
        }

        public HistoryEntry build() {
            return new HistoryEntry(kind, step, generation, job, outcome, reason, fromRevision, toRevision, appliedRevisions,
                    backupFile, rehearsal, rehearsalDuration, requestedBy, startedAt, finishedAt, fingerprint);
        }
    }
}
