package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Proves a custom-format archive can be restored by reading all of it: {@code pg_restore -f /dev/null ARCHIVE} turns the
 * whole archive, data included, into a script and throws the script away. {@code pg_restore --list} is not enough:
 * it reads only the table of contents at the start and happily lists a truncated file.
 */
public final class ArchiveVerifier {

    private ArchiveVerifier() {
    }

    public static void verify(Tools tools, Path archive) throws RunnerException {
        if (!Files.isRegularFile(archive)) {
            throw new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED, "archive " + archive + " does not exist");
        }
        // No connection: without -d pg_restore only reads the file. The empty environment adds nothing.
        ExternalProcess.Outcome outcome = ExternalProcess.supervise("verifying " + archive,
                e -> new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED,
                        "cannot run " + tools.pgRestore() + " to verify the backup: " + e.getMessage(), e),
                () -> ExternalProcess.run(
                        List.of(tools.pgRestore(), "-f", "/dev/null", archive.toAbsolutePath().toString()),
                        null, Map.of(), null));
        if (outcome.exitCode() != 0) {
            throw new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED, "backup " + archive.getFileName()
                    + " cannot be read back (pg_restore exit " + outcome.exitCode() + "): "
                    + Truncation.truncate(outcome.tail(5), 1000));
        }
    }
}
