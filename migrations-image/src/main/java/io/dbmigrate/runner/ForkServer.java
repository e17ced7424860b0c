package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One Python per interpreter that has imported Alembic once and forks a child for each of the runner's Python programs
 * ({@value #SCRIPT_RESOURCE}, which says why and how). A local run over 200 tenants starts one interpreter instead of
 * 200; each program is still a process of its own, with its own environment, directory and exit status.
 *
 * <p>The caller's thread reads its own program's output, as with a process it started itself. A server that cannot be
 * used (it cannot start or cannot fork) is {@link Unavailable} before the program started, and the caller starts a
 * fresh interpreter instead; one that has ended is started anew for the next program; one that ends while a program
 * runs ends that program too, which then reads as killed (exit 137).
 */
final class ForkServer {

    static final String SCRIPT_RESOURCE = "fork_server.py";
    /** {@code off}: every Python program in an interpreter of its own, as before the fork server. */
    static final String SWITCH = "DBMIGRATE_FORK_SERVER";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ForkServer> SERVERS = new ConcurrentHashMap<>();
    private static final String ENDED = "ended";
    private static final int KILLED = 128 + 9;
    private static final int STDERR_TAIL = 20;

    /** The server is not there to start the program: nothing of it ran, and a fresh interpreter may. */
    static final class Unavailable extends IOException {
        Unavailable(String message) {
            super(message);
        }
    }

    private record Frame(String kind, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final String python;
    private final Process process;
    private final OutputStream requests;
    private final Map<Long, BlockingQueue<Frame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Requests whose caller is gone before their program's pid came: killed when it comes. */
    private final Set<Long> abandoned = ConcurrentHashMap.newKeySet();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile boolean ended;

    private ForkServer(String python, Process process) {
        this.python = python;
        this.process = process;
        this.requests = process.getOutputStream();
        daemon("fork-server-frames", this::readFrames).start();
        daemon("fork-server-stderr", this::readStderr).start();
    }

    /**
     * The live server of {@code python} for a program run with these variables set (on top of the runner's own, without
     * its connection variables, as {@link ExternalProcess} gives a child), started now when there is none. Python reads
     * its {@code PYTHON*} variables only when it starts (PYTHONUNBUFFERED for Alembic's output, PYTHONPATH...): each
     * set of them has a server of its own, started with them.
     *
     * @throws Unavailable when none can serve it
     */
    static ForkServer of(String python, Map<String, String> given) throws Unavailable, InterruptedException {
        if ("off".equalsIgnoreCase(System.getenv(SWITCH))) {
            throw new Unavailable(SWITCH + " is off");
        }
        Map<String, String> pythonVariables = pythonVariables(environment(given));
        String key = python + "\n" + new TreeMap<>(pythonVariables);
        synchronized (SERVERS) {
            ForkServer server = SERVERS.get(key);
            if (server == null || server.ended) {
                server = start(python, pythonVariables);
                SERVERS.put(key, server);
            }
            return server;
        }
    }

    private static ForkServer start(String python, Map<String, String> pythonVariables)
            throws Unavailable, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(python, "-B", "-c", PythonScript.source(SCRIPT_RESOURCE));
        Map<String, String> environment = pb.environment();
        ExternalProcess.childEnvironment(environment, Map.of());
        environment.keySet().removeIf(name -> name.startsWith("PYTHON"));
        environment.putAll(pythonVariables);
        try {
            // Remembered among the running children: when the runner stops, the server and its children stop with it.
            return new ForkServer(python, ExternalProcess.start(pb));
        } catch (IOException e) {
            throw new Unavailable("cannot start " + python + ": " + e.getMessage());
        }
    }

    /** As {@link ExternalProcess#run}, for {@code python -B -c source arguments...}. */
    ExternalProcess.Outcome run(String source, List<String> arguments, Path workingDirectory,
                                Map<String, String> given, Consumer<String> onLine)
            throws IOException, InterruptedException {
        Lines lines = new Lines(onLine);
        int exit = exchange(source, arguments, workingDirectory, given, false, (kind, bytes) -> lines.feed(bytes));
        return new ExternalProcess.Outcome(exit, lines.end());
    }

    /** As {@link ExternalProcess#runSeparately}, for {@code python -B -c source arguments...}. */
    ExternalProcess.SeparateOutcome runSeparately(String source, List<String> arguments, Path workingDirectory,
                                                  Map<String, String> given, Consumer<String> onStderrLine)
            throws IOException, InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Lines lines = new Lines(onStderrLine);
        int exit = exchange(source, arguments, workingDirectory, given, true, (kind, bytes) -> {
            if (kind.equals("o")) {
                stdout.writeBytes(bytes);
            } else {
                lines.feed(bytes);
            }
        });
        return new ExternalProcess.SeparateOutcome(exit, stdout.toString(StandardCharsets.UTF_8), lines.end());
    }

    private interface Output {
        void accept(String kind, byte[] bytes);
    }

    private int exchange(String source, List<String> arguments, Path workingDirectory, Map<String, String> given,
                         boolean separate, Output output) throws IOException, InterruptedException {
        if (Interruption.requested()) {
            throw new InterruptedException("stopping: " + python + " not started");
        }
        long id = ids.incrementAndGet();
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        pending.put(id, frames);
        long pid = 0;
        boolean finished = false;
        try {
            send(id, source, arguments, workingDirectory, given, separate);
            while (true) {
                Frame frame = frames.take();
                switch (frame.kind()) {
                    case "pid" -> pid = Long.parseLong(frame.text());
                    case "o", "e" -> output.accept(frame.kind(), frame.payload());
                    case "x" -> {
                        finished = true;
                        int exit = Integer.parseInt(frame.text());
                        checkNotStopped(exit);
                        return exit;
                    }
                    case "f" -> {
                        finished = true;
                        throw new Unavailable(frame.text());
                    }
                    case ENDED -> {
                        if (pid == 0) {
                            finished = true;
                            throw new Unavailable("the fork server of " + python + " ended" + stderrTail());
                        }
                        // Its output pipe went with the server: the program cannot go on, and is ended here.
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        finished = true;
                        output.accept("e", ("dbmigrate: the fork server of " + python + " ended while this program"
                                + " ran; the program was killed" + stderrTail() + "\n").getBytes(StandardCharsets.UTF_8));
                        checkNotStopped(KILLED);
                        return KILLED;
                    }
                    default -> throw new IllegalStateException("unknown frame from the fork server: " + frame.kind());
                }
            }
        } finally {
            if (!finished) {
                // Interrupted or failed while reading: a program nobody reads must not go on migrating.
                abandon(id, pid, frames);
            }
            pending.remove(id);
        }
    }

    /** Kills an abandoned request's program now, or as soon as the server says which it is. */
    private void abandon(long id, long pid, BlockingQueue<Frame> frames) {
        long known = pid;
        synchronized (pending) {
            pending.remove(id);
            for (Frame frame : frames) {
                if (known == 0 && frame.kind().equals("pid")) {
                    known = Long.parseLong(frame.text());
                }
            }
            if (known == 0) {
                abandoned.add(id);
                return;
            }
        }
        ProcessHandle.of(known).ifPresent(ProcessHandle::destroyForcibly);
    }

    // As ExternalProcess.checkNotStopped: a program that failed because the runner is stopping did not fail on its own.
    private void checkNotStopped(int exit) throws InterruptedException {
        if (exit != 0 && Interruption.requested()) {
            throw new InterruptedException("stopping: " + python + " stopped");
        }
    }

    private void send(long id, String source, List<String> arguments, Path workingDirectory,
                      Map<String, String> given, boolean separate) throws Unavailable {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", id);
        request.put("source", source);
        request.put("argv", arguments);
        request.put("cwd", (workingDirectory == null ? Path.of("") : workingDirectory).toAbsolutePath().toString());
        request.put("env", environment(given));
        request.put("separate", separate);
        try {
            byte[] line = (JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.write(line);
                requests.flush();
            }
        } catch (IOException e) {
            ended = true;
            throw new Unavailable("the fork server of " + python + " does not take requests: " + e.getMessage()
                    + stderrTail());
        }
    }

    // What a child started by ExternalProcess would have: the runner's environment without its connection variables,
    // then the ones given. It may hold a password: it goes down the server's pipe and nowhere else.
    private static Map<String, String> environment(Map<String, String> given) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        ExternalProcess.childEnvironment(environment, given);
        return environment;
    }

    private static Map<String, String> pythonVariables(Map<String, String> environment) {
        Map<String, String> python = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("PYTHON")) {
                python.put(name, value);
            }
        });
        return python;
    }

    private void readFrames() {
        try (InputStream in = new BufferedInputStream(process.getInputStream())) {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            while (true) {
                header.reset();
                int b;
                while ((b = in.read()) != '\n') {
                    if (b < 0) {
                        return;
                    }
                    header.write(b);
                }
                String[] fields = header.toString(StandardCharsets.US_ASCII).split(" ");
                byte[] payload = in.readNBytes(Integer.parseInt(fields[2]));
                long id = Long.parseLong(fields[0]);
                Frame frame = new Frame(fields[1], payload);
                synchronized (pending) {
                    BlockingQueue<Frame> frames = pending.get(id);
                    if (frames != null) {
                        frames.add(frame);
                    } else if (frame.kind().equals("pid") && abandoned.remove(id)) {
                        ProcessHandle.of(Long.parseLong(frame.text())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // ended below, as at the end of its output
        } finally {
            ended = true;
            ExternalProcess.end(process);
            pending.values().forEach(frames -> frames.add(new Frame(ENDED, new byte[0])));
        }
    }

    private void readStderr() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_TAIL) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the server is gone; readFrames tells its requests
        }
    }

    private String stderrTail() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : " (it said: " + String.join(" | ", stderrTail) + ")";
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Bytes in, lines out as BufferedReader.readLine gives them (without \n or \r\n; a last line without either): each
     * to {@code onLine} as it completes (may be null), and kept up to {@link ExternalProcess#MAX_KEPT_LINES}, as
     * ExternalProcess keeps a child's.
     */
    private static final class Lines {
        private final Consumer<String> onLine;
        private final List<String> kept = new ArrayList<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(Consumer<String> onLine) {
            this.onLine = onLine;
        }

        void feed(byte[] bytes) {
            for (byte b : bytes) {
                if (b == '\n') {
                    emit();
                } else {
                    line.write(b);
                }
            }
        }

        /** The lines kept, the last one included. */
        List<String> end() {
            if (line.size() > 0) {
                emit();
            }
            return List.copyOf(kept);
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String complete = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            if (kept.size() < ExternalProcess.MAX_KEPT_LINES) {
                kept.add(complete);
            }
            if (onLine != null) {
                onLine.accept(complete);
            }
        }
    }
}
