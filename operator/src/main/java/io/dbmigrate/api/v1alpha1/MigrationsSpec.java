package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The image that carries the Alembic project and the runner. */
public record MigrationsSpec(
        @Required
        @Pattern(KubernetesNames.IMAGE)
        @Size(min = 1, max = KubernetesNames.IMAGE_MAX_LENGTH)
        @JsonPropertyDescription("Image built FROM the dbmigrate migrations image, with the Alembic project in it.")
        String image,

        @Default("/migrations")
        @Pattern("^/[A-Za-z0-9._/-]*$")
        @JsonPropertyDescription("Absolute path of the folder holding alembic.ini inside the image. Default /migrations.")
        String path,

        @Default("IfNotPresent")
        @JsonPropertyDescription("Image pull policy of the migration containers. Default IfNotPresent.")
        PullPolicy imagePullPolicy) {

    public static final String DEFAULT_PATH = "/migrations";

    public String pathOrDefault() {
        return path == null || path.isBlank() ? DEFAULT_PATH : path;
    }

    /** Kubernetes' image pull policies. */
    public enum PullPolicy { Always, IfNotPresent, Never }
}
