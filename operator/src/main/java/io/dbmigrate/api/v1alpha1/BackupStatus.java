package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A verified dump, as the backup container reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupStatus(
    @JsonPropertyDescription("Path of the dump on the backup volume.")
    String file,
    @JsonPropertyDescription("The revision the database was at when it was dumped.")
    String revision,
    @JsonPropertyDescription("Size of the dump in bytes.")
    Long sizeBytes,
    @JsonPropertyDescription("SHA-256 of the dump, hex.")
    String sha256,
    @JsonPropertyDescription("True when the whole archive was read back without error.")
    Boolean verified,
    @JsonPropertyDescription("When the dump started (RFC 3339).")
    String startedAt,
    @JsonPropertyDescription("When the dump was verified (RFC 3339).")
    String finishedAt) {
}
