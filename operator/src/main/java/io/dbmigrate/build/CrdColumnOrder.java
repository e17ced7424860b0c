package io.dbmigrate.build;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after fabric8's CRD generator: puts the printer columns back in the order they are declared on
 * {@link DatabaseMigration}. The generator sorts them by JSON path, which would show Age first and Target
 * before Current in `kubectl get`.
 */
public final class CrdColumnOrder {
    private CrdColumnOrder() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        List<String> declared = Arrays.stream(DatabaseMigration.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        crd.getSpec().getVersions().forEach(version -> {
            if (version.getAdditionalPrinterColumns() != null) {
                version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                        (CustomResourceColumnDefinition column) -> declared.indexOf(column.getName())));
            }
        });
        String header = "# Generated from the Java types in io.dbmigrate.api.v1alpha1 by the build: do not edit by hand.\n";
        Files.writeString(file, header + Serialization.asYaml(crd), StandardCharsets.UTF_8);
    }
}
