package io.dbmigrate.testing.rbac;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the chart's ServiceAccount may do, evaluated as the API server's RBAC authorizer does: the rules of each
 * Role or ClusterRole that a RoleBinding (in its namespace) or ClusterRoleBinding (everywhere) grants to it.
 */
public final class RbacGrants {
    /** A rule that applies in one namespace, or everywhere when namespace is null. */
    public record Grant(String namespace, PolicyRule rule) {
    }

    /**
     * Requests every authenticated user may make through Kubernetes' default ClusterRole system:basic-user:
     * JOSDK's leader election asks in a SelfSubjectRulesReview whether it may use its Lease.
     */
    private static final List<ApiRequest> DEFAULT_ALLOWED = List.of(
            new ApiRequest("create", "authorization.k8s.io", "selfsubjectrulesreviews", null, null, null),
            new ApiRequest("create", "authorization.k8s.io", "selfsubjectaccessreviews", null, null, null));

    private final List<Grant> grants;

    private RbacGrants(List<Grant> grants) {
        this.grants = grants;
    }

    public static RbacGrants of(RenderedChart chart) {
        ServiceAccount account = chart.one(ServiceAccount.class);
        String name = account.getMetadata().getName();
        String namespace = account.getMetadata().getNamespace();
        List<Grant> grants = new ArrayList<>();
        for (ClusterRoleBinding binding : chart.all(ClusterRoleBinding.class)) {
            if (bindsTo(binding.getSubjects(), name, namespace)) {
                clusterRole(chart, binding.getRoleRef()).getRules().forEach(rule -> grants.add(new Grant(null, rule)));
            }
        }
        for (RoleBinding binding : chart.all(RoleBinding.class)) {
            if (bindsTo(binding.getSubjects(), name, namespace)) {
                String where = binding.getMetadata().getNamespace();
                List<PolicyRule> rules = "ClusterRole".equals(binding.getRoleRef().getKind())
                        ? clusterRole(chart, binding.getRoleRef()).getRules()
                        : chart.find(Role.class, where, binding.getRoleRef().getName())
                                .orElseThrow(() -> new AssertionError("RoleBinding " + where + "/"
                                        + binding.getMetadata().getName() + " names a Role the chart lacks"))
                                .getRules();
                rules.forEach(rule -> grants.add(new Grant(where, rule)));
            }
        }
        return new RbacGrants(List.copyOf(grants));
    }

    public List<Grant> grants() {
        return grants;
    }

    /** What a SelfSubjectRulesReview for {@code namespace} reports: the rules that apply there. */
    public List<ResourceRule> rulesIn(String namespace) {
        return grants.stream().filter(g -> g.namespace() == null || g.namespace().equals(namespace))
                .map(g -> new ResourceRule(g.rule().getApiGroups(), g.rule().getResourceNames(), g.rule().getResources(),
                        g.rule().getVerbs()))
                .toList();
    }

    public boolean allows(ApiRequest request) {
        if (DEFAULT_ALLOWED.contains(request)) {
            return true;
        }
        if (request.resource() == null) {
            return false;
        }
        return grants.stream().anyMatch(grant -> (grant.namespace() == null
                || (request.namespace() != null && grant.namespace().equals(request.namespace())))
                && matches(grant.rule(), request));
    }

    private static boolean matches(PolicyRule rule, ApiRequest request) {
        List<String> names = rule.getResourceNames();
        // As in Kubernetes, resourceNames cannot limit create, list, watch or deletecollection: those name no object.
        boolean nameOk = names == null || names.isEmpty() || (request.name() != null && names.contains(request.name()));
        return anyOf(rule.getApiGroups(), request.group()) && anyOf(rule.getResources(), request.resource())
                && anyOf(rule.getVerbs(), request.verb()) && nameOk;
    }

    private static boolean anyOf(List<String> values, String value) {
        return values != null && (values.contains("*") || values.contains(value));
    }

    private static boolean bindsTo(List<Subject> subjects, String name, String namespace) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && name.equals(s.getName()) && Objects.equals(namespace, s.getNamespace()));
    }

    private static ClusterRole clusterRole(RenderedChart chart, RoleRef ref) {
        return chart.find(ClusterRole.class, null, ref.getName())
                .orElseThrow(() -> new AssertionError("a binding names ClusterRole " + ref.getName() + " the chart lacks"));
    }
}
