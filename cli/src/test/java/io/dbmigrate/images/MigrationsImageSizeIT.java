package io.dbmigrate.images;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.testing.docker.TestEngine;
import org.junit.jupiter.api.Test;

/**
 * The migrations image stays lean: every Job pod pulls it (a team image is this plus a few kilobytes of migrations),
 * often on a node that has not seen it, and the pull is on the path of every rollout.
 */
class MigrationsImageSizeIT {

    /**
     * 470 MB: what the image is today (about 460 MB with Debian's client) and some room. It holds Debian
     * bookworm-slim (75 MB), Debian's headless Java 17 JRE (about 190 MB installed), Python 3.11 with Alembic,
     * SQLAlchemy and psycopg2 (about 55 MB), Perl (about 50 MB, which postgresql-client-common's wrappers need), the
     * PostgreSQL client (9 MB), squawk, the runner jar (4 MB) and its class-data archive (14 MB, about 0.2 s off every
     * runner's start). Going past it means something heavy came in: a JDK for the JRE, recommended packages, apt's
     * lists, a second Python, the class-data stage's PostgreSQL server.
     */
    private static final long LIMIT_BYTES = 470_000_000L;

    @Test
    void migrationsImageStaysUnderItsLimit() {
        TestEngine engine = TestEngine.fromEnvironmentOrSkip();
        String image = engine.images().migrations();
        long size = engine.imageSize(image);
        assertTrue(size <= LIMIT_BYTES, () -> image + " is " + size / 1_000_000 + " MB, over its limit of "
                + LIMIT_BYTES / 1_000_000 + " MB");
    }
}
