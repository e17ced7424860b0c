package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Secrets of the set's namespace, one database each, chosen by their labels. */
public record SecretsGeneratorSpec(
        @Required
        @ValidationRule(value = "self.size() > 0", message = "at least one label: an empty selector matches every Secret")
        @JsonPropertyDescription("Labels a Secret must carry, all of them (an equality selector), e.g. "
                + "cnpg.io/reload: \"true\".")
        Map<String, String> matchLabels,

        @JsonPropertyDescription("libpq sslmode for the generated targets. Default prefer.")
        SslMode sslMode) {

    /** The Secret keys read: the values of host, port and dbname, and which user key is present. */
    public static final String HOST_KEY = "host";
    public static final String PORT_KEY = "port";
    public static final String DBNAME_KEY = "dbname";
    public static final String USER_KEY = "user";
    public static final String USERNAME_KEY = "username";
    public static final String PASSWORD_KEY = "password";
}
