package io.dbmigrate.contract;

import java.nio.file.Path;

/**
 * A rehearsal: restore the step's backup into a scratch database, run the step's upgrade there and drop the copy.
 *
 * @param archive   the archive to restore; null to take the newest archive of {@code name} labelled {@code label} in
 *                  {@code directory} (in a Job, the backup container of the same pod just wrote it)
 * @param upgrade   the step's upgrade, with the same safety settings and verification queries as in production
 * @param roundTrip also downgrade the copy back to where it started and upgrade it again
 */
public record RehearsalRequest(Path archive, Path directory, String name, String label, UpgradeRequest upgrade,
                               boolean roundTrip) {

    public void validate() throws RunnerException {
        validate("directory", "name", "label");
    }

    /**
     * The name is always required: it keys the scratch database's name. Directory and label only when the archive is
     * to be found there.
     */
    public void validate(String directoryField, String nameField, String labelField) throws RunnerException {
        if (upgrade == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, "the upgrade to rehearse is required");
        }
        if (archive == null) {
            new BackupRequest(directory, name, label, 1).validate(directoryField, nameField, labelField, "retain", "compression");
        } else {
            new BackupRequest(archive.toAbsolutePath().getParent(), name, "x", 1)
                    .validate(directoryField, nameField, labelField, "retain", "compression");
        }
        upgrade.validate();
    }
}
