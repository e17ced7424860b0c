package io.dbmigrate.validate;

import io.dbmigrate.api.v1alpha1.CanarySpec;
import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.KubernetesNames;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.SecretsGeneratorSpec;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.decide.Gates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A DatabaseMigrationSet's rules, the CRD schema's and those it cannot say, each problem naming its field: the test
 * API server and an old cluster have no CRD validation, and a spec the operator would half carry out must stall.
 */
public final class SetValidator {
    private static final Pattern SUBDOMAIN = Pattern.compile(KubernetesNames.SUBDOMAIN);
    // A label's value, and its key: an optional DNS subdomain prefix and a name, as Kubernetes checks them.
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");
    private static final Pattern LABEL_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
    static final int MAX_GENERATORS = 10;
    static final int MAX_LIST_TARGETS = 1000;
    static final int MAX_PARALLEL = 100;
    static final int MAX_SQL_LENGTH = 10_000;

    private SetValidator() {
    }

    /** Every problem of the set, each naming its field; empty when it is valid. */
    public static List<String> problems(DatabaseMigrationSet set) {
        List<String> problems = new ArrayList<>();
        String name = set.getMetadata() == null ? null : set.getMetadata().getName();
        if (name != null && name.length() > SpecValidator.MAX_NAME_LENGTH) {
            problems.add("metadata.name: at most " + SpecValidator.MAX_NAME_LENGTH + " characters for a "
                    + "DatabaseMigrationSet (it is the " + DatabaseMigrationSet.LABEL_SET + " label of its DatabaseMigrations), got "
                    + name.length());
        }
        SpecValidator.annotations(set.getMetadata() == null ? null : set.getMetadata().getAnnotations(),
                List.of(Gates.APPROVE_ANNOTATION, DatabaseMigrationSet.RETRY_ANNOTATION), problems);
        DatabaseMigrationSetSpec spec = set.getSpec();
        if (spec == null) {
            problems.add("spec is required");
            return problems;
        }
        if (spec.template() == null) {
            problems.add("spec.template is required");
        } else {
            if (spec.template().database() != null) {
                problems.add("spec.template.database: each target gives its own database; leave it out of the template");
            }
            problems.addAll(SpecValidator.templateProblems(spec.template()));
        }
        generators(spec.generatorsOrEmpty(), problems);
        rollout(spec.rolloutOrDefault(), problems);
        return problems;
    }

    private static void generators(List<GeneratorSpec> generators, List<String> problems) {
        if (generators.isEmpty() || generators.size() > MAX_GENERATORS) {
            problems.add("spec.generators: between 1 and " + MAX_GENERATORS + " generators, got " + generators.size());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < generators.size(); i++) {
            GeneratorSpec generator = generators.get(i);
            String field = "spec.generators[" + i + "]";
            if (generator == null || generator.kinds() != 1) {
                problems.add(field + ": set exactly one of list, secrets or query");
                continue;
            }
            if (generator.list() != null) {
                list(field + ".list", generator.list(), names, problems);
            } else if (generator.secrets() != null) {
                secrets(field + ".secrets", generator.secrets(), problems);
            } else {
                query(field + ".query", generator.query(), problems);
            }
        }
    }

    private static void list(String field, List<TargetSpec> targets, Set<String> names, List<String> problems) {
        if (targets.isEmpty() || targets.size() > MAX_LIST_TARGETS) {
            problems.add(field + ": between 1 and " + MAX_LIST_TARGETS + " targets, got " + targets.size());
        }
        for (int j = 0; j < targets.size(); j++) {
            TargetSpec target = targets.get(j);
            String at = field + "[" + j + "]";
            if (target == null) {
                problems.add(at + " is required");
                continue;
            }
            String problem = targetNameProblem(target.name());
            if (problem != null) {
                problems.add(at + ".name" + problem);
            } else if (!names.add(target.name())) {
                problems.add(at + ".name: \"" + target.name() + "\" is used by an earlier target");
            }
            SpecValidator.database(at + ".database", target.database(), problems);
        }
    }

