package io.dbmigrate.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The runner's small Python programs, resources of this jar, run as {@code python -B -c <source>}: nothing to write,
 * so a read-only root filesystem without a writable /tmp works too, and -B keeps __pycache__ out of the migrations.
 * Each runs forked from the {@link ForkServer} of its interpreter, or in an interpreter of its own when that cannot.
 */
final class PythonScript {

    private PythonScript() {
    }

    static String source(String resource) {
        try (InputStream in = PythonScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the runner jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link ExternalProcess#run}, for {@code python -B -c <resource's source> arguments...}. */
    static ExternalProcess.Outcome run(String python, String resource, List<String> arguments, Path workingDirectory,
                                       Map<String, String> environment, Consumer<String> onLine)
            throws IOException, InterruptedException {
        try {
            return ForkServer.of(python, environment).run(source(resource), arguments, workingDirectory, environment,
                    onLine);
        } catch (ForkServer.Unavailable e) {
            return ExternalProcess.run(command(python, resource, arguments), workingDirectory, environment, onLine);
        }
    }

    /** As {@link ExternalProcess#runSeparately}, for {@code python -B -c <resource's source> arguments...}. */
    static ExternalProcess.SeparateOutcome runSeparately(String python, String resource, List<String> arguments,
                                                         Path workingDirectory, Map<String, String> environment,
                                                         Consumer<String> onStderrLine)
            throws IOException, InterruptedException {
        try {
            return ForkServer.of(python, environment).runSeparately(source(resource), arguments, workingDirectory,
                    environment, onStderrLine);
        } catch (ForkServer.Unavailable e) {
            return ExternalProcess.runSeparately(command(python, resource, arguments), workingDirectory, environment,
                    onStderrLine);
        }
    }

    private static List<String> command(String python, String resource, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(python, "-B", "-c", source(resource)));
        command.addAll(arguments);
        return command;
    }
}
