package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dbmigrate.contract.SchemaName;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the database is and how to log in; the password never leaves its Secret. */
@ValidationRule(value = DatabaseSpec.NOT_A_SYSTEM_SCHEMA,
        message = "schema: pg_* and information_schema are PostgreSQL's own schemas")
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
        CredentialsSecretRef credentialsSecret,

        @Pattern(SchemaName.PATTERN)
        @Size(max = 63)
        @JsonPropertyDescription("A schema of the database to migrate instead of the database as a whole (schema per "
                + "tenant): Alembic runs with search_path set to it and keeps alembic_version in it (the migrations "
                + "image's env.py template does both, and creates it if missing), and the backup dumps it alone. "
                + "Lowercase letters, digits and '_', not pg_* or information_schema. Unset: the whole database.")
        String schema) {

    /** The database as a whole, no schema of its own. */
    public DatabaseSpec(String host, Integer port, String name, SslMode sslMode, CredentialsSecretRef credentialsSecret) {
        this(host, port, name, sslMode, credentialsSecret, null);
    }

    public static final String HOST_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9.:-]{0,251}[A-Za-z0-9])?$";
    public static final String NAME_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$";
    public static final int DEFAULT_PORT = 5432;
    /** SchemaName's refusal of system schemas, for the API server. */
    public static final String NOT_A_SYSTEM_SCHEMA = "!has(self.schema) || !self.schema.startsWith('pg_') && self.schema != 'information_schema'";

    public int portOrDefault() {
        return port == null ? DEFAULT_PORT : port;
    }

    /** The same database, migrated in {@code otherSchema} (null: as a whole). */
    public DatabaseSpec withSchema(String otherSchema) {
        return new DatabaseSpec(host, port, name, sslMode, credentialsSecret, otherSchema);
    }

    public SslMode sslModeOrDefault() {
        return sslMode == null ? SslMode.PREFER : sslMode;
    }
}
