package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** How a step's plan is linted (squawk on its offline SQL) and what its findings hold back. */
public record LintSpec(
        // Warn by default: findings are shown on every plan without holding back a migration that ran before lint
        // existed; Block is a choice made knowing that every step with an error finding then waits for a person.
        @Default("Warn")
        @JsonPropertyDescription("Off: plans are not linted. Warn (default): a gated step's plan shows the linter's "
                + "findings (status, its ConfigMap's lint.json, an Event) and nothing waits on them. Block: every step is "
                + "planned and linted first, and a step whose plan has an error finding, or could not be linted, waits "
                + "until that plan is approved by its digest (gate.approval.plan or the dbmigrate.io/approve "
                + "annotation). Warn by default so that turning lint on shows findings without stopping migrations "
                + "that ran before.")
        LintMode mode,

        @Size(max = 50)
        @JsonPropertyDescription("squawk rule names whose findings are dropped, e.g. adding-field-with-default: "
                + "lowercase letters, digits and dashes. A dropped finding neither shows nor blocks.")
        List<String> ignore) {

    public static final LintSpec DEFAULT = new LintSpec(LintMode.Warn, null);

    public LintMode modeOrDefault() {
        return mode == null ? LintMode.Warn : mode;
    }

    public List<String> ignoreOrEmpty() {
        return ignore == null ? List.of() : ignore;
    }

    /** Off, Warn (default) or Block. */
    public enum LintMode { Off, Warn, Block }
}
