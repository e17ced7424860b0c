package io.dbmigrate.observe;

/**
 * One pod of a migration Job: the backup container (absent when backups are disabled), the rehearse container
 * (present when the step rehearses) and the main container: {@code migrate} in a step's Job, {@code stamp} in a stamp
 * Job, {@code plan} in a plan Job. A container that has not started yet is null.
 */
public record Attempt(ContainerOutcome backup, ContainerOutcome rehearse, ContainerOutcome main) {

    /** A pod without a rehearsal. */
    public Attempt(ContainerOutcome backup, ContainerOutcome main) {
        this(backup, null, main);
    }

    /** The container whose failure ended this attempt, if one did. */
    public ContainerOutcome failure() {
        if (backup != null && backup.failed()) {
            return backup;
        }
        if (rehearse != null && rehearse.failed()) {
            return rehearse;
        }
        if (main != null && main.failed()) {
            return main;
        }
        return null;
    }

    /**
     * The container the pod cannot get past, when it waits for something other than routine start-up
     * (CreateContainerConfigError for a missing Secret key, ErrImagePull): the backup container, or the main
     * container once the backup (and rehearsal) is done. The pod cannot go on until that is fixed.
     */
    public ContainerOutcome blockedContainer() {
        if (blocked(backup)) {
            return backup;
        }
        boolean backupDone = backup == null || backup.succeeded();
        if (backupDone && blocked(rehearse)) {
            return rehearse;
        }
        boolean rehearsalDone = rehearse == null || rehearse.succeeded();
        return backupDone && rehearsalDone && blocked(main) ? main : null;
    }

    private static boolean blocked(ContainerOutcome container) {
        return container != null && container.state() == ContainerOutcome.State.Waiting && container.reason() != null
                && !"PodInitializing".equals(container.reason()) && !"ContainerCreating".equals(container.reason());
    }

    /** Whether any container of the pod has run: before that, the pod is still being scheduled or pulled. */
    public boolean started() {
        return hasRun(backup) || hasRun(rehearse) || hasRun(main);
    }

    private static boolean hasRun(ContainerOutcome container) {
        return container != null && container.state() != ContainerOutcome.State.Waiting;
    }

    /** Whether the backup is done and the rehearsal on its copy runs. */
    public boolean rehearsing() {
        return (backup == null || backup.succeeded()) && rehearse != null && !rehearse.succeeded() && !rehearse.failed()
                && rehearse.state() != ContainerOutcome.State.Waiting;
    }

    /** Whether the backup and rehearsal are done and the main container runs (or has ended well). */
    public boolean migrating() {
        return (backup == null || backup.succeeded()) && (rehearse == null || rehearse.succeeded()) && main != null
                && !main.failed();
    }
}
