package io.dbmigrate.local;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the DatabaseMigration (or DatabaseMigrationSet) out of a manifest file as strictly as an API server with `kubectl apply
 * --validate=strict`: an unknown, duplicate or mistyped field is an error that names it, and no scalar is coerced
 * (YAML reads an unquoted {@code +1} as a number, which must not become the revision spec "1").
 */
public final class ManifestReader {
    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final ObjectMapper TREE = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper STRICT = strict();
    private static final String API_VERSION = DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION;
    private static final String SET_KIND = "DatabaseMigrationSet";
    private static final Set<String> KINDS = Set.of("DatabaseMigration", SET_KIND);

    private ManifestReader() {
    }

    // The API server's JSON decoding: a string field takes only a string, a number field only a number of its kind.
    private static ObjectMapper strict() {
        ObjectMapper mapper = YAMLMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** Thrown for a file that is not a readable DatabaseMigration; the message names the file and the field. */
    public static final class ManifestException extends Exception {
        ManifestException(String message) {
            super(message);
        }
    }

    /** One document of the file as the API server would decode it; status is what `-o yaml` printed, and ignored. */
    private record Document(String apiVersion, String kind, ObjectMeta metadata, DatabaseMigrationSpec spec,
                                                    JsonNode status) {
    }

    /** The same for a DatabaseMigrationSet. */
    private record SetDocument(String apiVersion, String kind, ObjectMeta metadata, DatabaseMigrationSetSpec spec,
                                                          JsonNode status) {
    }

    /** The file's one DatabaseMigration; a file holding a DatabaseMigrationSet instead is refused. */
    public static DatabaseMigration read(Path file) throws ManifestException {
        if (!(readResource(file) instanceof DatabaseMigration resource)) {
            throw new ManifestException(file + ": holds a DatabaseMigrationSet, where a DatabaseMigration is expected");
        }
        return resource;
    }

    /** The file's one DatabaseMigration or DatabaseMigrationSet, whichever it holds. */
    public static HasMetadata readResource(Path file) throws ManifestException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ManifestException(file + ": no such file");
        } catch (IOException e) {
            throw new ManifestException(file + ": cannot be read: " + e.getMessage());
        }
        Chosen found = chooseDocument(file, text);
        int chosen = found.index();
        if (SET_KIND.equals(found.kind())) {
            SetDocument document = decode(file, text, chosen, SetDocument.class);
            check(file, document.apiVersion(), document.metadata());
            DatabaseMigrationSet resource = new DatabaseMigrationSet();
            resource.setMetadata(document.metadata());
            resource.setSpec(document.spec());
            return resource;
        }
        Document document = decode(file, text, chosen, Document.class);
        check(file, document.apiVersion(), document.metadata());
        DatabaseMigration resource = new DatabaseMigration();
        resource.setMetadata(document.metadata());
        resource.setSpec(document.spec());
        return resource;
    }

    private static <T> T decode(Path file, String text, int chosen, Class<T> type) throws ManifestException {
        try (JsonParser parser = STRICT.getFactory().createParser(text)) {
            for (int index = 0; ; index++) {
                parser.nextToken();
                if (index == chosen) {
                    break;
                }
                parser.skipChildren();
            }
            try {
                return STRICT.readValue(parser, type);
            } catch (JsonMappingException e) {
                // Described while the parser is open: it still holds the token that did not fit.
                throw new ManifestException(file + ": " + FieldError.describe(e, text));
            }
        } catch (IOException e) {
            throw new ManifestException(file + ": not valid YAML: " + FieldError.originalMessage(e));
        }
    }

    private static void check(Path file, String apiVersion, ObjectMeta metadata) throws ManifestException {
        if (!API_VERSION.equals(apiVersion)) {
            throw new ManifestException(file + ": apiVersion: must be " + API_VERSION + ", got \"" + apiVersion + "\"");
        }
        if (metadata == null || metadata.getName() == null) {
            throw new ManifestException(file + ": metadata.name is required");
        }
    }

    /**
     * The index and kind of the file's one DatabaseMigration or DatabaseMigrationSet. Documents of other kinds (the Secret people
     * keep beside it) are skipped; two are refused, since local mode runs one and must not pick one silently.
     */
    private record Chosen(int index, String kind) {
    }

    private static Chosen chooseDocument(Path file, String text) throws ManifestException {
        List<JsonNode> documents = documents(file, text);
        List<Integer> migrations = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            if (documents.get(i) != null && KINDS.contains(documents.get(i).path("kind").asText())) {
                migrations.add(i);
            }
        }
        if (migrations.isEmpty()) {
            throw new ManifestException(file + ": no document with kind: DatabaseMigration (or " + SET_KIND + ")");
        }
        if (migrations.size() > 1) {
            boolean sets = migrations.stream().anyMatch(i -> SET_KIND.equals(documents.get(i).path("kind").asText()));
            throw new ManifestException(file + ": holds " + migrations.size() + " DatabaseMigrations"
                    + (sets ? " and " + SET_KIND + "s" : "") + " ("
                    + migrations.stream().map(i -> documents.get(i).path("metadata").path("name").asText("?"))
                    .collect(Collectors.joining(", ")) + "); dbmigrate run runs one: put each in a file of its own");
        }
        JsonNode document = documents.get(migrations.get(0));
        List<String> unknown = new ArrayList<>();
        document.fieldNames().forEachRemaining(name -> {
            if (!TOP_LEVEL.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ManifestException(file + ": " + String.join(", ", unknown) + ": unknown field"
                    + (unknown.size() > 1 ? "s" : "") + " (a " + document.path("kind").asText() + " has "
                    + String.join(", ", List.of("apiVersion", "kind", "metadata", "spec")) + ")");
        }
        return new Chosen(migrations.get(0), document.path("kind").asText());
    }

    private static List<JsonNode> documents(Path file, String text) throws ManifestException {
        List<JsonNode> documents = new ArrayList<>();
        try (JsonParser parser = TREE.getFactory().createParser(text)) {
            while (parser.nextToken() != null) {
                documents.add(TREE.readTree(parser));
            }
        } catch (IOException e) {
            throw new ManifestException(file + ": not valid YAML: " + FieldError.originalMessage(e));
        }
        return documents;
    }

    /** A binding error said as the field, the value found and what the field takes, without Java type names. */
    static final class FieldError {
        private FieldError() {
        }

        static String describe(JsonMappingException e, String text) {
            String field = path(e);
            if (e instanceof UnrecognizedPropertyException) {
                return field + ": unknown field";
            }
            if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                String expected = expected(mismatch.getTargetType());
                String got = got(e, text);
                if (expected != null && got != null) {
                    String quote = quoteHint(mismatch.getTargetType(), e, text);
                    return field + ": expected " + expected + ", got " + got + (quote == null ? "" : "; quote it: " + quote);
                }
            }
            // Whatever else Jackson says, without its Java type names (a user never wrote io.fabric8...IntOrString).
            return field + ": " + originalMessage(e).replaceFirst("^Cannot construct instance of `[^`]*`, problem: ", "")
                    .replaceAll("`(?:[a-z0-9_]+\\.)+([A-Za-z0-9_$]+)`", "$1");
        }

        static String originalMessage(IOException e) {
            String message = e instanceof JsonProcessingException processing ? processing.getOriginalMessage()
                    : e.getMessage();
            JsonLocation location = e instanceof JsonProcessingException processing ? processing.getLocation() : null;
            return message + (location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")");
        }

        private static String path(JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? "." + reference.getFieldName()
                            : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining());
            return path.startsWith(".") ? path.substring(1) : path;
        }

        private static String expected(Class<?> type) {
            if (type == String.class) {
                return "a string";
            }
            if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
                return "an integer";
            }
            if (type == Boolean.class || type == boolean.class) {
                return "true or false";
            }
            if (type.isEnum()) {
                return "one of " + Arrays.stream(type.getEnumConstants())
                        .map(constant -> STRICT.convertValue(constant, String.class)).collect(Collectors.joining(", "));
            }
            if (List.class.isAssignableFrom(type) || type.isArray()) {
                return "a list";
            }
            if (type.isRecord() || java.util.Map.class.isAssignableFrom(type)
                    || io.fabric8.kubernetes.api.model.KubernetesResource.class.isAssignableFrom(type)) {
                return "a mapping";
            }
            return null;
        }

        private static String got(JsonMappingException e, String text) {
            if (e instanceof InvalidFormatException invalid && invalid.getValue() != null) {
                Object value = invalid.getValue();
                if (value instanceof String string) {
                    return "\"" + string + "\"";
                }
                if (value instanceof Boolean) {
                    return value.toString();
                }
                if (value instanceof Number) {
                    return "the number " + value;
                }
            }
            if (!(e.getProcessor() instanceof JsonParser parser) || parser.currentToken() == null) {
                return null;
            }
            JsonToken token = parser.currentToken();
            try {
                return switch (token) {
                    case VALUE_STRING -> "\"" + parser.getText() + "\"";
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
                    case VALUE_TRUE, VALUE_FALSE -> parser.getText();
                    case VALUE_NULL -> "null";
                    case START_ARRAY -> "a list";
                    case START_OBJECT, FIELD_NAME -> "a mapping";
                    default -> null;
                };
            } catch (IOException unreadable) {
                return null;
            }
        }

        // YAML reads +1, 1e3, 0x1F, yes and true as numbers and booleans; a string field needs them quoted.
        private static String quoteHint(Class<?> target, JsonMappingException e, String text) {
            if (target != String.class || !(e.getProcessor() instanceof JsonParser parser) || parser.currentToken() == null
                    || !parser.currentToken().isScalarValue() || parser.currentToken() == JsonToken.VALUE_STRING) {
                return null;
            }
            try {
                return "\"" + source(e, text, parser.getText()) + "\"";
            } catch (IOException unreadable) {
                return null;
            }
        }

        // The scalar as written in the file (+1 stays +1, where the parser says 1).
        private static String source(JsonMappingException e, String text, String fallback) {
            JsonLocation location = e.getLocation();
            if (location == null || location.getLineNr() < 1 || location.getColumnNr() < 1) {
                return fallback;
            }
            String[] lines = text.split("\n", -1);
            if (location.getLineNr() > lines.length) {
                return fallback;
            }
            String line = lines[location.getLineNr() - 1];
            if (location.getColumnNr() - 1 >= line.length()) {
                return fallback;
            }
            String rest = line.substring(location.getColumnNr() - 1);
            int end = 0;
            while (end < rest.length() && " \t,}]#".indexOf(rest.charAt(end)) < 0) {
                end++;
            }
            return end == 0 ? fallback : rest.substring(0, end);
        }
    }
}
