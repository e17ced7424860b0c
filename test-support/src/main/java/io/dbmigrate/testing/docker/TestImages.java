package io.dbmigrate.testing.docker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker engine and the images that {@code scripts/test.sh} built, as it hands them to the tests: the engine's
 * socket in {@value #DOCKER_HOST_ENV} (e.g. {@code unix:///run/dbmigrate-docker/docker.sock}) and the images in
 * {@value #IMAGES_ENV} as {@code role=image} pairs separated by commas, e.g.
 * {@code migrations=dbmigrate/migrations:test,operator=dbmigrate/operator:test,team=crm-migrations:test}.
 *
 * <p>Both set means the image tests run and the test kubelet runs pods in containers; neither set means they do not
 * (the tests that need them say so when they skip); anything else is a mistake in the caller, refused at once rather
 * than read as "no images".
 */
public record TestImages(String dockerHost, String migrations, String operator, String team) {

    public static final String DOCKER_HOST_ENV = "DBMIGRATE_TEST_DOCKER_HOST";
    public static final String IMAGES_ENV = "DBMIGRATE_TEST_IMAGES";

    /** Why image tests skip when the environment has no images; scripts/test.sh sets both variables. */
    public static final String SKIP_REASON = DOCKER_HOST_ENV + " and " + IMAGES_ENV
            + " are not set: run scripts/test.sh, which builds the images and starts an engine";

    /** The images of this run, or empty when neither variable is set. */
    public static Optional<TestImages> fromEnvironment() {
        return parse(System.getenv(DOCKER_HOST_ENV), System.getenv(IMAGES_ENV));
    }

    static Optional<TestImages> parse(String dockerHost, String images) {
        boolean hasHost = dockerHost != null && !dockerHost.isBlank();
        boolean hasImages = images != null && !images.isBlank();
        if (!hasHost && !hasImages) {
            return Optional.empty();
        }
        if (!hasHost || !hasImages) {
            throw new IllegalArgumentException(
                    "set both " + DOCKER_HOST_ENV + " and " + IMAGES_ENV + ", or neither; only "
                            + (hasHost ? DOCKER_HOST_ENV : IMAGES_ENV) + " is set");
        }
        if (!dockerHost.startsWith("unix://")) {
            throw new IllegalArgumentException(
                    DOCKER_HOST_ENV + " must be a unix:// socket (tests use loopback only): " + dockerHost);
        }
        Map<String, String> byRole = new LinkedHashMap<>();
        for (String pair : images.split(",")) {
            int eq = pair.indexOf('=');
            String role = eq < 0 ? "" : pair.substring(0, eq).trim();
            String image = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (role.isEmpty() || image.isEmpty()) {
                throw new IllegalArgumentException(IMAGES_ENV + ": expected role=image, got \"" + pair + "\"");
            }
            if (byRole.put(role, image) != null) {
                throw new IllegalArgumentException(IMAGES_ENV + ": role " + role + " is given twice");
            }
        }
        String migrations = byRole.remove("migrations");
        String operator = byRole.remove("operator");
        String team = byRole.remove("team");
        if (!byRole.isEmpty()) {
            throw new IllegalArgumentException(
                    IMAGES_ENV + ": unknown role(s) " + byRole.keySet() + "; the roles are migrations, operator, team");
        }
        if (migrations == null || operator == null || team == null) {
            throw new IllegalArgumentException(
                    IMAGES_ENV + " must name all three roles (migrations, operator, team): " + images);
        }
        return Optional.of(new TestImages(dockerHost, migrations, operator, team));
    }
}
