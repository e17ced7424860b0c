package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The Alembic projects in the repository's examples/ folder (failsafe passes the repository's root). */
final class Examples {

    private Examples() {
    }

    /** The repository's root, absolute. */
    static Path repositoryRoot() {
        String root = System.getProperty("dbmigrate.repo.root");
        assertTrue(root != null && !root.isBlank(), "system property dbmigrate.repo.root (set by failsafe)");
        return Path.of(root).toAbsolutePath().normalize();
    }

    /** examples/{@code name} itself, absolute. */
    static Path dir(String name) {
        Path dir = repositoryRoot().resolve("examples").resolve(name);
        assertTrue(Files.isRegularFile(dir.resolve("alembic.ini")), "no alembic.ini in " + dir);
        return dir;
    }

    /** examples/{@code name}'s project (alembic.ini, env.py, script.py.mako, versions/*.py) copied to {@code copy}. */
    static Path copy(String name, Path copy) throws IOException {
        Path source = dir(name);
        Files.createDirectories(copy.resolve("versions"));
        for (String file : List.of("alembic.ini", "env.py", "script.py.mako")) {
            Files.copy(source.resolve(file), copy.resolve(file));
        }
        try (Stream<Path> versions = Files.list(source.resolve("versions"))) {
            for (Path v : versions.filter(p -> p.toString().endsWith(".py")).toList()) {
                Files.copy(v, copy.resolve("versions").resolve(v.getFileName()));
            }
        }
        return copy;
    }
}
