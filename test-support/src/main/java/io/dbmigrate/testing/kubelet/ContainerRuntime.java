package io.dbmigrate.testing.kubelet;

import java.io.IOException;

/**
 * How the test kubelet runs a container: {@link ProcessRuntime}, the runner jar as a host process with the image's
 * folders mapped to host folders, or {@link DockerRuntime}, the pod's image in a Docker container. Everything else
 * (pod lifecycle, status, environment resolution, termination messages) is the kubelet's and the same for both.
 */
interface ContainerRuntime {

    /** The runtime's name, as logged for each pod. */
    String name();

    /** The launch of one container, or why it cannot start; starts nothing. */
    Launch prepare(ContainerSetup setup) throws ContainerStartError, IOException;

    /** Starts a prepared container; an IOException means it could not start at all. */
    RunningContainer start(Launch launch, String logPrefix) throws IOException;
}
