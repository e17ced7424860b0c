package io.dbmigrate.plan;

/**
 * One pod of a migration Job: the backup container (absent when backups are disabled) and the migrate container.
 * A container that has not started yet is null.
 */
public record Attempt(ContainerOutcome backup, ContainerOutcome migrate) {

  /** The container whose failure ended this attempt, if one did. */
  public ContainerOutcome failure() {
    if (backup != null && backup.failed()) {
      return backup;
    }
    if (migrate != null && migrate.failed()) {
      return migrate;
    }
    return null;
  }

  /**
   * The container the pod cannot get past, when it waits for something other than routine start-up
   * (CreateContainerConfigError for a missing Secret key, ErrImagePull): the backup container, or the migrate
   * container once the backup is done. The pod cannot go on until that is fixed.
   */
  public ContainerOutcome blockedContainer() {
    if (blocked(backup)) {
      return backup;
    }
    boolean backupDone = backup == null || backup.succeeded();
    return backupDone && blocked(migrate) ? migrate : null;
  }

  private static boolean blocked(ContainerOutcome container) {
    return container != null && container.state() == ContainerOutcome.State.Waiting && container.reason() != null
        && !"PodInitializing".equals(container.reason()) && !"ContainerCreating".equals(container.reason());
  }

  /** Whether any container of the pod has run: before that, the pod is still being scheduled or pulled. */
  public boolean started() {
    return hasRun(backup) || hasRun(migrate);
  }

  private static boolean hasRun(ContainerOutcome container) {
    return container != null && container.state() != ContainerOutcome.State.Waiting;
  }

  public boolean migrating() {
    return (backup == null || backup.succeeded()) && migrate != null && !migrate.failed();
  }
}
