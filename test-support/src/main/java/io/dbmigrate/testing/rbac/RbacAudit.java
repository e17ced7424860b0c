package io.dbmigrate.testing.rbac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the API requests an operator made against the chart's RBAC, rendered in cluster scope and with
 * watchNamespaces set to the namespaces it worked in: a request that either would refuse fails the audit.
 */
public final class RbacAudit {

    private RbacAudit() {
    }

    /**
     * With {@code -Ddbmigrate.rbac.dump=FILE} (failsafe's argLine), appends the verbs and resources the operator used
     * to FILE: how to find a grant of the chart that no request needs any more.
     */
    private static void dump(Set<ApiRequest> requests) {
        String file = System.getProperty("dbmigrate.rbac.dump");
        if (file == null) {
            return;
        }
        try {
            Files.write(Path.of(file), requests.stream().map(r -> r.verb() + " " + r.group() + "/" + r.resource())
                    .sorted().distinct().toList(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The requests of a suite that ran migrations, with the chart installed in its usual namespace. */
    public static void assertChartAllows(Set<ApiRequest> requests, Collection<String> namespaces) {
        assertChartAllows(requests, namespaces, RenderedChart.RELEASE_NAMESPACE, List.of(
                "watch dbmigrate.io/databasemigrations", "patch dbmigrate.io/databasemigrations/status",
                "create batch/jobs", "create core/events"));
    }

    /** @param mustInclude prefixes of {@link ApiRequest#toString()}: an empty or partial log would pass vacuously */
    public static void assertChartAllows(Set<ApiRequest> requests, Collection<String> namespaces, String releaseNamespace,
                                         List<String> mustInclude) {
        for (String expected : mustInclude) {
            if (requests.stream().noneMatch(r -> r.toString().startsWith(expected))) {
                throw new AssertionError("the operator's request log has no \"" + expected + "\": " + requests);
            }
        }
        dump(requests);
        String clusterScope = "";
        String namespaced = "watchNamespaces: [" + String.join(", ", namespaces) + "]\n";
        for (String values : List.of(clusterScope, namespaced)) {
            RbacGrants grants = RbacGrants.of(RenderedChart.render(values, releaseNamespace));
            List<String> refused = requests.stream().filter(r -> !grants.allows(r)).map(ApiRequest::toString)
                    .sorted().distinct().toList();
            if (!refused.isEmpty()) {
                throw new AssertionError("the chart rendered with values {" + values.strip() + "} refuses "
                        + refused.size() + " request(s) the operator made:\n  " + String.join("\n  ", refused)
                        + "\nAll requests:\n  " + requests.stream().map(ApiRequest::toString).sorted().distinct()
                        .collect(Collectors.joining("\n  ")));
            }
        }
    }
}
