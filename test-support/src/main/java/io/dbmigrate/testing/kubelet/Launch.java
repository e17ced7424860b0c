package io.dbmigrate.testing.kubelet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A container a runtime prepared and can start: the command the runtime runs on the host with that environment, and
 * how to turn host paths in its termination message back into container paths (the identity when the container saw
 * its own paths).
 */
record Launch(ContainerSetup setup, List<String> command, Map<String, String> env, Path workingDirectory,
              UnaryOperator<String> toContainerPaths) {
}
