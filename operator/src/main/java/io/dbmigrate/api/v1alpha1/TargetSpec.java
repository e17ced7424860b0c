package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A database the set migrates, under a name that is unique in the set. */
public record TargetSpec(
        @Required
        @Pattern(KubernetesNames.SUBDOMAIN)
        @Size(min = 1, max = KubernetesNames.SUBDOMAIN_MAX_LENGTH)
        @JsonPropertyDescription("The target's name in the set (lowercase letters, digits, '-' and '.'): its "
                + "DatabaseMigration is named <set>-<name>, shortened with a hash when longer than 63.")
        String name,

        @Required
        @JsonPropertyDescription("The database, as a DatabaseMigration's spec.database.")
        DatabaseSpec database) {
}
