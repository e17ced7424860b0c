package io.dbmigrate.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.testing.docker.TestEngine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The runner in a team's image starts from the class-data archive the migrations image's build made
 * (docker/train-class-data): the entrypoint names it, and the JVM finds it valid for this jar and this JRE. An archive
 * made for another jar, or not named, would be skipped without a word, and every Job would start slower.
 */
class ClassDataArchiveIT {

    @Test
    void theEntrypointStartsTheRunnerFromTheImagesValidArchive() {
        TestEngine engine = TestEngine.fromEnvironmentOrSkip();
        TestEngine.Result result = engine.run(engine.images().team())
                .env("DBMIGRATE_JAVA_OPTS", "-XX:+PrintSharedArchiveAndExit")
                .toEnd(Duration.ofMinutes(1), "--version");
        String output = result.combined();
        assertEquals(0, result.exitCode(), output);
        assertTrue(output.contains("Dynamic archive name: /opt/dbmigrate/dbmigrate-runner.jsa"), output);
        assertTrue(output.strip().endsWith("archive is valid"), output);
    }
}
