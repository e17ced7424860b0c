package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migrations image's entrypoint (docker/dbmigrate-runner), run with a stand-in for {@code java} first on PATH that
 * says under which scheduling policy it was started and with which arguments. A backup, and everything it starts, runs
 * under SCHED_BATCH, so that its pipe readers do not take pg_dump off its core each time they wake; the other commands
 * (an upgrade holds locks) under the default policy; where chrt refuses, the backup still starts, as before.
 */
class EntrypointTest {

    private static final Path ENTRYPOINT = Path.of("docker/dbmigrate-runner");

    @TempDir
    Path tmp;

    @Test
    void aBackupAndItsChildrenRunUnderSchedBatch() throws Exception {
        Path bin = standInForJava();

        String output = entrypoint(bin, "backup", "--label", "g1");

        assertTrue(output.contains("current scheduling policy: SCHED_BATCH"), output);
        assertTrue(output.contains("-jar /opt/dbmigrate/dbmigrate-runner.jar backup --label g1"), output);
    }

    @Test
    void theOtherCommandsRunUnderTheDefaultPolicy() throws Exception {
        Path bin = standInForJava();

        for (String command : List.of("upgrade", "rehearse", "stamp", "--help")) {
            String output = entrypoint(bin, command);

            assertTrue(output.contains("current scheduling policy: SCHED_OTHER"), output);
            assertTrue(output.contains("-jar /opt/dbmigrate/dbmigrate-runner.jar " + command), output);
        }
    }

    @Test
    void whereChrtIsRefusedABackupStartsUnderTheDefaultPolicy() throws Exception {
        Path bin = standInForJava();
        executable(bin.resolve("chrt"), "echo 'chrt: failed to set pid 1 policy: Operation not permitted' >&2; exit 1");

        String output = entrypoint(bin, "backup");

        assertTrue(output.contains("current scheduling policy: SCHED_OTHER"), output);
        assertTrue(output.contains("-jar /opt/dbmigrate/dbmigrate-runner.jar backup"), output);
        assertFalse(output.contains("Operation not permitted"), output);
    }

    /** A directory whose {@code java} prints its own policy (by the real chrt) and the arguments it was given. */
    private Path standInForJava() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("java"), "/usr/bin/chrt -p $$\necho \"java $*\"");
        return bin;
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true));
    }

    private String entrypoint(Path bin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/sh", ENTRYPOINT.toString()));
        command.addAll(List.of(args));
        // LC_ALL=C: chrt's words, untranslated.
        ExternalProcess.Outcome outcome = ExternalProcess.run(command, null,
                Map.of("PATH", bin + ":" + System.getenv("PATH"), "LC_ALL", "C"), null);
        String output = String.join("\n", outcome.output());
        assertEquals(0, outcome.exitCode(), output);
        return output;
    }
}
