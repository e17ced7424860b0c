package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fork server against Debian's python3 (behind a wrapper that logs each interpreter start): a program forked from
 * it is what the same program in a fresh `python -B -c` is, as seen by the runner, and many cost one start.
 */
class ForkServerIT {

    private static final Map<String, String> ENV = Map.of("PYTHONDONTWRITEBYTECODE", "1", "DBMIGRATE_TEST_VALUE", "42");

    @TempDir
    Path tmp;

    private Path starts;
    private String python;

    @BeforeEach
    void countingPython() throws IOException {
        starts = tmp.resolve("starts.log");
        Path wrapper = tmp.resolve("python");
        Files.writeString(wrapper, "#!/bin/sh\necho start >> '" + starts + "'\nexec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        python = wrapper.toString(); // a path of its own: a server of its own
    }

    private long starts() throws IOException {
        return Files.exists(starts) ? Files.readAllLines(starts).size() : 0;
    }

    private ExternalProcess.Outcome forked(String source, String... arguments) throws Exception {
        return ForkServer.of(python, ENV).run(source, List.of(arguments), tmp, ENV, null);
    }

    private ExternalProcess.Outcome fresh(String source, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-B", "-c", source));
        command.addAll(List.of(arguments));
        return ExternalProcess.run(command, tmp, ENV, null);
    }

    @Test
    void manyProgramsStartOneInterpreter() throws Exception {
        Set<String> pids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ExternalProcess.Outcome outcome = forked("import os, sys\nprint(os.getpid(), sys.argv[1])", "run" + i);
            assertEquals(0, outcome.exitCode());
            String[] words = outcome.output().get(0).split(" ");
            assertEquals("run" + i, words[1]);
            pids.add(words[0]);
        }
        assertEquals(5, pids.size(), "each program is a process of its own");
        assertEquals(1, starts());
    }

    @Test
    void aForkedProgramIsWhatAFreshInterpreterIs() throws Exception {
        List<String> programs = List.of(
                // argv, directory, the environment given and nothing of the runner's connection variables
                "import os, sys\nprint(sys.argv, os.getcwd(), os.environ.get('DBMIGRATE_TEST_VALUE'),"
                        + " os.environ.get('PGPASSWORD'), sys.dont_write_bytecode, sys.path[0] == '')",
                // stdout block-buffered, stderr line-buffered, on one pipe: the same interleaving
                "import sys\nprint('out 1')\nprint('err 1', file=sys.stderr)\nprint('out 2')\nsys.exit(3)",
                "raise ValueError('boom')",
                "import sys\nsys.exit('a message')",
                "import os\nprint('before', flush=True)\nos._exit(30)",
                "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
                "import sys\nsys.stdout.write('no newline at the end')",
                "import sys\nprint(sys.stdin.read() == '')",
                // what checked_alembic.py and revision_graph.py import
                "import alembic.config, alembic.command, sqlalchemy, psycopg2\nprint(__name__)");
        for (String program : programs) {
            ExternalProcess.Outcome expected = fresh(program, "an", "argument");
            ExternalProcess.Outcome actual = forked(program, "an", "argument");
            assertEquals(expected, actual, program);
        }
        assertEquals(1, starts());
    }

    @Test
    void standardOutputApartAsAFreshInterpreterGivesIt() throws Exception {
        String program = "import sys\nprint('SELECT 1;')\nprint('log line', file=sys.stderr)\nprint('SELECT 2;')";
        ExternalProcess.SeparateOutcome expected = ExternalProcess.runSeparately(
                List.of("/usr/bin/python3", "-B", "-c", program), tmp, ENV, null);
        List<String> seen = new ArrayList<>();
        ExternalProcess.SeparateOutcome actual = ForkServer.of(python, ENV).runSeparately(program, List.of(), tmp, ENV,
                seen::add);
        assertEquals(expected, actual);
        assertEquals(List.of("log line"), seen);
    }

