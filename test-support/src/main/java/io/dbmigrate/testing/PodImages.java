package io.dbmigrate.testing;

import io.dbmigrate.testing.docker.TestImages;
import io.dbmigrate.testing.kubelet.TestKubelet;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The images the end-to-end tests name in their resources and hand {@link TestCluster#start}, for the kubelet's
 * runtime of this run. As processes, any name does: the image map says which folder is its /migrations. In Docker,
 * the operator's Jobs must name images the engine has: the team image for examples/crm (scripts/test.sh builds it
 * FROM the migrations image with examples/crm, as docs/first-migration.md tells teams), and the migrations image for a
 * project a test makes, which the kubelet mounts read-only at /migrations.
 */
public final class PodImages {

    private PodImages() {
    }

    /** The image carrying examples/crm: the team image in Docker, else {@code processName}. */
    public static String crm(String processName) {
        return TestKubelet.containerImages().map(TestImages::team).orElse(processName);
    }

    /** The image of a project the test makes ({@link #folders}): the migrations image in Docker, else {@code processName}. */
    public static String project(String processName) {
        return TestKubelet.containerImages().map(TestImages::migrations).orElse(processName);
    }

    /**
     * The image map's folders of {@code image}: the project as /migrations, except for the team image in Docker,
     * which carries examples/crm itself (mounting the sources over it would test them instead of the image).
     */
    public static Map<String, String> folders(String image, Path project) {
        Optional<TestImages> images = TestKubelet.containerImages();
        if (images.isPresent() && image.equals(images.get().team())) {
            Path crm = TestCluster.repoRoot().resolve("examples").resolve("crm");
            if (!project.toAbsolutePath().normalize().equals(crm)) {
                throw new IllegalArgumentException("the team image carries examples/crm, not " + project);
            }
            return Map.of();
        }
        return Map.of("/migrations", project.toString());
    }
}
