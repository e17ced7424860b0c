package io.dbmigrate.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The manifest the local-mode tests run examples/crm with: a DatabaseMigration named crm on database crm with crm's
 * image (the run is pointed at the test's database by its environment), and the rest of the spec the test's own.
 */
final class CrmManifest {

    private CrmManifest() {
    }

    /** Writes the manifest to {@code file}, with {@code specYaml} (the keys below {@code spec:}) in its spec. */
    static Path write(Path file, String specYaml) throws IOException {
        return Files.writeString(file, """
                apiVersion: dbmigrate.io/v1alpha1
                kind: DatabaseMigration
                metadata: {name: crm}
                spec:
                  database: {host: localhost, name: crm, credentialsSecret: {name: crm-db}}
                  migrations: {image: registry.example.com/crm-migrations:1.0.0}
                """ + indented(specYaml, "  "));
    }

    /** {@code yaml}, its common indentation stripped, with {@code indent} before each line. */
    static String indented(String yaml, String indent) {
        return yaml.stripIndent().lines().map(line -> indent + line).reduce("", (a, b) -> a + b + "\n");
    }
}
