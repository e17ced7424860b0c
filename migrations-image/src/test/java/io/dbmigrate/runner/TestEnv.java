package io.dbmigrate.runner;

import java.util.HashMap;
import java.util.Map;

/** Environments for the tests: a base with some variables set or, given null, removed. */
final class TestEnv {

    private TestEnv() {
    }

    /** {@code base} with {@code keyValues} (name, value, name, value, ...); a null value removes the name. */
    static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> env = new HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                env.remove(keyValues[i]);
            } else {
                env.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return env;
    }
}