    @Test
    void programsRunAtOnceEachGetTheirOwnOutput() throws Exception {
        int programs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(programs);
        try {
            CountDownLatch ready = new CountDownLatch(programs);
            List<Future<ExternalProcess.Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < programs; i++) {
                String name = "p" + i;
                outcomes.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return forked("import sys, time\nfor i in range(3):\n    print(sys.argv[1], i, flush=True)\n"
                            + "    time.sleep(0.05)\nsys.exit(int(sys.argv[1][1:]))", name);
                }));
            }
            for (int i = 0; i < programs; i++) {
                ExternalProcess.Outcome outcome = outcomes.get(i).get();
                assertEquals(i, outcome.exitCode());
                assertEquals(List.of("p" + i + " 0", "p" + i + " 1", "p" + i + " 2"), outcome.output());
            }
            assertEquals(1, starts());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aServerThatEndsEndsItsProgramAndTheNextProgramGetsANewServer() throws Exception {
        CompletableFuture<long[]> pids = new CompletableFuture<>();
        ForkServer server = ForkServer.of(python, ENV);
        CompletableFuture<ExternalProcess.Outcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return server.run("import os, time\nprint(os.getpid(), os.getppid(), flush=True)\ntime.sleep(60)",
                        List.of(), tmp, ENV, line -> {
                            if (pids.isDone()) {
                                return;
                            }
                            String[] words = line.split(" ");
                            pids.complete(new long[] {Long.parseLong(words[0]), Long.parseLong(words[1])});
                        });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long[] childAndServer = pids.get();
        ProcessHandle.of(childAndServer[1]).orElseThrow().destroyForcibly();
        ExternalProcess.Outcome outcome = running.get();
        assertEquals(137, outcome.exitCode());
        assertTrue(outcome.output().get(outcome.output().size() - 1).contains("the fork server of " + python + " ended"),
                outcome.output().toString());
        ProcessHandle program = ProcessHandle.of(childAndServer[0]).orElse(null);
        if (program != null) {
            program.onExit().get();
        }
        ExternalProcess.Outcome next = forked("import os\nprint(os.getppid())");
        assertEquals(0, next.exitCode());
        assertNotEquals(Long.toString(childAndServer[1]), next.output().get(0));
        assertEquals(2, starts());
    }

    @Test
    void aProgramWhoseCallerIsInterruptedIsKilled() throws Exception {
        CompletableFuture<Long> pid = new CompletableFuture<>();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        ForkServer server = ForkServer.of(python, ENV);
        Thread caller = new Thread(() -> {
            try {
                server.run("import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(600)", List.of(), tmp, ENV,
                        line -> pid.complete(Long.parseLong(line)));
                failure.complete(null);
            } catch (Throwable e) {
                failure.complete(e);
            }
        });
        caller.start();
        ProcessHandle program = ProcessHandle.of(pid.get()).orElseThrow();
        caller.interrupt();
        assertTrue(failure.get() instanceof InterruptedException, String.valueOf(failure.get()));
        program.onExit().get(30, TimeUnit.SECONDS); // killed, not left to sleep its 600 s
        assertFalse(program.isAlive());
    }

    @Test
    void programsAskingForOtherPythonVariablesGetAServerStartedWithThem() throws Exception {
        Map<String, String> withPath = Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONPATH", tmp.toString());
        Files.writeString(tmp.resolve("helper_module.py"), "VALUE = 'from PYTHONPATH'\n");
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        for (int i = 0; i < 2; i++) {
            ExternalProcess.Outcome outcome = PythonScript.run(python, "fork_server_probe.py", List.of(), elsewhere,
                    withPath, null);
            assertEquals(List.of("from PYTHONPATH"), outcome.output());
        }
        assertEquals(1, starts());
        ExternalProcess.Outcome without = PythonScript.run(python, "fork_server_probe.py", List.of(), elsewhere, ENV,
                null);
        assertEquals(1, without.exitCode());
        assertTrue(without.output().toString().contains("No module named 'helper_module'"), without.output().toString());
        assertEquals(2, starts());
    }
}
