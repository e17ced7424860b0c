package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The volume the dumps go to. A PersistentVolumeClaim: a dump that dies with its pod is no backup. */
public record BackupVolume(
        @Required
        @JsonPropertyDescription("The PersistentVolumeClaim, in the resource's namespace, that holds the dumps.")
        ClaimRef persistentVolumeClaim) {

    /** A PersistentVolumeClaim by name. */
    public record ClaimRef(
            @Required
            @Pattern(KubernetesNames.SUBDOMAIN)
            @Size(min = 1, max = KubernetesNames.SUBDOMAIN_MAX_LENGTH)
            @JsonPropertyDescription("Name of the PersistentVolumeClaim.")
            String claimName) {
    }
}
