package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.Specs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@code docker create} for one container of a pod, as a kubelet would have the runtime create it;
 * pure, so the translation of the spec is checked without an engine.
 *
 * <ul>
 *   <li>command and args with {@code $(VAR)} expanded from the spec's variables: command replaces the image's
 *       entrypoint ({@code --entrypoint} takes one word, the rest go before the args) and drops its CMD;</li>
 *   <li>every spec variable as {@code --env NAME} with no value: the docker client passes the value from its own
 *       environment, so no value (a password from a secretKeyRef, or anything expanded from one) is on a command
 *       line that {@code ps} shows;</li>
 *   <li>runAsUser/runAsGroup (the container's over the pod's) as {@code --user}, fsGroup and supplementalGroups as
 *       {@code --group-add}, readOnlyRootFilesystem as {@code --read-only}, allowPrivilegeEscalation false as
 *       no-new-privileges, dropped capabilities as {@code --cap-drop};</li>
 *   <li>the mounts as bind mounts, and the host's network: the test database listens on loopback.</li>
 * </ul>
 */
final class DockerCreateArgs {

    /** A bind mount: a host folder or file at a container path. */
    record Mount(Path source, String target, boolean readOnly) {
    }

    private DockerCreateArgs() {
    }

    static List<String> of(String name, Map<String, String> labels, Pod pod, Container c, Map<String, String> specEnv,
                           List<Mount> mounts) {
        List<String> argv = new ArrayList<>(List.of("create", "--name", name, "--network", "host"));
        labels.forEach((k, v) -> argv.addAll(List.of("--label", k + "=" + v)));
        PodSecurityContext podContext = pod.getSpec().getSecurityContext();
        SecurityContext context = c.getSecurityContext();
        Long user = pick(context == null ? null : context.getRunAsUser(), podContext == null ? null : podContext.getRunAsUser());
        Long group = pick(context == null ? null : context.getRunAsGroup(), podContext == null ? null : podContext.getRunAsGroup());
        if (user != null) {
            // The kubelet's default for a user without runAsGroup is the image's group of that user; gid 0 is what
            // the runtime gives a uid it cannot resolve, and the operator always sets both anyway.
            argv.addAll(List.of("--user", user + ":" + (group == null ? 0 : group)));
        }
        Set<Long> groups = new LinkedHashSet<>();
        if (podContext != null) {
            if (podContext.getFsGroup() != null) {
                groups.add(podContext.getFsGroup());
            }
            groups.addAll(Specs.list(podContext.getSupplementalGroups()));
        }
        groups.forEach(g -> argv.addAll(List.of("--group-add", Long.toString(g))));
        if (context != null) {
            if (Boolean.TRUE.equals(context.getReadOnlyRootFilesystem())) {
                argv.add("--read-only");
            }
            if (Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
                argv.addAll(List.of("--security-opt", "no-new-privileges"));
            }
            if (context.getCapabilities() != null) {
                Specs.list(context.getCapabilities().getDrop()).forEach(cap -> argv.addAll(List.of("--cap-drop", cap)));
            }
        }
        specEnv.keySet().forEach(variable -> argv.addAll(List.of("--env", variable)));
        for (Mount mount : mounts) {
            argv.addAll(List.of("--mount", "type=bind,source=" + mount.source() + ",target=" + mount.target()
                    + (mount.readOnly() ? ",readonly" : "")));
        }
        if (c.getWorkingDir() != null && !c.getWorkingDir().isBlank()) {
            argv.addAll(List.of("--workdir", c.getWorkingDir()));
        }
        List<String> command = Specs.list(c.getCommand()).stream().map(a -> VariableExpansion.expand(a, specEnv)).toList();
        if (!command.isEmpty()) {
            argv.addAll(List.of("--entrypoint", command.get(0)));
        }
        argv.add(c.getImage());
        if (command.size() > 1) {
            argv.addAll(command.subList(1, command.size()));
        }
        Specs.list(c.getArgs()).forEach(a -> argv.add(VariableExpansion.expand(a, specEnv)));
        return argv;
    }

    private static Long pick(Long container, Long pod) {
        return container != null ? container : pod;
    }
}
