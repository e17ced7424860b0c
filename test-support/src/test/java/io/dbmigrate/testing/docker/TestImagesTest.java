package io.dbmigrate.testing.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TestImagesTest {

    private static final String HOST = "unix:///run/dbmigrate-docker/docker.sock";

    @Test
    void neitherVariableMeansNoImages() {
        assertEquals(Optional.empty(), TestImages.parse(null, null));
        assertEquals(Optional.empty(), TestImages.parse("", " "));
    }

    @Test
    void readsTheThreeRolesInAnyOrder() {
        assertEquals(
                Optional.of(new TestImages(HOST, "m:1", "dbmigrate/operator:test", "crm:test")),
                TestImages.parse(HOST, "team=crm:test, operator=dbmigrate/operator:test,migrations=m:1"));
    }

    @Test
    void refusesHalfASetting() {
        refused("only DBMIGRATE_TEST_DOCKER_HOST", () -> TestImages.parse(HOST, null));
        refused("only DBMIGRATE_TEST_IMAGES", () -> TestImages.parse(null, "migrations=m"));
    }

    @Test
    void refusesWhatItCannotRead() {
        refused("unix://", () -> TestImages.parse("tcp://10.0.0.1:2375", "migrations=m,operator=o,team=t"));
        refused("all three roles", () -> TestImages.parse(HOST, "migrations=m,operator=o"));
        refused("unknown role(s) [extra]", () -> TestImages.parse(HOST, "migrations=m,operator=o,team=t,extra=x"));
        refused("given twice", () -> TestImages.parse(HOST, "migrations=m,migrations=n,operator=o,team=t"));
        refused("expected role=image", () -> TestImages.parse(HOST, "migrations"));
    }

    private static void refused(String expected, Executable parse) {
        String message = assertThrows(IllegalArgumentException.class, parse).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
