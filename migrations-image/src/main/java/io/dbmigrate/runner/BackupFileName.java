package io.dbmigrate.runner;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <name>_<yyyyMMdd'T'HHmmssSSS'Z'>_<label>.dump}. The timestamp sorts as text and as time, and the {@code _}
 * cannot occur in a Kubernetes name, so one resource's prefix never matches another resource's files.
 */
final class BackupFileName {

    static final String SUFFIX = ".dump";
    static final String METADATA_SUFFIX = ".json";
    static final String PARTIAL_SUFFIX = ".partial";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private BackupFileName() {
    }

    static String of(String name, Instant at, String label) {
        return name + "_" + STAMP.format(at) + "_" + label + SUFFIX;
    }

    /** The time in an archive name of resource {@code name}; empty for anything else (other resources, other files). */
    static Optional<Instant> timestampOf(String name, String fileName) {
        Matcher m = Pattern.compile(Pattern.quote(name) + "_([0-9]{8}T[0-9]{9}Z)_[A-Za-z0-9-]{1,32}" + Pattern.quote(SUFFIX))
                .matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(STAMP.parse(m.group(1))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** As {@link #timestampOf(String, String)}, for archives labelled {@code label} only. */
    static Optional<Instant> timestampOf(String name, String label, String fileName) {
        return fileName.endsWith("_" + label + SUFFIX) ? timestampOf(name, fileName) : Optional.empty();
    }

    static boolean isStalePartial(String name, String fileName) {
        return fileName.startsWith(name + "_") && fileName.endsWith(PARTIAL_SUFFIX);
    }
}
