package io.dbmigrate.testing.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker engine of {@link TestImages}, driven with the docker command line (the client of the engine's own
 * release, /usr/bin/docker from Debian's docker.io, when present): {@code docker run} of one container to its end or
 * in the background, {@code docker stop}, logs and image sizes. No Docker library: the command line is what
 * scripts/test.sh and users use, and its errors read the same.
 */
public final class TestEngine {

    private static final Path DEBIAN_CLIENT = Path.of("/usr/bin/docker");

    private final String host;
    private final TestImages images;

    public TestEngine(TestImages images) {
        this.host = images.dockerHost();
        this.images = images;
    }

    /**
     * The engine and images scripts/test.sh handed the tests; without them the calling test is skipped (a JUnit
     * assumption), saying how to get them.
     */
    public static TestEngine fromEnvironmentOrSkip() {
        Optional<TestImages> images = TestImages.fromEnvironment();
        Assumptions.assumeTrue(images.isPresent(), TestImages.SKIP_REASON);
        return new TestEngine(images.get());
    }

    /** The images this engine holds for the tests. */
    public TestImages images() {
        return images;
    }

    /**
     * The docker client to run: the engine's own release (/usr/bin/docker from Debian's docker.io) when present, so that
     * client and engine agree on the API, else the one on PATH. The test kubelet's containers use it too.
     */
    public static String client() {
        return Files.isExecutable(DEBIAN_CLIENT) ? DEBIAN_CLIENT.toString() : "docker";
    }

    /** A {@code docker run} to configure. */
    public ContainerRun run(String image) {
        return new ContainerRun(this, image);
    }

    /** The image's size in bytes, as {@code docker image ls} shows it (all layers, base included). */
    public long imageSize(String image) {
        return Long.parseLong(docker(Duration.ofSeconds(30), Map.of(), "image", "inspect", "--format", "{{.Size}}", image)
                .successful().stdout().strip());
    }

    /** Whether the engine has this image (nothing is ever pulled: no registry is reachable from the tests). */
    public boolean hasImage(String image) {
        return docker(Duration.ofSeconds(30), Map.of(), "image", "inspect", image).exitCode() == 0;
    }

    /** {@code docker stop -t SECONDS}: SIGTERM, then SIGKILL after the grace period, as a kubelet does. */
    public Result stop(String container, int graceSeconds) {
        return docker(Duration.ofSeconds(graceSeconds + 30L), Map.of(), "stop", "-t", Integer.toString(graceSeconds),
                container);
    }

    /** {@code docker inspect --format FORMAT}, e.g. {@code {{.State.ExitCode}}}, stripped. */
    public String inspect(String container, String format) {
        return docker(Duration.ofSeconds(30), Map.of(), "inspect", "--format", format, container).successful().stdout().strip();
    }

    /** The container's output, stdout and stderr interleaved. */
    public String logs(String container) {
        return docker(Duration.ofSeconds(30), Map.of(), "logs", container).combined();
    }

    /** Removes a container, running or not; for cleanup, so a failure is not an error. */
    public void remove(String container) {
        docker(Duration.ofSeconds(60), Map.of(), "rm", "-f", "-v", container);
    }

    /**
     * Runs {@code docker ARGS...} with {@code env} added to the client's environment (so that {@code -e NAME} passes a
     * value, a password say, without it appearing in a command line), waiting at most {@code timeout}.
     */
    Result docker(Duration timeout, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(client());
        command.add("-H");
        command.add(host);
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("docker-out", ".log");
            Path err = Files.createTempFile("docker-err", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("docker " + String.join(" ", args) + " did not finish in " + timeout);
                }
                return new Result(args, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running docker " + String.join(" ", args), e);
        }
    }

    /** What one docker command did. */
    public record Result(String[] args, int exitCode, String stdout, String stderr) {

        public String combined() {
            return stdout + stderr;
        }

        /** This result, or an error with the command and its output when it exited non-zero. */
        public Result successful() {
            if (exitCode != 0) {
                throw new IllegalStateException("docker " + String.join(" ", args) + " exited " + exitCode + ":\n" + combined());
            }
            return this;
        }
    }

    /**
     * One {@code docker run}, configured as a pod's container would be: user, read-only root file system, bind
     * mounts, environment, host network (the engine has no bridge; the tests' servers listen on loopback).
     */
    public static final class ContainerRun {
        private final TestEngine engine;
        private final String image;
        private final List<String> options = new ArrayList<>(List.of("--network", "host"));
        private final Map<String, String> env = new LinkedHashMap<>();

        private ContainerRun(TestEngine engine, String image) {
            this.engine = engine;
            this.image = image;
        }

        public ContainerRun name(String name) {
            options.addAll(List.of("--name", name));
            return this;
        }

        /** {@code --user UID:GID}, as a pod's runAsUser and runAsGroup. */
        public ContainerRun user(int uid, int gid) {
            options.addAll(List.of("--user", uid + ":" + gid));
            return this;
        }

        /** {@code --read-only}, as readOnlyRootFilesystem. */
        public ContainerRun readOnly() {
            options.add("--read-only");
            return this;
        }

        /** A host folder or file at {@code target}, as a volume mount. */
        public ContainerRun mount(Path source, String target) {
            options.addAll(List.of("--mount", "type=bind,source=" + source.toAbsolutePath() + ",target=" + target));
            return this;
        }

        /** A variable; its value goes through the client's environment, never its command line. */
        public ContainerRun env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public ContainerRun env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        private String[] arguments(List<String> start, List<String> args) {
            List<String> all = new ArrayList<>(start);
            all.addAll(options);
            env.keySet().forEach(name -> all.addAll(List.of("-e", name)));
            all.add(image);
            all.addAll(args);
            return all.toArray(String[]::new);
        }

        /** Runs the container to its end (removed afterwards) and returns what it did. */
        public Result toEnd(Duration timeout, String... args) {
            return engine.docker(timeout, env, arguments(List.of("run", "--rm"), List.of(args)));
        }

        /** Starts the container in the background; returns its id. Stop and remove it with the engine. */
        public String start(String... args) {
            return engine.docker(Duration.ofSeconds(60), env, arguments(List.of("run", "-d"), List.of(args)))
                    .successful().stdout().strip();
        }
    }
}
