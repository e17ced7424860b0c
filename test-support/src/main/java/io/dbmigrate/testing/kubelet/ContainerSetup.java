package io.dbmigrate.testing.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the kubelet settled for one container before a runtime runs it, the same for every runtime.
 *
 * @param specEnv         the variables the spec defines, resolved (Secrets, ConfigMaps, fields, {@code $(VAR)})
 * @param imageFolders    the image's folders from the image map: container path to host folder
 * @param containerFolder the container's private folder on the host
 * @param resultFile      the host file behind the termination message path, created empty
 * @param logFile         where the container's combined output goes
 */
record ContainerSetup(Pod pod, Container container, Map<String, String> specEnv, Map<String, String> imageFolders,
                      Path root, Path podFolder, Path containerFolder, Path resultFile, Path logFile) {
}
