package io.dbmigrate.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.rbac.PermissionsTable;
import io.dbmigrate.testing.rbac.RbacGrants;
import io.dbmigrate.testing.rbac.RenderedChart;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** charts/dbmigrate-operator through real Helm: lint, template in both scopes, the schema, Pod Security, RBAC. */
class HelmChartTest {
    private static final String NAMESPACED = "watchNamespaces: [crm, billing]\n";

    @Test
    void lintPassesStrictly() {
        LintResult lint = new Helm(RenderedChart.chart()).lint().strict().call();
        assertFalse(lint.isFailed(), () -> String.join("\n", lint.getMessages()));
    }

    @Test
    void defaultValuesRenderClusterScopeWithLeaderElection() {
        RenderedChart chart = RenderedChart.render("");
        assertTypedAndComplete(chart);
        assertEquals(Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"),
                kinds(chart));
        Role lease = chart.one(Role.class);
        assertEquals(RenderedChart.RELEASE_NAMESPACE, lease.getMetadata().getNamespace(), "the Lease Role stays home");
        Container operator = container(chart);
        assertEquals(List.of("operator", "--http-port=8080", "--leader-election", "--lease-name=dbmigrate-operator"),
                operator.getArgs());
        assertEquals("metadata.namespace", env(operator, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
        assertTrue(env(operator, "JAVA_TOOL_OPTIONS").getValue().contains("-XX:MaxRAMPercentage="));
        assertEquals("dbmigrate/operator:0.1.0", operator.getImage(), "the image tag defaults to the appVersion");
        assertEquals(2, chart.one(Deployment.class).getSpec().getReplicas());
    }

    @Test
    void watchNamespacesRenderARoleInEachAndNothingClusterWide() {
        RenderedChart chart = RenderedChart.render(NAMESPACED);
        assertTypedAndComplete(chart);
        assertTrue(chart.all(ClusterRole.class).isEmpty(), "no ClusterRole");
        assertTrue(chart.all(ClusterRoleBinding.class).isEmpty(), "no ClusterRoleBinding");
        assertEquals(Set.of("crm", "billing", RenderedChart.RELEASE_NAMESPACE),
                chart.all(Role.class).stream().map(r -> r.getMetadata().getNamespace()).collect(Collectors.toSet()));
        assertEquals(3, chart.all(RoleBinding.class).size());
        assertTrue(RbacGrants.of(chart).grants().stream().allMatch(grant -> grant.namespace() != null));
        assertEquals(List.of("operator", "--http-port=8080", "--namespace=crm", "--namespace=billing", "--leader-election",
                "--lease-name=dbmigrate-operator"), container(chart).getArgs());
    }

    @Test
    void metricsServiceAndServiceMonitorAreOptional() {
        RenderedChart chart = RenderedChart.render("""
        metrics: {enabled: true, serviceMonitor: {enabled: true, interval: 15s}}
        """);
        assertTypedAndComplete(chart);
        Service service = chart.one(Service.class);
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(chart.one(Deployment.class).getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
        GenericKubernetesResource monitor = chart.one(GenericKubernetesResource.class);
        assertEquals("ServiceMonitor", monitor.getKind());
        assertEquals("15s", endpoint(monitor).get("interval"));
        assertEquals("http-metrics", endpoint(monitor).get("port"));
        assertFalse(kinds(RenderedChart.render("")).contains("Service"), "no Service by default");
    }

    @Test
    void schemaRefusesWrongValuesAndSaysWhich() {
        assertRefused("replicas: \"two\"\n", "- replicas: Invalid type. Expected: integer, given: string");
        assertRefused("watchNamespaces: [Not_A_Namespace]\n", "- watchNamespaces.0: Does not match pattern");
        assertRefused("watchNamespace: [crm]\n", "- (root): Additional property watchNamespace is not allowed");
        assertRefused("image: {repository: x, pullPolicy: Sometimes}\n", "- image.pullPolicy: image.pullPolicy must be one of");
        assertRefused("metrics: {enabled: true, port: 9090}\n", "- metrics: Additional property port is not allowed");
    }

    @Test
    void crossFieldRulesRefuseWithAClearMessage() {
        assertRefused("leaderElection: {enabled: false}\n",
                "replicas > 1 needs leaderElection.enabled=true");
        assertRefused("metrics: {enabled: false, serviceMonitor: {enabled: true}}\n",
                "metrics.serviceMonitor.enabled=true needs metrics.enabled=true");
        assertEquals(1, RenderedChart.render("replicas: 1\nleaderElection: {enabled: false}\n").one(Deployment.class)
                .getSpec().getReplicas());
        assertRefused("serviceAccount: {create: false}\n", "serviceAccount.create=false needs serviceAccount.name");
        assertEquals("platform-dbmigrate", RenderedChart.render("serviceAccount: {create: false, name: platform-dbmigrate}\n")
                .one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    @Test
    void deploymentPassesPodSecurityRestricted() {
        for (String values : List.of("", NAMESPACED)) {
            PodSpec pod = chart(values).one(Deployment.class).getSpec().getTemplate().getSpec();
            PodSecurityContext podSecurity = pod.getSecurityContext();
            assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot());
            assertTrue(podSecurity.getRunAsUser() > 0, "a non-zero uid");
            assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType());
            assertTrue(pod.getVolumes().stream().allMatch(v -> v.getEmptyDir() != null || v.getConfigMap() != null
                    || v.getSecret() != null || v.getProjected() != null || v.getPersistentVolumeClaim() != null),
                    "restricted allows only these volume types");
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()));
            for (Container container : pod.getContainers()) {
                SecurityContext security = container.getSecurityContext();
                assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation());
                assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
                assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
                assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty());
                assertFalse(Boolean.TRUE.equals(security.getPrivileged()));
                assertTrue(container.getPorts().stream().allMatch(p -> p.getHostPort() == null));
                assertEquals("/readyz", container.getStartupProbe().getHttpGet().getPath());
                assertEquals("/healthz", container.getLivenessProbe().getHttpGet().getPath());
                assertNotNull(container.getResources().getRequests().get("memory"));
                assertNotNull(container.getResources().getLimits().get("memory"));
                Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
                assertNotNull(tmp.getEmptyDir());
                assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")
                        && m.getName().equals("tmp")), "a writable /tmp on the read-only root");
            }
        }
    }

    @Test
    void grantedRulesAreExactlyThePermissionsTable() {
        Set<PermissionsTable.Row> documented = PermissionsTable.rows();
        assertEquals(documented, tableRows(RenderedChart.render("")), "cluster scope vs " + PermissionsTable.readme());
        assertEquals(documented, tableRows(RenderedChart.render(NAMESPACED)), "namespaced vs " + PermissionsTable.readme());
    }

    @Test
    void chartCrdsAreTheCommittedCrds() throws Exception {
        for (String crd : TestCluster.CRD_NAMES) {
            String name = crd + "-v1.yaml";
            assertEquals(Files.readString(TestCluster.repoRoot().resolve("crds").resolve(name)),
                    Files.readString(RenderedChart.chart().resolve("crds").resolve(name)), name);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static RenderedChart chart(String values) {
        return RenderedChart.render(values);
    }

    private static void assertRefused(String values, String expectedMessage) {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> RenderedChart.render(values),
                () -> "Helm accepted:\n" + values);
        assertTrue(refused.getMessage().contains(expectedMessage), () -> "message: " + refused.getMessage());
    }

    private static Set<PermissionsTable.Row> tableRows(RenderedChart chart) {
        return RbacGrants.of(chart).grants().stream().flatMap(grant -> grant.rule().getApiGroups().stream()
                        .flatMap(group -> grant.rule().getResources().stream().map(resource -> new PermissionsTable.Row(group,
                                resource, Set.copyOf(grant.rule().getVerbs()), Set.copyOf(grant.rule().getResourceNames()),
                                RenderedChart.RELEASE_NAMESPACE.equals(grant.namespace()) ? PermissionsTable.OPERATOR_NAMESPACE
                                        : PermissionsTable.WATCHED))))
                .collect(Collectors.toSet());
    }

    private static Set<String> kinds(RenderedChart chart) {
        return chart.manifests().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    }

    private static Container container(RenderedChart chart) {
        return chart.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> endpoint(GenericKubernetesResource monitor) {
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        return ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    }

    /**
     * Each manifest parsed into its fabric8 type (not a generic resource, bar the ServiceMonitor whose type fabric8's
     * core model lacks), with no field fabric8 did not know: a misspelt field would land in additionalProperties.
     */
    private static void assertTypedAndComplete(RenderedChart chart) {
        for (HasMetadata manifest : chart.manifests()) {
            if (!"ServiceMonitor".equals(manifest.getKind())) {
                assertFalse(manifest instanceof GenericKubernetesResource, () -> manifest.getKind() + " was not typed");
                assertNoUnknownFields(manifest, manifest.getKind(), new IdentityHashMap<>());
            }
            assertNotNull(manifest.getMetadata().getName());
        }
        assertInstanceOf(ServiceAccount.class, chart.one(ServiceAccount.class));
    }

    private static void assertNoUnknownFields(Object value, String path, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                assertNoUnknownFields(item, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                Map<?, ?> unknown = (Map<?, ?>) child;
                assertTrue(unknown == null || unknown.isEmpty(), () -> path + ": unknown fields " + unknown.keySet());
            } else {
                assertNoUnknownFields(child, path + "." + getter.getName().substring(3), seen);
            }
        }
    }
}
