package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.Specs;
import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each container a local {@code java -jar <runner> <args>}: the image's entrypoint is always the runner, the host's
 * tools stand in for the image's, and container paths in args are rewritten to the host folders behind them.
 */
final class ProcessRuntime implements ContainerRuntime {

    /** PATH of the image, with the host's tools in the image's places. */
    static final String PATH = "/usr/bin:/bin:/usr/local/bin:/usr/sbin:/sbin";
    static final String ALEMBIC = "/usr/bin/alembic";
    /** The image's WORKDIR; used when the image map covers it. */
    private static final String IMAGE_WORKDIR = "/migrations";

    private final Path runnerJar;

    ProcessRuntime(Path runnerJar) {
        this.runnerJar = runnerJar;
    }

    @Override
    public String name() {
        return TestKubelet.PROCESS;
    }

    @Override
    public Launch prepare(ContainerSetup setup) throws ContainerStartError, IOException {
        Container c = setup.container();
        if (!Specs.list(c.getCommand()).isEmpty()) {
            throw new ContainerStartError(ContainerStartError.CREATE_ERROR, "the test kubelet runs the image's "
                    + "entrypoint (the dbmigrate runner) only; container " + c.getName() + " sets command "
                    + c.getCommand(), false);
        }
        HostPaths paths = HostPaths.of(setup.pod(), c, setup.root(), setup.podFolder(), setup.imageFolders());
        Path containerFolder = setup.containerFolder();
        Path home = Files.createDirectories(containerFolder.resolve("home"));
        Path tmp = Files.createDirectories(paths.hostPath("/tmp").orElse(containerFolder.resolve("tmp")));

        // The image's environment first, the spec's over it, as container runtimes merge them. Nothing comes from the
        // test JVM's environment: in particular not its PG* variables, which would let a pod connect without the
        // Secret the operator was supposed to reference.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // the mapped /migrations is a source folder: no __pycache__ there
        env.put("PYTHONUNBUFFERED", "1");
        env.putAll(setup.specEnv());
        // The host's tools stand in for the image's: Debian's Alembic (with psycopg2) and pg_dump from /usr/bin.
        env.put("PATH", PATH);
        env.put("DBMIGRATE_ALEMBIC", ALEMBIC);
        // Kubernetes would mount the termination message file; here the runner is told where it is.
        env.put("DBMIGRATE_RESULT_PATH", setup.resultFile().toString());

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp,
                "-jar", runnerJar.toString()));
        for (String arg : Specs.list(c.getArgs())) {
            command.add(paths.rewrite(VariableExpansion.expand(arg, env)));
        }
        String workingDir = c.getWorkingDir() != null ? c.getWorkingDir() : IMAGE_WORKDIR;
        Path workingDirectory = paths.hostPath(workingDir).filter(Files::isDirectory).orElse(containerFolder);
        return new Launch(setup, command, env, workingDirectory, paths::toContainerPaths);
    }

    @Override
    public RunningContainer start(Launch launch, String logPrefix) throws IOException {
        return ContainerProcess.start(launch.command(), launch.env(), launch.workingDirectory(),
                launch.setup().logFile(), logPrefix);
    }
}
