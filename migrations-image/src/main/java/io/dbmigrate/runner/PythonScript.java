package io.dbmigrate.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The runner's small Python programs, resources of this jar, run as {@code python -B -c <source>}: nothing to write,
 * so a read-only root filesystem without a writable /tmp works too, and -B keeps __pycache__ out of the migrations.
 */
final class PythonScript {

    private PythonScript() {
    }

    static String source(String resource) {
        try (InputStream in = PythonScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the runner jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
