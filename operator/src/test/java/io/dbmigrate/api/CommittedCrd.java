package io.dbmigrate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;

/** The CRDs committed under crds/, read as `kubectl apply` installs them, for the schema tests. */
final class CommittedCrd {
    private CommittedCrd() {
    }

    /** The named file under crds/ (the repository root is the module's parent unless dbmigrate.repo.root says). */
    static JsonNode read(String file) {
        Path root = Path.of(System.getProperty("dbmigrate.repo.root", ".."));
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(root.resolve("crds").resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON array of strings, such as a schema's required list, in its order. */
    static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
