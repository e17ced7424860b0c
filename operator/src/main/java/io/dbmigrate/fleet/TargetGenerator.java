package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.FailedTarget;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.SecretsGeneratorSpec;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.naming.ChildNames;
import io.dbmigrate.validate.SetValidator;
import io.dbmigrate.validate.SpecValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The set's targets, in rollout order: each generator's in turn, a list as written, Secrets by name. A target that
 * cannot be migrated (a Secret without a key, a name an earlier target has, a child name taken) is not dropped
 * silently: it is an invalid target, which status counts and lists as failed.
 */
public final class TargetGenerator {

    /** The targets to migrate, in order, and the invalid ones. */
    public record Targets(List<TargetSpec> valid, List<FailedTarget> invalid) {
    }

    private TargetGenerator() {
    }

    /** The targets of a set whose generators read nothing outside it (lists), as local mode runs it. */
    public static Targets generate(DatabaseMigrationSet set) {
        return generate(new SetObservation(set, Map.of(), Map.of(), List.of(), Instant.EPOCH));
    }

    /** The targets of what one reconcile observed: the set's lists, its selectors' Secrets, its catalogs' rows. */
    public static Targets generate(SetObservation observation) {
        DatabaseMigrationSet set = observation.set();
        Map<Integer, List<DatabaseSecret>> secrets = observation.secrets();
        List<TargetSpec> valid = new ArrayList<>();
        List<FailedTarget> invalid = new ArrayList<>();
        Map<String, String> targetByChild = new HashMap<>();
        List<GeneratorSpec> generators = set.getSpec().generatorsOrEmpty();
        for (int i = 0; i < generators.size(); i++) {
            GeneratorSpec generator = generators.get(i);
            List<TargetSpec> candidates = new ArrayList<>();
            if (generator.list() != null) {
                candidates.addAll(generator.list());
            } else if (generator.secrets() != null) {
                List<DatabaseSecret> matched = new ArrayList<>(secrets.getOrDefault(i, List.of()));
                matched.sort(Comparator.comparing(DatabaseSecret::name));
                for (DatabaseSecret secret : matched) {
                    String problem = problem(secret);
                    if (problem == null) {
                        candidates.add(target(secret, generator.secrets()));
                    } else {
                        invalid.add(invalid(secret.name(), problem));
                    }
                }
            } else if (generator.query() != null) {
                CatalogRead read = observation.catalogs().get(i);
                if (read == null || read.rows() == null) {
                    // Nothing known of the catalog's tenants: one entry says so, and counts as a failure, so that a
                    // rollout does not go on as if the fleet were only the other generators' targets.
                    invalid.add(new FailedTarget("spec.generators[" + i + "].query", null, SetReason.QueryFailed.name(),
                            read == null ? "the catalog has not been read" : read.error(), read == null ? null
                            : read.at().toString()));
                } else {
                    CatalogTargets.of(read, generator.query(), candidates, invalid);
                }
            }
            for (TargetSpec target : candidates) {
                String child = ChildNames.of(set.getMetadata().getName(), target.name());
                String taken = targetByChild.putIfAbsent(child, target.name());
                if (taken != null) {
                    invalid.add(invalid(target.name(), taken.equals(target.name())
                            ? "the name is used by an earlier target"
                            : "its DatabaseMigration's name " + child + " is target " + taken + "'s"));
                } else {
                    valid.add(target);
                }
            }
        }
        return new Targets(List.copyOf(valid), List.copyOf(invalid));
    }

    private static TargetSpec target(DatabaseSecret secret, SecretsGeneratorSpec generator) {
        Integer port = secret.port() == null ? null : Integer.valueOf(secret.port());
        return new TargetSpec(secret.name(), new DatabaseSpec(secret.host(), port, secret.dbname(), generator.sslMode(),
                new CredentialsSecretRef(secret.name(), secret.userKey(), SecretsGeneratorSpec.PASSWORD_KEY)));
    }

    // What keeps a Secret from being a target; null when nothing does.
    private static String problem(DatabaseSecret secret) {
        List<String> missing = new ArrayList<>();
        if (secret.host() == null || secret.host().isEmpty()) {
            missing.add(SecretsGeneratorSpec.HOST_KEY);
        }
        if (secret.dbname() == null || secret.dbname().isEmpty()) {
            missing.add(SecretsGeneratorSpec.DBNAME_KEY);
        }
        if (secret.userKey() == null) {
            missing.add(SecretsGeneratorSpec.USER_KEY + " or " + SecretsGeneratorSpec.USERNAME_KEY);
        }
        if (!secret.hasPassword()) {
            missing.add(SecretsGeneratorSpec.PASSWORD_KEY);
        }
        if (!missing.isEmpty()) {
            return "Secret " + secret.name() + " has no " + String.join(", ", missing)
                    + " (a database Secret holds host, port, dbname, user or username, password)";
        }
        String nameProblem = SetValidator.targetNameProblem(secret.name());
        if (nameProblem != null) {
            return "Secret " + secret.name() + ": the target name" + nameProblem;
        }
        if (secret.port() != null && !secret.port().matches("^[0-9]{1,5}$")) {
            return "Secret " + secret.name() + ": port \"" + SpecValidator.printable(secret.port()) + "\" is not a number";
        }
        List<String> problems = new ArrayList<>();
        SpecValidator.database("Secret " + secret.name() + ": database",
                target(secret, new SecretsGeneratorSpec(null, null)).database(), problems);
        return problems.isEmpty() ? null : problems.get(0);
    }

    static FailedTarget invalid(String target, String message) {
        return new FailedTarget(target, null, SetReason.InvalidTarget.name(), message, null);
    }
}