    /** What is wrong with a target's name, after its field; null when nothing is. */
    public static String targetNameProblem(String name) {
        if (name == null || name.isBlank()) {
            return " is required";
        }
        if (name.length() > KubernetesNames.SUBDOMAIN_MAX_LENGTH || !SUBDOMAIN.matcher(name).matches()) {
            return ": \"" + SpecValidator.printable(name) + "\" must be lowercase letters, digits, '-' and '.', at most "
                    + KubernetesNames.SUBDOMAIN_MAX_LENGTH;
        }
        return null;
    }

    private static void secrets(String field, SecretsGeneratorSpec secrets, List<String> problems) {
        Map<String, String> labels = secrets.matchLabels();
        if (labels == null || labels.isEmpty()) {
            problems.add(field + ".matchLabels: at least one label (an empty selector matches every Secret)");
            return;
        }
        labels.forEach((key, value) -> {
            if (!labelKey(key)) {
                problems.add(field + ".matchLabels: \"" + SpecValidator.printable(String.valueOf(key))
                        + "\" is not a label key ([prefix/]name, the name at most 63 characters)");
            } else if (value == null || value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                problems.add(field + ".matchLabels[" + key + "]: \"" + SpecValidator.printable(String.valueOf(value))
                        + "\" is not a label value (at most 63 letters, digits, '-', '_' and '.')");
            }
        });
    }

    private static void query(String field, QueryGeneratorSpec query, List<String> problems) {
        SpecValidator.database(field + ".catalog", query.catalog(), problems);
        if (query.sql() == null || query.sql().isBlank()) {
            problems.add(field + ".sql is required");
        } else if (query.sql().length() > MAX_SQL_LENGTH) {
            problems.add(field + ".sql: at most " + MAX_SQL_LENGTH + " characters, got " + query.sql().length());
        }
        CredentialsSecretRef credentials = query.credentialsSecret();
        if (credentials != null && (credentials.name() == null || credentials.name().isBlank())) {
            problems.add(field + ".credentialsSecret.name is required");
        }
        if (query.interval() != null) {
            duration(field + ".interval", query.interval(), problems);
        }
    }

    private static void duration(String field, String text, List<String> problems) {
        try {
            Durations.parse(field, text);
        } catch (RunnerException e) {
            // The message names the field already.
            problems.add(SpecValidator.printable(e.getMessage()));
        }
    }

    private static boolean labelKey(String key) {
        if (key == null) {
            return false;
        }
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = key.substring(slash + 1);
        boolean prefixOk = prefix == null || (prefix.length() <= KubernetesNames.SUBDOMAIN_MAX_LENGTH
                && SUBDOMAIN.matcher(prefix).matches());
        return prefixOk && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }

    private static void rollout(RolloutSpec rollout, List<String> problems) {
        CanarySpec canary = rollout.canary();
        if (canary != null) {
            if ((canary.count() == null) == (canary.percentage() == null)) {
                problems.add("spec.rollout.canary: set exactly one of count or percentage");
            } else if (canary.count() != null && canary.count() < 1) {
                problems.add("spec.rollout.canary.count: must be at least 1, got " + canary.count());
            } else if (canary.percentage() != null && (canary.percentage() < 1 || canary.percentage() > 100)) {
                problems.add("spec.rollout.canary.percentage: must be between 1 and 100, got " + canary.percentage());
            }
        }
        RolloutGateSpec gate = rollout.gate();
        if (gate != null) {
            if (canary == null) {
                problems.add("spec.rollout.gate: a gate waits after the canary; set spec.rollout.canary too");
            }
            if ((gate.approval() == null) == (gate.pause() == null)) {
                problems.add("spec.rollout.gate: set exactly one of approval or pause");
            } else if (gate.pause() != null) {
                duration("spec.rollout.gate.pause", gate.pause(), problems);
            }
        }
        if (rollout.maxParallel() != null && (rollout.maxParallel() < 1 || rollout.maxParallel() > MAX_PARALLEL)) {
            problems.add("spec.rollout.maxParallel: must be between 1 and " + MAX_PARALLEL + ", got " + rollout.maxParallel());
        }
        if (rollout.maxFailures() != null && rollout.maxFailures() < 0) {
            problems.add("spec.rollout.maxFailures: must be at least 0, got " + rollout.maxFailures());
        }
    }
}
