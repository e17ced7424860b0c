package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodeTest {

    @Test
    void documentedCodes() {
        assertEquals(0, ExitCode.OK.code());
        assertEquals("Succeeded", ExitCode.OK.reason());
        assertEquals(21, ExitCode.MIGRATION_FAILED.code());
        assertEquals("MigrationFailed", ExitCode.MIGRATION_FAILED.reason());
        assertTrue(ExitCode.LOCK_NOT_ACQUIRED.retryable());
        assertTrue(ExitCode.CONNECTION_FAILED.retryable());
        assertFalse(ExitCode.AUTHENTICATION_FAILED.retryable());
        assertFalse(ExitCode.BACKUP_VERIFICATION_FAILED.retryable());
    }

    @Test
    void ofMapsBackAndUnknownIsUnexpected() {
        for (ExitCode c : ExitCode.values()) {
            assertEquals(c, ExitCode.of(c.code()));
        }
        assertEquals(ExitCode.UNEXPECTED, ExitCode.of(137));
        assertEquals(ExitCode.UNEXPECTED, ExitCode.of(-1));
    }

    @Test
    void codesAreUniqueAndReasonsAreUpperCamelCase() {
        assertEquals(ExitCode.values().length, Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code).distinct().count());
        for (ExitCode c : ExitCode.values()) {
            assertTrue(c.reason().matches("[A-Z][A-Za-z0-9]*"), c.reason());
        }
    }
}
