package io.dbmigrate.runner;

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
}
