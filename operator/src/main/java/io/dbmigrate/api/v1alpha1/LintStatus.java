package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the linter found in a plan's SQL, bounded for status; the plan's ConfigMap (key lint.json) has all of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LintStatus(
        @JsonPropertyDescription("The linter and its version, e.g. squawk 2.66.0.")
        String linter,
        @JsonPropertyDescription("How many findings there are in all, after spec.safety.lint.ignore.")
        Integer total,
        @JsonPropertyDescription("How many of them are errors (a lock held for a scan, a rewrite or an index build), "
                + "counted among all findings, also those not shown. Absent when the list was cut by a runner that "
                + "did not count them: lint mode Block then holds the step as for an error.")
        Integer errors,
        @JsonPropertyDescription("False when the plan Job's result held only the first findings (its log has all).")
        Boolean complete,
        @JsonPropertyDescription("The first findings, errors first, then in the SQL's order.")
        List<LintFindingStatus> findings,
        @JsonPropertyDescription("Why the SQL could not be linted (no SQL, the linter missing or failing); "
                + "never shown as no findings.")
        String unavailable) {

    /** How many findings status shows; the ConfigMap has them all. */
    public static final int SHOWN = 20;

    public int errorsOrZero() {
        return errors == null ? 0 : errors;
    }

    /** For messages: "1 error", "3 errors", or that a cut list's errors were not counted. */
    public String errorsText() {
        return errors == null ? "errors not counted" : errors + (errors == 1 ? " error" : " errors");
    }

    public int totalOrZero() {
        return total == null ? 0 : total;
    }
}
