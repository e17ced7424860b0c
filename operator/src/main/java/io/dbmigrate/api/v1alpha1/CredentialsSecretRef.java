package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret and the keys in it; the Job reads them through secretKeyRef, the operator only checks they exist. */
public record CredentialsSecretRef(
        @Required
        @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
        @JsonPropertyDescription("Name of the Secret.")
        String name,

        @Default("username")
        @JsonPropertyDescription("Key of the user name in the Secret. Default username.")
        String usernameKey,

        @Default("password")
        @JsonPropertyDescription("Key of the password in the Secret. Default password.")
        String passwordKey) {

    public String usernameKeyOrDefault() {
        return usernameKey == null || usernameKey.isBlank() ? "username" : usernameKey;
    }

    public String passwordKeyOrDefault() {
        return passwordKey == null || passwordKey.isBlank() ? "password" : passwordKey;
    }
}
