package io.dbmigrate.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the DatabaseMigration out of a manifest file (the first one, when the file holds several documents), as
 * strictly as `kubectl apply --validate=strict`: an unknown or mistyped field is an error that names it.
 */
public final class ManifestReader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper STRICT = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  private static final String API_VERSION = DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION;

  private ManifestReader() {
  }

  /** Thrown for a file that is not a readable DatabaseMigration; the message names the file and the field. */
  public static final class ManifestException extends Exception {
    ManifestException(String message) {
      super(message);
    }
  }

  public static DatabaseMigration read(Path file) throws ManifestException {
    List<JsonNode> documents;
    try (YAMLParser parser = new YAMLFactory().createParser(Files.readString(file))) {
      documents = YAML.readValues(parser, JsonNode.class).readAll();
    } catch (NoSuchFileException e) {
      throw new ManifestException(file + ": no such file");
    } catch (JsonProcessingException e) {
      throw new ManifestException(file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ManifestException(file + ": cannot be read: " + e.getMessage());
    }
    JsonNode document = documents.stream()
        .filter(node -> node != null && "DatabaseMigration".equals(node.path("kind").asText()))
        .findFirst()
        .orElseThrow(() -> new ManifestException(file + ": no document with kind: DatabaseMigration"));
    if (!API_VERSION.equals(document.path("apiVersion").asText())) {
      throw new ManifestException(file + ": apiVersion: must be " + API_VERSION + ", got \""
          + document.path("apiVersion").asText() + "\"");
    }
    DatabaseMigration resource = new DatabaseMigration();
    try {
      resource.setMetadata(YAML.treeToValue(document.path("metadata"), ObjectMeta.class));
      resource.setSpec(document.hasNonNull("spec") ? STRICT.treeToValue(document.get("spec"), DatabaseMigrationSpec.class)
          : null);
    } catch (UnrecognizedPropertyException e) {
      throw new ManifestException(file + ": " + path(e) + ": unknown field");
    } catch (JsonMappingException e) {
      throw new ManifestException(file + ": " + path(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ManifestException(file + ": " + e.getOriginalMessage());
    }
    if (resource.getMetadata() == null || resource.getMetadata().getName() == null) {
      throw new ManifestException(file + ": metadata.name is required");
    }
    return resource;
  }

  private static String path(JsonMappingException e) {
    return "spec" + e.getPath().stream()
        .map(reference -> reference.getFieldName() != null ? "." + reference.getFieldName() : "[" + reference.getIndex() + "]")
        .collect(Collectors.joining());
  }
}
