package io.dbmigrate.testing;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Timestamps as the API server stores them: RFC 3339, UTC, whole seconds (metav1.Time). */
public final class KubeTime {

    private KubeTime() {
    }

    public static String now() {
        return format(Instant.now());
    }

    public static String format(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Null for null or unparseable text: a missing time is never a reason to crash a fixture. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
