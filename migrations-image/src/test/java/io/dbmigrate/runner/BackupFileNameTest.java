package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupRequest;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupFileNameTest {

    private static final Instant AT = Instant.parse("2024-05-06T07:08:09.123Z");

    @Test
    void nameCarriesResourceTimeAndLabel() {
        assertEquals("crm_20240506T070809123Z_g3.dump", BackupFileName.of("crm", AT, "g3"));
    }

    @Test
    void timestampOnlyForTheSameResource() {
        String mine = BackupFileName.of("crm", AT, "g3");
        assertEquals(Optional.of(AT), BackupFileName.timestampOf("crm", mine));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("crm", BackupFileName.of("crm-eu", AT, "g3")));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("crm", BackupFileName.of("crm.v2", AT, "g3")));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("crm", mine + ".json"));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("crm", mine + ".partial"));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("crm", "crm_notatime_g3.dump"));
        assertEquals(Optional.empty(), BackupFileName.timestampOf("c.m", "cxm_20240506T070809123Z_g3.dump"));
    }

    @Test
    void stalePartials() {
        assertTrue(BackupFileName.isStalePartial("crm", "crm_20240506T070809123Z_g3.dump.partial"));
        assertFalse(BackupFileName.isStalePartial("crm", "crm-eu_20240506T070809123Z_g3.dump.partial"));
        assertFalse(BackupFileName.isStalePartial("crm", "crm_20240506T070809123Z_g3.dump"));
    }

    @Test
    void requestValidation() throws RunnerException {
        new BackupRequest(Path.of("/b"), "crm.prod-1", "g3", 1).validate();
        for (BackupRequest bad : new BackupRequest[] {
                new BackupRequest(null, "crm", "g3", 5),
                new BackupRequest(Path.of("/b"), "Crm", "g3", 5),
                new BackupRequest(Path.of("/b"), "crm_x", "g3", 5),
                new BackupRequest(Path.of("/b"), "../crm", "g3", 5),
                new BackupRequest(Path.of("/b"), "-crm", "g3", 5),
                new BackupRequest(Path.of("/b"), "crm", "g_3", 5),
                new BackupRequest(Path.of("/b"), "crm", "", 5),
                new BackupRequest(Path.of("/b"), "crm", "x".repeat(33), 5),
                new BackupRequest(Path.of("/b"), "crm", "g3", 0)}) {
            RunnerException e = assertThrows(RunnerException.class, bad::validate, bad.toString());
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        }
    }
}
