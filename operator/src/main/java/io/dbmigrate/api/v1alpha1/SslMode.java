package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** libpq's sslmode values, spelled as libpq spells them. */
public enum SslMode {
    @JsonProperty("disable") DISABLE("disable"),
    @JsonProperty("allow") ALLOW("allow"),
    @JsonProperty("prefer") PREFER("prefer"),
    @JsonProperty("require") REQUIRE("require"),
    @JsonProperty("verify-ca") VERIFY_CA("verify-ca"),
    @JsonProperty("verify-full") VERIFY_FULL("verify-full");

    private final String libpqName;

    SslMode(String libpqName) {
        this.libpqName = libpqName;
    }

    public String libpqName() {
        return libpqName;
    }
}
