package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Where the database is and how to log in; the password never leaves its Secret. */
public record DatabaseSpec(
        @Required
        @Pattern(DatabaseSpec.HOST_PATTERN)
        @JsonPropertyDescription("Host name or IP address of the PostgreSQL server, e.g. crm-db.crm.svc.")
        String host,

        @Default("5432")
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("TCP port of the server. Default 5432.")
        Integer port,

        @Required
        @Pattern(DatabaseSpec.NAME_PATTERN)
        @JsonPropertyDescription("Name of the database to migrate.")
        String name,

        @Default("prefer")
        @JsonPropertyDescription("libpq sslmode for every connection. Default prefer.")
        SslMode sslMode,

        @Required
        @JsonPropertyDescription("The Secret, in the resource's namespace, holding the user name and password.")
        CredentialsSecretRef credentialsSecret) {

    public static final String HOST_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9.:-]{0,251}[A-Za-z0-9])?$";
    public static final String NAME_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$";
    public static final int DEFAULT_PORT = 5432;

    public int portOrDefault() {
        return port == null ? DEFAULT_PORT : port;
    }

    public SslMode sslModeOrDefault() {
        return sslMode == null ? SslMode.PREFER : sslMode;
    }
}
