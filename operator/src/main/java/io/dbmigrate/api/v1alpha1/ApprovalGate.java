package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A person approves the step after reading its plan. */
public record ApprovalGate(
    @JsonPropertyDescription("Approves the step from the spec. The annotation dbmigrate.io/approve (a comma-separated "
        + "list of step names) approves it too.")
    Boolean approved) {

  public boolean approvedInSpec() {
    return Boolean.TRUE.equals(approved);
  }
}
