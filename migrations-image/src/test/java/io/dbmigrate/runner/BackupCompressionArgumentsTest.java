package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.BackupCompression;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pg_dump's -Z for each compression, and which clients may be asked for which. */
class BackupCompressionArgumentsTest {

    private static final String PG15 = "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)";
    private static final String PG16 = "pg_dump (PostgreSQL) 16.4";

    private static List<String> z(String compression) throws RunnerException {
        return Backup.compressionArguments(BackupCompression.parse("--compression", compression));
    }

    @Test
    void gzipAtItsDefaultLevelIsPgDumpAsItAlwaysRan() throws RunnerException {
        assertEquals(List.of(), Backup.compressionArguments(BackupCompression.DEFAULT));
        assertEquals(List.of(), z("gzip"));
        assertEquals(List.of("-Z", "9"), z("gzip:9"));
        assertEquals(List.of("-Z", "0"), z("none"));
        assertEquals(List.of("-Z", "lz4"), z("lz4"));
        assertEquals(List.of("-Z", "zstd:19"), z("zstd:19"));
    }

    @Test
    void lz4AndZstdNeedAClientOf16() throws RunnerException {
        for (String c : List.of("gzip", "gzip:1", "none")) {
            Backup.checkClientHas(BackupCompression.parse("--compression", c), PG15);
        }
        for (String c : List.of("lz4", "zstd:3")) {
            Backup.checkClientHas(BackupCompression.parse("--compression", c), PG16);
            Backup.checkClientHas(BackupCompression.parse("--compression", c), "pg_dump (PostgreSQL) 17devel");
            RunnerException e = assertThrows(RunnerException.class,
                    () -> Backup.checkClientHas(BackupCompression.parse("--compression", c), PG15));
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            assertEquals("backup compression " + c + " (spec.backup.compression, runner option --compression) needs a"
                    + " PostgreSQL 16 client or newer, and this runner's is 15 (" + PG15 + "): use gzip or none, or a"
                    + " migrations image with a newer client", e.getMessage());
        }
        RunnerException old = assertThrows(RunnerException.class, () -> Backup.checkClientHas(
                BackupCompression.parse("--compression", "lz4"), "pg_dump (PostgreSQL) 9.6.24"));
        assertTrue(old.getMessage().contains("this runner's is 9 ("), old.getMessage());
        // A line without a version is left to pg_dump, which says what it does not know.
        Backup.checkClientHas(BackupCompression.parse("--compression", "lz4"), "pg_dump, a build of our own");
    }
}
