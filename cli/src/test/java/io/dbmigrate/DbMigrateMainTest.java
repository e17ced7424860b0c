package io.dbmigrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line itself: help, and what it says before anything connects. */
class DbMigrateMainTest {
    private record Result(int exitCode, String out, String err) {
    }

    private static Result execute(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DbMigrateMain.execute(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpRunPrintsTheRunCommandsUsage() {
        Result help = execute("help", "run");

        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().startsWith("Usage: dbmigrate run "), help.out());
        assertTrue(help.out().contains("--database-url"), help.out());
    }

    @Test
    void helpAloneListsTheCommands() {
        Result help = execute("help");

        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().contains("run"), help.out());
        assertTrue(help.out().contains("operator"), help.out());
    }
}
