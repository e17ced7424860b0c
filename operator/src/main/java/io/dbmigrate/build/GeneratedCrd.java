package io.dbmigrate.build;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after fabric8's CRD generator, on each CRD file it is given with its resource class:
 * <ul>
 *   <li>puts the printer columns back in the order they are declared on the class ({@link DatabaseMigration},
 *   {@link DatabaseMigrationSet}); the generator sorts them by JSON path, which would show Age first and Target before
 *   Current in `kubectl get`;</li>
 *   <li>drops a required field that has no property: a field a schema swap took out (the set's template is a
 *   {@link DatabaseMigrationSpec} without its database) stays required otherwise, and no template could be valid;</li>
 *   <li>makes a set's list of targets a map list keyed by name ({@code x-kubernetes-list-type: map}): the API server
 *   then refuses a repeated name itself, where a CEL rule comparing every pair would be over its cost budget for 1,000
 *   targets. The generator has no annotation for list types.</li>
 * </ul>
 * Arguments: pairs of a CRD file and its class.
 */
public final class GeneratedCrd {
    private GeneratedCrd() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            tidy(Path.of(args[i]), Class.forName(args[i + 1]));
        }
    }

    private static void tidy(Path file, Class<?> resource) throws Exception {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        List<String> declared = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        crd.getSpec().getVersions().forEach(version -> {
            if (version.getAdditionalPrinterColumns() != null) {
                version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                        (CustomResourceColumnDefinition column) -> declared.indexOf(column.getName())));
            }
            dropRequiredWithoutProperty(version.getSchema().getOpenAPIV3Schema());
            if (resource == DatabaseMigrationSet.class) {
                JSONSchemaProps targets = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec")
                        .getProperties().get("generators").getItems().getSchema().getProperties().get("list");
                targets.setXKubernetesListType("map");
                targets.setXKubernetesListMapKeys(List.of("name"));
            }
        });
        String header = "# Generated from the Java types in io.dbmigrate.api.v1alpha1 by the build: do not edit by hand.\n";
        Files.writeString(file, header + Serialization.asYaml(crd), StandardCharsets.UTF_8);
    }

    private static void dropRequiredWithoutProperty(JSONSchemaProps schema) {
        if (schema == null) {
            return;
        }
        if (schema.getRequired() != null && schema.getProperties() != null) {
            schema.getRequired().removeIf(name -> !schema.getProperties().containsKey(name));
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(GeneratedCrd::dropRequiredWithoutProperty);
        }
        if (schema.getItems() != null) {
            dropRequiredWithoutProperty(schema.getItems().getSchema());
        }
    }
}
