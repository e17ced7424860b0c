package io.dbmigrate.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.local.ManifestReader;
import io.dbmigrate.validate.SetValidator;
import io.dbmigrate.validate.SpecValidator;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```yaml block in docs/*.md must be YAML (all its documents), every Kubernetes object in it must deserialize
 * into its fabric8 type, and every DatabaseMigration must be one the operator accepts: read as strictly as
 * `dbmigrate run` reads a manifest (an unknown field fails) and valid for SpecValidator (a DatabaseMigrationSet, for
 * SetValidator); a status shown with it must be
 * a DatabaseMigrationStatus, field for field. A broken example fails the build.
 */
class DocsYamlTest {
    private static final Path DOCS = Path.of(System.getProperty("dbmigrate.repo.root", ".."), "docs");
    // A fence may be indented (inside a list item); the block ends at a fence with the same indentation.
    private static final Pattern YAML_BLOCK = Pattern.compile("(?m)^([ \\t]*)```yaml[ \\t]*\\n(.*?)^\\1```[ \\t]*$",
            Pattern.DOTALL);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String DATABASE_MIGRATION_API = DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION;

    record Block(Path file, int line, String text) {
        @Override
        public String toString() {
            return DOCS.relativize(file) + ":" + line;
        }
    }

    @Test
    void everyYamlBlockInTheDocsIsValid(@TempDir Path scratch) throws IOException {
        List<Block> blocks = blocks();
        assertTrue(!blocks.isEmpty(), "no yaml blocks found in " + DOCS.toAbsolutePath() + "/*.md");
        List<String> problems = new ArrayList<>();
        int migrations = 0;
        int sets = 0;
        for (Block block : blocks) {
            List<Object> documents;
            try (YAMLParser parser = new YAMLFactory().createParser(block.text())) {
                documents = YAML.readValues(parser, Object.class).readAll();
            } catch (IOException e) {
                problems.add(block + ": not valid YAML: " + e.getMessage());
                continue;
            }
            for (Object document : documents) {
                if (!(document instanceof Map<?, ?> object)) {
                    continue; // an empty document between two ---
                }
                Object apiVersion = object.get("apiVersion");
                Object kind = object.get("kind");
                if (apiVersion == null || kind == null) {
                    continue; // a values file or a fragment: parsing it was the check
                }
                if (DATABASE_MIGRATION_API.equals(apiVersion) && "DatabaseMigration".equals(kind)) {
                    migrations++;
                    problems.addAll(checkMigration(block, object, scratch.resolve("migration-" + migrations + ".yaml")));
                    continue;
                }
                if (DATABASE_MIGRATION_API.equals(apiVersion) && "DatabaseMigrationSet".equals(kind)) {
                    sets++;
                    problems.addAll(checkSet(block, object));
                    continue;
                }
                Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(
                        apiVersion.toString(), kind.toString());
                if (type != null) {
                    try {
                        SERIALIZATION.convertValue(object, type);
                    } catch (RuntimeException e) {
                        problems.add(block + ": " + kind + " does not deserialize: " + e.getMessage());
                    }
                }
            }
        }
        assertTrue(migrations > 0, "no DatabaseMigration found in the docs' yaml blocks");
        assertTrue(sets > 0, "no DatabaseMigrationSet found in the docs' yaml blocks");
        assertEquals(List.of(), problems);
    }

    @Test
    void aBrokenExampleIsCaught(@TempDir Path scratch) throws IOException {
        // The checks above must be able to fail: an unknown field, a bad value, a misspelt status field, and broken YAML.
        Block unknownField = new Block(DOCS.resolve("example.md"), 1, """
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: crm}
        spec:
          database: {hots: crm-db, name: crm, credentialsSecret: {name: crm-db}}
          migrations: {image: crm-migrations:1}
          targetRevision: head
          backup: {mode: Disabled, reason: test}
        """);
        Map<?, ?> object = YAML.readValue(unknownField.text(), Map.class);
        assertEquals(List.of("example.md:1: DatabaseMigration crm: " + scratch.resolve("a.yaml") + ": spec.database.hots: unknown field"),
                checkMigration(unknownField, object, scratch.resolve("a.yaml")));

        Map<?, ?> invalid = YAML.readValue(unknownField.text().replace("hots", "host").replace("test", "\"\""), Map.class);
        assertEquals(List.of("example.md:1: DatabaseMigration crm: spec.backup.reason is required when spec.backup.mode is Disabled"),
                checkMigration(unknownField, invalid, scratch.resolve("b.yaml")));

        Map<?, ?> badStatus = YAML.readValue(unknownField.text().replace("hots", "host")
                + "status: {phase: Succeeded, currentRevison: abc}\n", Map.class);
        List<String> statusProblems = checkMigration(unknownField, badStatus, scratch.resolve("c.yaml"));
        assertEquals(1, statusProblems.size(), statusProblems.toString());
        assertTrue(statusProblems.get(0).contains("status: Unrecognized field \"currentRevison\""), statusProblems.get(0));

        Map<?, ?> set = YAML.readValue("""
                apiVersion: dbmigrate.io/v1alpha1
                kind: DatabaseMigrationSet
                metadata: {name: tenants}
                spec:
                  template:
                    migrations: {image: crm-migrations:1}
                    targetRevision: head
                    backup: {volume: {persistentVolumeClaim: {claimName: tenant-backups}}}
                  generators: [{secrets: {matchLabels: {tier: tenant}}}]
                  rollout: {maxParalel: 8}
                """, Map.class);
        List<String> setProblems = checkSet(unknownField, set);
        assertEquals(1, setProblems.size(), setProblems.toString());
        assertTrue(setProblems.get(0).contains("Unrecognized field \"maxParalel\""), setProblems.get(0));
        Map<?, ?> invalidSet = YAML.readValue(YAML.writeValueAsString(set).replace("maxParalel", "maxParallel")
                .replace("8", "0"), Map.class);
        assertEquals(List.of("example.md:1: DatabaseMigrationSet tenants: spec.rollout.maxParallel: must be between 1 "
                + "and 100, got 0"), checkSet(unknownField, invalidSet));

        try (YAMLParser parser = new YAMLFactory().createParser("a: [1, 2\nb: c\n")) {
            YAML.readValues(parser, Object.class).readAll();
            fail("an unclosed flow sequence must not parse");
        } catch (IOException expected) {
            // what everyYamlBlockInTheDocsIsValid reports as "not valid YAML"
        }
    }

    // A set, read as strictly as a DatabaseMigration (an unknown field fails) and valid for SetValidator.
    private static List<String> checkSet(Block block, Map<?, ?> object) {
        String name = String.valueOf(((Map<?, ?>) object.get("metadata")).get("name"));
        DatabaseMigrationSet set = new DatabaseMigrationSet();
        try {
            set.setMetadata(STRICT.convertValue(object.get("metadata"), ObjectMeta.class));
            set.setSpec(STRICT.convertValue(object.get("spec"), DatabaseMigrationSetSpec.class));
        } catch (IllegalArgumentException e) {
            return List.of(block + ": DatabaseMigrationSet " + name + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        return SetValidator.problems(set).stream().map(p -> block + ": DatabaseMigrationSet " + name + ": " + p).toList();
    }

    private static List<String> checkMigration(Block block, Map<?, ?> object, Path file) throws IOException {
        Files.writeString(file, YAML.writeValueAsString(object));
        String name = String.valueOf(((Map<?, ?>) object.get("metadata")).get("name"));
        DatabaseMigration resource;
        try {
            resource = ManifestReader.read(file);
        } catch (ManifestReader.ManifestException e) {
            return List.of(block + ": DatabaseMigration " + name + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>(SpecValidator.problems(resource.getSpec()).stream()
                .map(problem -> block + ": DatabaseMigration " + name + ": " + problem)
                .toList());
        if (object.get("status") != null) {
            try {
                STRICT.convertValue(object.get("status"), DatabaseMigrationStatus.class);
            } catch (IllegalArgumentException e) {
                problems.add(block + ": DatabaseMigration " + name + ": status: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return problems;
    }

    static List<Block> blocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(DOCS)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
        assertTrue(!files.isEmpty(), "no markdown files in " + DOCS.toAbsolutePath());
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher matcher = YAML_BLOCK.matcher(text);
            while (matcher.find()) {
                String indent = matcher.group(1);
                String body = matcher.group(2).lines()
                        .map(line -> line.startsWith(indent) ? line.substring(indent.length()) : line)
                        .reduce("", (a, b) -> a + b + "\n");
                int line = (int) text.substring(0, matcher.start()).chars().filter(c -> c == '\n').count() + 1;
                blocks.add(new Block(file, line, body));
            }
        }
        return blocks;
    }
}
