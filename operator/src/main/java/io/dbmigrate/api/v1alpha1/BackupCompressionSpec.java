package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.BackupCompression;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How pg_dump compresses the backup. Which methods the migrations image's client has cannot be said here: lz4 and zstd
 * need pg_dump 16, and an older one makes the backup fail with InvalidInput before anything is dumped.
 */
@ValidationRule(value = "!has(self.level) || ((!has(self.method) || self.method == 'gzip') ? self.level <= 9"
        + " : self.method == 'lz4' ? self.level <= 12 : self.method == 'zstd' ? self.level <= 22 : false)",
        message = "backup.compression.level: gzip takes 1 to 9, lz4 1 to 12, zstd 1 to 22, none no level")
public record BackupCompressionSpec(
        @Default("gzip")
        @JsonPropertyDescription("gzip (default, pg_dump's own), lz4, zstd or none. lz4 and zstd need a PostgreSQL 16 client or "
                + "newer in the migrations image; an older one fails the backup with InvalidInput before anything is dumped.")
        BackupCompression.Method method,

        @Min(1)
        @Max(22)
        @JsonPropertyDescription("The method's level: gzip 1-9, lz4 1-12, zstd 1-22; none takes none. Default: pg_dump's for the method.")
        Integer level) {

    /** As the runner takes it. */
    public BackupCompression toRunner() {
        return new BackupCompression(method == null ? BackupCompression.Method.GZIP : method, level);
    }
}
