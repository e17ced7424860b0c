package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.Specs;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container's filesystem as host folders: each volumeMount maps to the folder backing its volume
 * (a PersistentVolumeClaim to a folder per namespace and claim that outlives pods, so a later pod finds earlier
 * backups; an emptyDir to a folder of the pod), and the image's own folders (e.g. /migrations) come from the image
 * map. Args naming a path in one of them are rewritten to the host path, the longest container path first, because
 * the runner is a local process and cannot see container paths.
 */
final class HostPaths {

    private final Map<String, Path> mounts;

    private HostPaths(Map<String, Path> mounts) {
        this.mounts = mounts;
    }

    /**
     * @param podFolder   the pod's private folder (emptyDir volumes live below it)
     * @param imageMounts the image's folders: container path to host path
     */
    static HostPaths of(Pod pod, Container container, Path root, Path podFolder, Map<String, String> imageMounts)
            throws ContainerStartError {
        Map<String, Path> mounts = new LinkedHashMap<>();
        imageMounts.forEach((containerPath, hostPath) -> mounts.put(normalize(containerPath), Path.of(hostPath)));
        for (VolumeMount mount : Specs.list(container.getVolumeMounts())) {
            Volume volume = Specs.list(pod.getSpec().getVolumes()).stream()
                    .filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new ContainerStartError(ContainerStartError.CONFIG_ERROR,
                            "volume \"" + mount.getName() + "\" of mount " + mount.getMountPath() + " is not in the pod", false));
            Path base = volumeFolder(pod, volume, root, podFolder);
            Path host = mount.getSubPath() == null || mount.getSubPath().isBlank() ? base : base.resolve(mount.getSubPath());
            createDirectories(host);
            mounts.put(normalize(mount.getMountPath()), host);
        }
        return new HostPaths(mounts);
    }

    static Path persistentVolumeClaimFolder(Path root, String namespace, String claimName) {
        return root.resolve("pvc").resolve(namespace).resolve(claimName);
    }

    static Path volumeFolder(Pod pod, Volume volume, Path root, Path podFolder) throws ContainerStartError {
        if (volume.getPersistentVolumeClaim() != null) {
            return persistentVolumeClaimFolder(root, pod.getMetadata().getNamespace(),
                    volume.getPersistentVolumeClaim().getClaimName());
        }
        if (volume.getEmptyDir() != null) {
            return podFolder.resolve("volumes").resolve(volume.getName());
        }
        if (volume.getHostPath() != null) {
            return Path.of(volume.getHostPath().getPath());
        }
        throw new ContainerStartError(ContainerStartError.CONFIG_ERROR, "volume \"" + volume.getName()
                + "\": the test kubelet supports persistentVolumeClaim, emptyDir and hostPath volumes only", false);
    }

    private static void createDirectories(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String normalize(String containerPath) {
        String p = containerPath;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The host path of a container path, if a mount or the image covers it (the longest container path wins). */
    Optional<Path> hostPath(String containerPath) {
        List<String> longestFirst = new ArrayList<>(mounts.keySet());
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        for (String mounted : longestFirst) {
            Path host = mounts.get(mounted);
            if (containerPath.equals(mounted)) {
                return Optional.of(host);
            }
            String prefix = mounted.equals("/") ? "/" : mounted + "/";
            if (containerPath.startsWith(prefix)) {
                return Optional.of(host.resolve(containerPath.substring(prefix.length())));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code text} with host paths turned back into container paths: the runner reports the files it wrote (the backup
     * archive) by the paths it was given, and the operator must see the paths a real pod would report.
     */
    String toContainerPaths(String text) {
        if (text == null) {
            return null;
        }
        List<Map.Entry<String, Path>> longestHostFirst = new ArrayList<>(mounts.entrySet());
        longestHostFirst.sort(Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getValue().toString().length()).reversed());
        String result = text;
        for (Map.Entry<String, Path> mount : longestHostFirst) {
            String host = mount.getValue().toString();
            // Only whole path segments: /x/pvc/ns/claim must not rewrite /x/pvc/ns/claim2.
            result = result.replaceAll(Pattern.quote(host) + "(?=[/\"\\s,;:)\\]}']|$)",
                    Matcher.quoteReplacement(mount.getKey()));
        }
        return result;
    }

    /** {@code arg} with a leading container path replaced by its host path; anything else unchanged. */
    String rewrite(String arg) {
        return hostPath(arg).map(Path::toString).orElse(arg);
    }
}
