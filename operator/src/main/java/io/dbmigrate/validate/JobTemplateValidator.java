package io.dbmigrate.validate;

import io.dbmigrate.api.v1alpha1.ComputeResources;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.PodToleration;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the API server would refuse in the Job the operator builds from spec.jobTemplate, said before any Job is
 * created and naming the field: the same rules as Kubernetes' own validation of labels, annotations, node selectors,
 * tolerations, quantities and the service account's name.
 */
final class JobTemplateValidator {
    // k8s.io/apimachinery/pkg/util/validation: qualified names, label values, DNS subdomains, resource quantities.
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    // A resource request or limit: resource.Quantity's grammar, without the sign (a negative one is refused).
    private static final Pattern QUANTITY = Pattern.compile(
            "\\+?(\\d+(\\.\\d*)?|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\\d+))?");
    private static final Set<String> OPERATORS = Set.of("Exists", "Equal");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private JobTemplateValidator() {
    }

    static void validate(JobTemplateSpec template, List<String> problems) {
        String field = "spec.jobTemplate";
        if (template.serviceAccountName() != null && !subdomain(template.serviceAccountName())) {
            problems.add(field + ".serviceAccountName: \"" + SpecValidator.printable(template.serviceAccountName())
                    + "\" is not a valid name (lowercase letters, digits, '-' and '.', at most 253)");
        }
        labels(field + ".labels", template.labels(), true, problems);
        // Kubernetes validates annotation keys lowercased: an uppercase prefix is accepted there.
        labels(field + ".annotations", template.annotations() == null ? null : lowercaseKeys(template.annotations()), false,
                problems);
        labels(field + ".nodeSelector", template.nodeSelector(), true, problems);
        resources(field + ".resources", template.resources(), problems);
        List<PodToleration> tolerations = template.tolerations() == null ? List.of() : template.tolerations();
        for (int i = 0; i < tolerations.size(); i++) {
            toleration(field + ".tolerations[" + i + "]", tolerations.get(i), problems);
        }
    }

    private static void labels(String field, Map<String, String> entries, boolean valuesAreLabelValues,
                                                          List<String> problems) {
        if (entries == null) {
            return;
        }
        entries.forEach((key, value) -> {
            if (!qualifiedName(key)) {
                problems.add(field + ": key \"" + SpecValidator.printable(key) + "\" is not a valid key ([prefix/]name: name "
                        + "at most 63 of letters, digits, '-', '_', '.', starting and ending alphanumeric; prefix a DNS subdomain)");
            } else if (valuesAreLabelValues && !labelValue(value)) {
                problems.add(field + "." + key + ": \"" + SpecValidator.printable(value) + "\" is not a valid label value "
                        + "(at most 63 of letters, digits, '-', '_', '.', starting and ending alphanumeric)");
            }
        });
    }

    private static Map<String, String> lowercaseKeys(Map<String, String> entries) {
        Map<String, String> lowered = new LinkedHashMap<>();
        entries.forEach((key, value) -> lowered.put(key == null ? null : key.toLowerCase(Locale.ROOT), value));
        return lowered;
    }

    private static void resources(String field, ComputeResources resources, List<String> problems) {
        if (resources == null) {
            return;
        }
        quantities(field + ".requests", resources.requests(), problems);
        quantities(field + ".limits", resources.limits(), problems);
    }

    private static void quantities(String field, Map<String, IntOrString> quantities, List<String> problems) {
        if (quantities == null) {
            return;
        }
        quantities.forEach((name, quantity) -> {
            String text = quantity == null ? null : quantity.getIntVal() != null ? quantity.getIntVal().toString()
                    : quantity.getStrVal();
            if (!qualifiedName(name)) {
                problems.add(field + ": \"" + SpecValidator.printable(name) + "\" is not a resource name (cpu, memory, ...)");
            } else if (text == null || !QUANTITY.matcher(text).matches()) {
                problems.add(field + "." + name + ": \"" + SpecValidator.printable(text)
                        + "\" is not a quantity (e.g. 100m, 0.5, 256Mi, 1Gi)");
            }
        });
    }

    private static void toleration(String field, PodToleration toleration, List<String> problems) {
        // An empty operator is Equal, as Kubernetes reads it.
        String operator = toleration.operator() == null || toleration.operator().isEmpty() ? "Equal"
                : toleration.operator();
        if (!OPERATORS.contains(operator)) {
            problems.add(field + ".operator: \"" + SpecValidator.printable(operator) + "\" must be Exists or Equal");
        }
        if (toleration.key() != null && !toleration.key().isEmpty() && !qualifiedName(toleration.key())) {
            problems.add(field + ".key: \"" + SpecValidator.printable(toleration.key()) + "\" is not a valid key");
        }
        if ("Exists".equals(operator) && toleration.value() != null && !toleration.value().isEmpty()) {
            problems.add(field + ".value: must be empty with operator Exists");
        } else if (toleration.value() != null && !labelValue(toleration.value())) {
            problems.add(field + ".value: \"" + SpecValidator.printable(toleration.value()) + "\" is not a valid value");
        }
        if (toleration.effect() != null && !toleration.effect().isEmpty() && !EFFECTS.contains(toleration.effect())) {
            problems.add(field + ".effect: \"" + SpecValidator.printable(toleration.effect())
                    + "\" must be NoSchedule, PreferNoSchedule or NoExecute");
        }
        boolean emptyKey = toleration.key() == null || toleration.key().isEmpty();
        if (emptyKey && "Equal".equals(operator)) {
            problems.add(field + ".key: an empty key (every taint) needs operator Exists");
        }
        if (toleration.tolerationSeconds() != null && !"NoExecute".equals(toleration.effect())) {
            problems.add(field + ".tolerationSeconds: only with effect NoExecute");
        }
    }

    static boolean qualifiedName(String key) {
        if (key == null) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0 && !subdomain(key.substring(0, slash))) {
            return false;
        }
        return !name.isEmpty() && name.length() <= 63 && NAME_PART.matcher(name).matches();
    }

    static boolean labelValue(String value) {
        return value != null && value.length() <= 63 && LABEL_VALUE.matcher(value).matches();
    }

    private static boolean subdomain(String name) {
        return !name.isEmpty() && name.length() <= 253 && SUBDOMAIN.matcher(name).matches();
    }
}
