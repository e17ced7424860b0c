package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.BackupCompression;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The pg_dump taken and fully read back before every upgrade. */
@ValidationRule(value = "!has(self.mode) || self.mode != 'Disabled' || (has(self.reason) && size(self.reason) > 0)",
        message = "backup.reason is required when backup.mode is Disabled")
@ValidationRule(value = "(has(self.mode) && self.mode == 'Disabled') || has(self.volume)",
        message = "backup.volume is required when backup.mode is Required")
public record BackupSpec(
        @Default("Required")
        @JsonPropertyDescription("Required (default): no upgrade without a verified backup. Disabled: no backup; needs a reason.")
        BackupMode mode,

        @Pattern(KubernetesNames.TEXT)
        @Size(max = BackupSpec.REASON_MAX_LENGTH)
        @JsonPropertyDescription("Why backups are disabled; required when mode is Disabled, recorded in status and in an Event.")
        String reason,

        @JsonPropertyDescription("Where the dumps are written; required when mode is Required.")
        BackupVolume volume,

        @Default("5")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("How many verified dumps of this resource to keep; older ones are pruned after a new one is verified. "
                + "Default 5.")
        Integer retain,

        @JsonPropertyDescription("How pg_dump compresses the dumps; default gzip at pg_dump's default level.")
        BackupCompressionSpec compression) {

    public static final int DEFAULT_RETAIN = 5;
    public static final int REASON_MAX_LENGTH = 1024;
    public static final BackupSpec DEFAULT = new BackupSpec(BackupMode.Required, null, null, null, null);

    public BackupMode modeOrDefault() {
        return mode == null ? BackupMode.Required : mode;
    }

    public int retainOrDefault() {
        return retain == null ? DEFAULT_RETAIN : retain;
    }

    /** The runner's compression; null (pg_dump's default, no option) when none is given. */
    public BackupCompression runnerCompression() {
        return compression == null ? null : compression.toRunner();
    }

    /** Whether a backup is taken before the upgrade. */
    public enum BackupMode { Required, Disabled }
}
