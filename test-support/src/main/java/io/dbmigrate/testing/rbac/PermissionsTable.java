package io.dbmigrate.testing.rbac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The "Permissions" table of charts/dbmigrate-operator/README.md, one {@link Row} per line. */
public final class PermissionsTable {
    public static final String WATCHED = "watched namespaces";
    public static final String OPERATOR_NAMESPACE = "operator namespace";

    /** A rule as the table states it; group "" is the core group (the table says "core"). */
    public record Row(String group, String resource, Set<String> verbs, Set<String> resourceNames, String scope) {
        public Row {
            verbs = new TreeSet<>(verbs);
            resourceNames = new TreeSet<>(resourceNames);
        }
    }

    private PermissionsTable() {
    }

    public static Path readme() {
        return RenderedChart.chart().resolve("README.md");
    }

    public static Set<Row> rows() {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int heading = lines.indexOf("## Permissions");
        if (heading < 0) {
            throw new AssertionError(readme() + " has no \"## Permissions\" heading");
        }
        Set<Row> rows = new LinkedHashSet<>();
        boolean inTable = false;
        for (String line : lines.subList(heading + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("|")) {
                if (inTable) {
                    break;
                }
                continue;
            }
            inTable = true;
            List<String> cells = Arrays.stream(line.substring(1, line.lastIndexOf('|')).split("\\|", -1))
                    .map(String::strip).toList();
            if (cells.get(0).equals("API group") || cells.get(0).startsWith("---")) {
                continue;
            }
            rows.add(new Row(cells.get(0).equals("core") ? "" : cells.get(0), cells.get(1), list(cells.get(2)),
                    list(cells.get(3)), cells.get(4)));
        }
        return rows;
    }

    private static Set<String> list(String cell) {
        return Arrays.stream(cell.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
