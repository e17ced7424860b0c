package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A step's own rehearsal settings; what it leaves out comes from spec.rehearsal. */
public record StepRehearsalSpec(
    @JsonPropertyDescription("Required or Disabled for this step; default spec.rehearsal.mode.")
    RehearsalSpec.RehearsalMode mode,

    @JsonPropertyDescription("Round trip (downgrade and upgrade again) for this step; default spec.rehearsal.roundTrip.")
    Boolean roundTrip) {
}
