package io.dbmigrate.contract;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What to back up where.
 *
 * @param directory where the archives live (a mounted volume in Kubernetes)
 * @param name      the owning resource's Kubernetes name; every file of this resource starts with {@code <name>_}
 * @param label     a short tag in the file name, e.g. {@code g3} for the resource's generation
 * @param retain    how many of this resource's archives to keep, the new one included
 * @param compression how pg_dump compresses; null for its default (gzip)
 */
public record BackupRequest(Path directory, String name, String label, int retain, BackupCompression compression) {

    /** With pg_dump's default compression. */
    public BackupRequest(Path directory, String name, String label, int retain) {
        this(directory, name, label, retain, null);
    }

    /** The compression asked for, or {@link BackupCompression#DEFAULT}. */
    public BackupCompression compressionOrDefault() {
        return compression == null ? BackupCompression.DEFAULT : compression;
    }

    public static final int DEFAULT_RETAIN = 5;

    // A Kubernetes resource name (DNS subdomain). It has no '_', which is what makes "<name>_" a safe prefix.
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9-]{1,32}");

    public void validate() throws RunnerException {
        validate("directory", "name", "label", "retain", "compression");
    }

    /** Validates, naming the fields as the caller knows them (the CLI says {@code --retain}, not {@code retain}). */
    public void validate(String directoryField, String nameField, String labelField, String retainField,
                         String compressionField) throws RunnerException {
        if (directory == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, directoryField + " (the backup directory) is required");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RunnerException(ExitCode.BAD_INPUT, nameField + " '" + name
                    + "' is not a Kubernetes resource name (lower case letters, digits, '-' and '.')");
        }
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new RunnerException(ExitCode.BAD_INPUT,
                    labelField + " '" + label + "' must be 1 to 32 letters, digits or '-'");
        }
        if (retain < 1) {
            throw new RunnerException(ExitCode.BAD_INPUT,
                    retainField + " must be at least 1 (the new backup counts), got " + retain);
        }
        if (compression != null) {
            compression.validate(compressionField);
        }
    }
}
