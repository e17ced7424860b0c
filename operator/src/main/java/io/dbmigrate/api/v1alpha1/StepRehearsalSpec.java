package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** A step's own rehearsal settings; what it leaves out comes from spec.rehearsal. */
public record StepRehearsalSpec(
    @JsonPropertyDescription("Required or Disabled for this step; default spec.rehearsal.mode.")
    RehearsalSpec.RehearsalMode mode,

    @JsonPropertyDescription("Round trip (downgrade and upgrade again) for this step; default spec.rehearsal.roundTrip.")
    Boolean roundTrip,

    // Whole, not merged key by key: a step that must rewrite (a contract step in a maintenance window) drops the
    // spec's budget with {}, and a step's budget reads as it is written.
    @JsonPropertyDescription("This step's lock budget, as spec.rehearsal.maxLockHold, which it replaces whole ({} for "
        + "none); default spec.rehearsal.maxLockHold.")
    Map<String, String> maxLockHold) {

    /** Without a lock budget of its own. */
    public StepRehearsalSpec(RehearsalSpec.RehearsalMode mode, Boolean roundTrip) {
        this(mode, roundTrip, null);
    }
}
