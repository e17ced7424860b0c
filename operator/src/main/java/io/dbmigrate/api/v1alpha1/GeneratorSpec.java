package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One source of targets: a list written in the set, the Secrets a label selector matches, or a catalog's rows. */
@ValidationRule(value = "[has(self.list), has(self.secrets), has(self.query)].exists_one(x, x)",
        message = "set exactly one of list, secrets or query")
// A list's names are unique by its list type (map, keyed by name; GeneratedCrd sets it): a CEL rule comparing every
// pair of up to 1,000 names would exceed the API server's cost budget, and the CRD would be refused.
public record GeneratorSpec(
        @Size(min = 1, max = 1000)
        @JsonPropertyDescription("Targets written out, each a name and a database.")
        List<TargetSpec> list,

        @JsonPropertyDescription("One target per Secret the selector matches, named after the Secret, with the keys "
                + "CloudNativePG and most operators write: host, port, dbname, user or username, password.")
        SecretsGeneratorSpec secrets,

        @JsonPropertyDescription("One target per row of a query on a catalog database, run again every interval.")
        QueryGeneratorSpec query) {

    public static GeneratorSpec of(List<TargetSpec> list) {
        return new GeneratorSpec(list, null, null);
    }

    public static GeneratorSpec of(SecretsGeneratorSpec secrets) {
        return new GeneratorSpec(null, secrets, null);
    }

    public static GeneratorSpec of(QueryGeneratorSpec query) {
        return new GeneratorSpec(null, null, query);
    }

    /** How many of list, secrets and query are set: exactly one is valid. */
    public int kinds() {
        return (list == null ? 0 : 1) + (secrets == null ? 0 : 1) + (query == null ? 0 : 1);
    }
}
