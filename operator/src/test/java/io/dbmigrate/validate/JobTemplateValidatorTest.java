package io.dbmigrate.validate;

import static io.dbmigrate.testing.Resources.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.ComputeResources;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.PodToleration;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the API server would refuse in the Job built from spec.jobTemplate is refused first, naming the field. */
class JobTemplateValidatorTest {

    private static List<String> problems(JobTemplateSpec template) {
        return SpecValidator.problems(migration().jobTemplate(template).build());
    }

    private static JobTemplateSpec template(String serviceAccount, ComputeResources resources, Map<String, String> nodeSelector,
                                                                                    List<PodToleration> tolerations, Map<String, String> labels,
                                                                                    Map<String, String> annotations) {
        return new JobTemplateSpec(serviceAccount, resources, nodeSelector, tolerations, 600L, labels, annotations);
    }

    private static void assertOneProblem(JobTemplateSpec template, String startsWith) {
        List<String> problems = problems(template);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(startsWith), problems.get(0));
    }

    @Test
    void whatKubernetesAcceptsPasses() {
        assertEquals(List.of(), problems(template("crm-migrator",
                new ComputeResources(Map.of("cpu", new IntOrString("250m"), "memory", new IntOrString("256Mi")),
                        Map.of("memory", new IntOrString("1Gi"), "cpu", new IntOrString(2))),
                Map.of("kubernetes.io/os", "linux", "pool", "batch"),
                List.of(new PodToleration("dedicated", "Equal", "migrations", "NoSchedule", null),
                        new PodToleration(null, "Exists", null, null, null)),
                Map.of("team", "crm", "app.kubernetes.io/part-of", "crm"),
                Map.of("example.com/owner", "Team CRM <crm@example.com>: anything goes in a value"))));
    }

    @Test
    void labelsAndNodeSelectorsNeedValidKeysAndValues() {
        assertOneProblem(template(null, null, null, null, Map.of("team", "crm team"), null), "spec.jobTemplate.labels.team");
        assertOneProblem(template(null, null, null, null, Map.of("team", "x".repeat(64)), null),
                "spec.jobTemplate.labels.team");
        assertOneProblem(template(null, null, null, null, Map.of("-team", "crm"), null), "spec.jobTemplate.labels: key");
        assertOneProblem(template(null, null, null, null, Map.of("Example.com/team", "crm"), null),
                "spec.jobTemplate.labels: key");
        assertOneProblem(template(null, null, Map.of("pool", "batch/1"), null, null, null),
                "spec.jobTemplate.nodeSelector.pool");
        assertOneProblem(template(null, null, null, null, null, Map.of("owner email", "x")),
                "spec.jobTemplate.annotations: key");
    }

    @Test
    void quantitiesAreKubernetesQuantities() {
        assertOneProblem(template(null, new ComputeResources(Map.of("memory", new IntOrString("1 Gi")), null), null, null,
                null, null), "spec.jobTemplate.resources.requests.memory");
        assertOneProblem(template(null, new ComputeResources(null, Map.of("cpu", new IntOrString("two"))), null, null,
                null, null), "spec.jobTemplate.resources.limits.cpu");
    }

    @Test
    void tolerationsFollowTheirRules() {
        assertOneProblem(template(null, null, null, List.of(new PodToleration("k", "In", "v", null, null)), null, null),
                "spec.jobTemplate.tolerations[0].operator");
        assertOneProblem(template(null, null, null, List.of(new PodToleration("k", "Exists", "v", null, null)), null, null),
                "spec.jobTemplate.tolerations[0].value");
        assertOneProblem(template(null, null, null, List.of(new PodToleration("k", "Equal", "v", "Never", null)), null,
                null), "spec.jobTemplate.tolerations[0].effect");
    }

    @Test
    void whatKubernetesReadsLeniently() {
        assertEquals(List.of(), problems(template(null,
                new ComputeResources(Map.of("cpu", new IntOrString("1e3"), "memory", new IntOrString("0.5Gi")),
                        Map.of("nvidia.com/gpu", new IntOrString(1))),
                null, List.of(new PodToleration("dedicated", "", "migrations", "NoExecute", 60L)), null,
                Map.of("Example.com/Owner", "crm"))));
    }

    @Test
    void whatKubernetesRefusesAlsoInQuantitiesAndTolerations() {
        assertOneProblem(template(null, new ComputeResources(Map.of("cpu", new IntOrString("-1")), null), null, null,
                null, null), "spec.jobTemplate.resources.requests.cpu");
        assertOneProblem(template(null, new ComputeResources(Map.of("cpu", new IntOrString("1e1.5")), null), null, null,
                null, null), "spec.jobTemplate.resources.requests.cpu");
        assertOneProblem(template(null, null, null, List.of(new PodToleration("", "Equal", "v", null, null)), null, null),
                "spec.jobTemplate.tolerations[0].key");
        assertOneProblem(template(null, null, null, List.of(new PodToleration("k", "Equal", "v", "NoSchedule", 60L)), null,
                null), "spec.jobTemplate.tolerations[0].tolerationSeconds");
    }

    @Test
    void theServiceAccountNameIsAName() {
        assertOneProblem(template("CRM_migrator", null, null, null, null, null), "spec.jobTemplate.serviceAccountName");
    }

    @Test
    void aResourceNameLongerThanALabelValueIsRefused() {
        List<String> problems = SpecValidator.problems(migration().name("a".repeat(64)).build());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("metadata.name: at most 63"), problems.get(0));
        assertEquals(List.of(), SpecValidator.problems(migration().name("a".repeat(63)).build()));
    }
}
