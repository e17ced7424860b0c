package io.dbmigrate.contract;

import static io.dbmigrate.contract.BadInput.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupCompressionTest {

    @Test
    void methodAndLevelAreParsedAndWrittenBack() throws RunnerException {
        for (String text : List.of("gzip", "gzip:1", "gzip:9", "lz4", "lz4:12", "zstd", "zstd:1", "zstd:22", "none")) {
            assertEquals(text, BackupCompression.parse("--compression", text).toString());
        }
        BackupCompression zstd = BackupCompression.parse("--compression", "zstd:3");
        assertEquals(BackupCompression.Method.ZSTD, zstd.method());
        assertEquals(3, zstd.level());
        assertNull(BackupCompression.parse("--compression", "lz4").level());
    }

    @Test
    void unknownMethodsAndLevelsOutOfRangeAreRefusedNamingTheField() {
        assertRefused("--compression 'brotli' is not gzip, lz4, zstd or none",
                () -> BackupCompression.parse("--compression", "brotli"));
        assertRefused("--compression 'GZIP' is not", () -> BackupCompression.parse("--compression", "GZIP"));
        assertRefused("--compression 'zstd:fast': the level after ':' must be a whole number",
                () -> BackupCompression.parse("--compression", "zstd:fast"));
        assertRefused("--compression 'gzip:0': gzip takes a level from 1 to 9",
                () -> BackupCompression.parse("--compression", "gzip:0"));
        assertRefused("--compression 'gzip:10': gzip takes a level from 1 to 9",
                () -> BackupCompression.parse("--compression", "gzip:10"));
        assertRefused("--compression 'lz4:13': lz4 takes a level from 1 to 12",
                () -> BackupCompression.parse("--compression", "lz4:13"));
        assertRefused("--compression 'zstd:23': zstd takes a level from 1 to 22",
                () -> BackupCompression.parse("--compression", "zstd:23"));
        assertRefused("--compression 'none:1': none takes no level",
                () -> BackupCompression.parse("--compression", "none:1"));
        assertRefused("compression 'lz4:0'", () -> new BackupRequest(Path.of("/b"), "crm", "g3", 5,
                new BackupCompression(BackupCompression.Method.LZ4, 0)).validate());
    }

    @Test
    void theRunnersArgumentsCarryACompressionOnlyWhenOneWasAskedFor() throws RunnerException {
        List<String> base = List.of("backup", "--dir", "/b", "--name", "crm", "--label", "g3", "--retain", "5");
        assertEquals(base, RunnerArguments.backup(new BackupRequest(Path.of("/b"), "crm", "g3", 5)));
        assertEquals(BackupCompression.DEFAULT, new BackupRequest(Path.of("/b"), "crm", "g3", 5).compressionOrDefault());
        List<String> zstd = new java.util.ArrayList<>(base);
        zstd.addAll(List.of("--compression", "zstd:3"));
        assertEquals(zstd, RunnerArguments.backup(new BackupRequest(Path.of("/b"), "crm", "g3", 5,
                BackupCompression.parse("compression", "zstd:3"))));
    }
}
