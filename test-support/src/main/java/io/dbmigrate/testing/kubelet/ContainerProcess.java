package io.dbmigrate.testing.kubelet;

import io.dbmigrate.testing.LogLine;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container as a local process: the given environment and nothing inherited, stdout and stderr combined as a
 * container runtime records them, each line written to the container's log file and echoed to the test log with a
 * {@code [namespace/pod/container]} prefix, and the last lines kept for a FallbackToLogsOnError message.
 */
final class ContainerProcess implements RunningContainer {

    private static final Logger LOG = LoggerFactory.getLogger("io.dbmigrate.testing.containers");
    /** What a kubelet keeps of the log for the termination message fallback. */
    static final int TAIL_LINES = 80;

    private final Process process;
    private final Thread pump;
    private final Deque<String> tail = new ArrayDeque<>();

    private ContainerProcess(Process process, Path logFile, String prefix) {
        this.process = process;
        this.pump = new Thread(() -> pump(logFile, prefix), "container-output");
        this.pump.setDaemon(true);
        this.pump.start();
    }

    static ContainerProcess start(List<String> command, Map<String, String> environment, Path workingDirectory,
                                  Path logFile, String prefix) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Files.createDirectories(logFile.getParent());
        Process process = builder.start();
        process.getOutputStream().close(); // a container without stdin: nothing may wait for input
        return new ContainerProcess(process, logFile, prefix);
    }

    private void pump(Path logFile, String prefix) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                LOG.info("[{}] {}", prefix, line);
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn(LogLine.of("container-output-lost", "container", prefix, "error", e.toString()));
        }
    }

    /** Waits for the process and for its output to be fully recorded; returns the exit code. */
    @Override
    public int waitFor() throws InterruptedException {
        int exit = process.waitFor();
        pump.join(5_000);
        return exit;
    }

    /** SIGKILL to the process and everything it started (pg_dump, alembic), as a container runtime would. */
    @Override
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public List<String> lastLines() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** A process leaves nothing behind once it exited. */
    @Override
    public void remove() {
    }
}
