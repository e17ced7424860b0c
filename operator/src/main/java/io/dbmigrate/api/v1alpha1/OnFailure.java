package io.dbmigrate.api.v1alpha1;

/** What happens after a step's migration or verification fails. */
public enum OnFailure {
  /** Stop where the failure left the database. */
  Halt,
  /** Downgrade to the revision the step started from, then stop. */
  Downgrade
}
