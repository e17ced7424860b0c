package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One source of targets: a list written in the set, or the Secrets a label selector matches. */
@ValidationRule(value = "has(self.list) != has(self.secrets)", message = "set exactly one of list or secrets")
@ValidationRule(value = "!has(self.list) || self.list.all(t, self.list.exists_one(u, u.name == t.name))",
        message = "target names must be unique")
public record GeneratorSpec(
        @Size(min = 1, max = 1000)
        @JsonPropertyDescription("Targets written out, each a name and a database.")
        List<TargetSpec> list,

        @JsonPropertyDescription("One target per Secret the selector matches, named after the Secret, with the keys "
                + "CloudNativePG and most operators write: host, port, dbname, user or username, password.")
        SecretsGeneratorSpec secrets) {
}
