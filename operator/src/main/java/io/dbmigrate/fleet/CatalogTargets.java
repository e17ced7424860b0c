package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.validate.SetValidator;
import io.dbmigrate.validate.SpecValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A query generator's rows as targets: one per row, named by its name column, else after its database (and schema),
 * with the generator's credentials Secret. A row that cannot be a target is an invalid target, never dropped.
 */
final class CatalogTargets {

    private CatalogTargets() {
    }

    static void of(CatalogRead read, QueryGeneratorSpec query, List<TargetSpec> targets, List<FailedTarget> invalid) {
        for (CatalogRead.Row row : read.rows()) {
            String name = name(row);
            String problem = problem(row, name);
            TargetSpec target = problem == null ? target(row, name, query) : null;
            if (target != null) {
                List<String> problems = new ArrayList<>();
                SpecValidator.database("row " + name + ": database", target.database(), problems);
                problem = problems.isEmpty() ? null : problems.get(0);
            }
            if (problem == null) {
                targets.add(target);
            } else {
                invalid.add(TargetGenerator.invalid(name == null ? "(row without a name)" : name, problem));
            }
        }
    }

    /** The row's name column, else its dbname and schema in the letters a target's name allows. */
    static String name(CatalogRead.Row row) {
        if (row.name() != null && !row.name().isBlank()) {
            return row.name().strip();
        }
        if (row.dbname() == null || row.dbname().isBlank()) {
            return null;
        }
        String name = row.schema() == null ? row.dbname() : row.dbname() + "-" + row.schema();
        return name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String problem(CatalogRead.Row row, String name) {
        List<String> missing = new ArrayList<>();
        if (row.host() == null || row.host().isBlank()) {
            missing.add(QueryGeneratorSpec.HOST);
        }
        if (row.dbname() == null || row.dbname().isBlank()) {
            missing.add(QueryGeneratorSpec.DBNAME);
        }
        String at = "row " + (name == null ? "" : name + " ");
        if (!missing.isEmpty()) {
            return at + "has no " + String.join(", ", missing) + " (the query returns host and dbname, and optionally "
                    + "port, schema and name)";
        }
        String nameProblem = SetValidator.targetNameProblem(name);
        if (nameProblem != null) {
            return at + "gives the target name" + nameProblem + " (return a name column)";
        }
        if (row.port() != null && !row.port().strip().matches("^[0-9]{1,5}$")) {
            return at + "gives port \"" + SpecValidator.printable(row.port()) + "\", not a number";
        }
        return null;
    }

    private static TargetSpec target(CatalogRead.Row row, String name, QueryGeneratorSpec query) {
        Integer port = row.port() == null ? null : Integer.valueOf(row.port().strip());
        String schema = row.schema() == null || row.schema().isBlank() ? null : row.schema().strip();
        return new TargetSpec(name, new DatabaseSpec(row.host().strip(), port, row.dbname().strip(), query.sslMode(),
                query.targetCredentials(), schema));
    }
}
