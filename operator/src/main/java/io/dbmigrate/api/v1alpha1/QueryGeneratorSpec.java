package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.time.Duration;

/** A catalog database the operator asks, on a schedule, which tenant databases there are: one row each. */
public record QueryGeneratorSpec(
        @Required
        @JsonPropertyDescription("The catalog database, as a DatabaseMigration's spec.database. The operator connects to "
                + "it itself, in a read-only transaction, with the user and password of its Secret.")
        DatabaseSpec catalog,

        @Required
        @Size(min = 1, max = 10000)
        @JsonPropertyDescription("A SELECT returning one row per target with the columns host and dbname, and optionally "
                + "port, schema and name (the target's name; default dbname, or dbname-schema, with '_' as '-'). At most "
                + QueryGeneratorSpec.MAX_ROWS + " rows; it is stopped after " + QueryGeneratorSpec.TIMEOUT_SECONDS
                + " s.")
        String sql,

        @JsonPropertyDescription("The Secret with the targets' user and password, which their Jobs read by secretKeyRef. "
                + "Default the catalog's.")
        CredentialsSecretRef credentialsSecret,

        @JsonPropertyDescription("libpq sslmode for the generated targets. Default prefer.")
        SslMode sslMode,

        @Default("5m")
        @JsonPropertyDescription("How often the query runs again, for tenants added since, e.g. 5m or 1h. Default 5m.")
        String interval) {

    public static final int MAX_ROWS = 5000;
    public static final int TIMEOUT_SECONDS = 30;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** The columns read; any other is ignored. */
    public static final String NAME = "name";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String DBNAME = "dbname";
    public static final String SCHEMA = "schema";

    public CredentialsSecretRef targetCredentials() {
        return credentialsSecret != null ? credentialsSecret : catalog == null ? null : catalog.credentialsSecret();
    }
}
