package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** How the contract's checks refuse input: a RunnerException with BAD_INPUT whose message starts with what was refused. */
final class BadInput {

    private BadInput() {
    }

    static void assertRefused(String messageStart, Executable check) {
        RunnerException e = assertThrows(RunnerException.class, check);
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }
}
