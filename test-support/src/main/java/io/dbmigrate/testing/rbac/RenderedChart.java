package io.dbmigrate.testing.rbac;

import com.marcnuri.helm.Helm;
import io.dbmigrate.testing.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** charts/dbmigrate-operator rendered by real Helm (helm-java's `helm template`), each manifest as its fabric8 type. */
public final class RenderedChart {
    public static final String RELEASE = "dbmigrate";
    public static final String RELEASE_NAMESPACE = "dbmigrate-system";
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final String yaml;
    private final List<HasMetadata> manifests;

    private RenderedChart(String yaml, List<HasMetadata> manifests) {
        this.yaml = yaml;
        this.manifests = manifests;
    }

    public static Path chart() {
        return TestCluster.repoRoot().resolve("charts/dbmigrate-operator");
    }

    /** `helm template dbmigrate charts/dbmigrate-operator -n dbmigrate-system -f <values>`; Helm's refusal is thrown. */
    public static RenderedChart render(String valuesYaml) {
        return render(valuesYaml, RELEASE_NAMESPACE);
    }

    /** The same, installed into {@code releaseNamespace} (where the ServiceAccount and the Lease live). */
    public static RenderedChart render(String valuesYaml, String releaseNamespace) {
        Path values = null;
        try {
            values = Files.createTempFile("dbmigrate-values", ".yaml");
            Files.writeString(values, valuesYaml);
            String yaml = new Helm(chart()).template().withName(RELEASE).withNamespace(releaseNamespace)
                    .withValuesFile(values).call();
            List<HasMetadata> manifests = new ArrayList<>();
            for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
                if (!document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                    manifests.add(SERIALIZATION.unmarshal(document));
                }
            }
            return new RenderedChart(yaml, List.copyOf(manifests));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    public String yaml() {
        return yaml;
    }

    public List<HasMetadata> manifests() {
        return manifests;
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return manifests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " " + type.getSimpleName() + " in:\n" + yaml);
        }
        return found.get(0);
    }

    public <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(m -> name.equals(m.getMetadata().getName())
                && java.util.Objects.equals(namespace, m.getMetadata().getNamespace())).findFirst();
    }
}
