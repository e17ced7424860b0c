package io.dbmigrate.observe;

import java.util.List;

/** Whether the credentials Secret exists and holds the keys the Job will read. Values are never looked at. */
public record SecretObservation(boolean exists, List<String> missingKeys) {

    public static final SecretObservation PRESENT = new SecretObservation(true, List.of());
    public static final SecretObservation MISSING = new SecretObservation(false, List.of());

    public SecretObservation {
        missingKeys = List.copyOf(missingKeys);
    }

    public boolean usable() {
        return exists && missingKeys.isEmpty();
    }
}
