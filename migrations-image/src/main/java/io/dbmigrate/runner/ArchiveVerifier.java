package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.Truncation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Proves a custom-format archive can be restored by reading all of it: {@code pg_restore -f /dev/null} turns the whole
 * archive, data included, into a script and throws the script away; every data block is decompressed, so a flipped
 * byte fails zlib's check and a cut one fails at its end. {@code pg_restore --list} is not enough: it reads only the
 * table of contents at the start and happily lists a truncated file. A backup runs it on the archive as pg_dump writes
 * it ({@link OnePassDump}); {@link #verify} on a file.
 */
public final class ArchiveVerifier {

    private ArchiveVerifier() {
    }

    public static void verify(Tools tools, Path archive) throws RunnerException {
        if (!Files.isRegularFile(archive)) {
            throw new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED, "archive " + archive + " does not exist");
        }
        List<String> command = new ArrayList<>(readingStandardInput(tools));
        command.add(archive.toAbsolutePath().toString());
        // No connection: without -d pg_restore only reads the file. The empty environment adds nothing.
        ExternalProcess.Outcome outcome = ExternalProcess.supervise("verifying " + archive,
                e -> cannotRun(tools, e), () -> ExternalProcess.run(command, null, Map.of(), null));
        if (outcome.exitCode() != 0) {
            throw unreadable(archive, outcome.exitCode(), outcome.tail(5));
        }
    }

    /** pg_restore reading an archive from its standard input (or from the file added after these arguments). */
    static List<String> readingStandardInput(Tools tools) {
        return List.of(tools.pgRestore(), "-f", "/dev/null");
    }

    static RunnerException cannotRun(Tools tools, Exception e) {
        return new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED,
                "cannot run " + tools.pgRestore() + " to verify the backup: " + e.getMessage(), e);
    }

    static RunnerException unreadable(Path archive, int exitCode, String outputTail) {
        return new RunnerException(ExitCode.BACKUP_VERIFICATION_FAILED, "backup " + archive.getFileName()
                + " cannot be read back (pg_restore exit " + exitCode + "): " + Truncation.truncate(outputTail, 1000));
    }
}
