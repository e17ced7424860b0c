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
        refusesOption("brotli", "--compression 'brotli' is not gzip, lz4, zstd or none");
        refusesOption("GZIP", "--compression 'GZIP' is not");
        refusesOption("zstd:fast", "--compression 'zstd:fast': the level after ':' must be a whole number");
        refusesOption("gzip:0", "--compression 'gzip:0': gzip takes a level from 1 to 9");
        refusesOption("gzip:10", "--compression 'gzip:10': gzip takes a level from 1 to 9");
        refusesOption("lz4:13", "--compression 'lz4:13': lz4 takes a level from 1 to 12");
        refusesOption("zstd:23", "--compression 'zstd:23': zstd takes a level from 1 to 22");
        refusesOption("none:1", "--compression 'none:1': none takes no level");
        assertRefused("compression 'lz4:0'", () -> new BackupRequest(Path.of("/b"), "crm", "g3", 5,
                new BackupCompression(BackupCompression.Method.LZ4, 0)).validate());
    }

    private static void refusesOption(String value, String expected) {
        assertRefused(expected, () -> BackupCompression.parse("--compression", value));
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
