package io.dbmigrate.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.testing.Resources;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JobNamesTest {
    /** RFC 1123 label, what Kubernetes recommends for Job names so that pod host names stay valid. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String UID = Resources.UID;
    private static final String OTHER_UID = "5d1e0c7a-2b44-4f0e-a6a1-90c3b8d2e7f1";

    /** A Job's pods are named after it plus "-" and 5 random characters, and a pod name must fit in 63. */
    private static void assertUsableJobName(String name) {
        assertTrue(name.length() <= 52, name + " has " + name.length() + " characters");
        assertTrue((name + "-abcde").length() <= 63, name);
        assertTrue(DNS_LABEL.matcher(name).matches(), name + " is not a DNS label");
    }

    /** A usable Job name with this prefix that none of the others takes. */
    private static void assertUsableJobNameApart(String name, String prefix, String... others) {
        assertTrue(name.startsWith(prefix), name);
        assertUsableJobName(name);
        for (String other : others) {
            assertNotEquals(name, other);
        }
    }

    @Test
    void sameInputSameName() {
        assertEquals(JobNames.forGeneration("crm", UID, 3), JobNames.forGeneration("crm", UID, 3));
    }

    @Test
    void shortNameIsKeptAndTheGenerationIsReadable() {
        String name = JobNames.forGeneration("crm", UID, 3);

        assertTrue(name.startsWith("crm-g3-"), name);
        assertUsableJobName(name);
    }

    @Test
    void differsByGeneration() {
        assertNotEquals(JobNames.forGeneration("crm", UID, 1), JobNames.forGeneration("crm", UID, 2));
        assertNotEquals(JobNames.forGeneration("crm", UID, 1), JobNames.forGeneration("crm", UID, 11));
    }

    @Test
    void differsByUidSoARecreatedResourceNeverAdoptsAnOldJob() {
        assertNotEquals(JobNames.forGeneration("crm", UID, 1), JobNames.forGeneration("crm", OTHER_UID, 1));
    }

    @Test
    void longestResourceNameGivesAUsableJobName() {
        String name253 = ("crm-billing-" + "x".repeat(300)).substring(0, 252) + "z";

        String name = JobNames.forGeneration(name253, UID, 12345);

        assertEquals(253, name253.length());
        assertUsableJobName(name);
        assertTrue(name.endsWith("-g12345-" + name.substring(name.length() - 5)), name);
    }

    @Test
    void truncatedNamesStillDifferByGenerationAndUid() {
        String long1 = "a".repeat(253);

        assertNotEquals(JobNames.forGeneration(long1, UID, 1), JobNames.forGeneration(long1, UID, 2));
        assertNotEquals(JobNames.forGeneration(long1, UID, 1), JobNames.forGeneration(long1, OTHER_UID, 1));
    }

    @Test
    void hugeGenerationStillFits() {
        assertUsableJobName(JobNames.forGeneration("a".repeat(253), UID, Long.MAX_VALUE));
    }

    /**
     * Resource names that must give DNS-label Job names: label characters; a name cut so that the kept part ends in '-';
     * names with dots (a DatabaseMigration's name is a DNS subdomain, a Job's should be a DNS label: Kubernetes derives
     * pod host names from it, which JobNames' own comment promises); a long dotted name cut at a dot.
     */
    static Stream<String> resourceNames() {
        return Stream.of("crm", "crm-eu-west-1", "a", "crm--x", "a".repeat(42) + "-" + "b".repeat(200),
                "crm.eu-west", "crm.v2", "x.y.z", "a".repeat(42) + "." + "b".repeat(200));
    }

    @ParameterizedTest
    @MethodSource("resourceNames")
    void resourceNamesGiveDnsLabels(String resourceName) {
        assertUsableJobName(JobNames.forGeneration(resourceName, UID, 1));
    }

    // Steps and plans.

    @Test
    void stepJobsDifferByStepGenerationAndUid() {
        assertUsableJobNameApart(JobNames.forStep("crm", UID, 2, "expand"), "crm-g2-expand-",
                JobNames.forStep("crm", UID, 2, "contract"),
                JobNames.forStep("crm", UID, 3, "expand"),
                JobNames.forStep("crm", OTHER_UID, 2, "expand"),
                JobNames.forGeneration("crm", UID, 2));
    }

    @Test
    void planJobsAreNotStepJobs() {
        assertUsableJobNameApart(JobNames.forPlan("crm", UID, 2, "contract"), "crm-p2-contract-",
                JobNames.forStep("crm", UID, 2, "contract"),
                JobNames.forPlan("crm", UID, 3, "contract"),
                JobNames.forPlan("crm", OTHER_UID, 2, "contract"));
    }

    @Test
    void noStepNameTakesAnotherStepsPlanJobName() {
        // With the plan Job named <name>-g<gen>-<step>-plan-<hash>, a step named "contract-plan" had this one's name.
        for (String step : List.of("contract-plan", "plan-contract", "p2-contract", "contract")) {
            assertNotEquals(JobNames.forPlan("crm", UID, 2, "contract"), JobNames.forStep("crm", UID, 2, step), step);
        }
    }

    @Test
    void longestNamesGiveUsableStepAndPlanJobNames() {
        String step = "a".repeat(20);
        String resource = "b".repeat(253);

        for (long generation : new long[] {1, 1_000_000_000L}) {
            String stepJob = JobNames.forStep(resource, UID, generation, step);
            String planJob = JobNames.forPlan(resource, UID, generation, step);
            assertUsableJobName(stepJob);
            assertUsableJobName(planJob);
            assertTrue(stepJob.contains("-g" + generation + "-" + step + "-"), stepJob);
            assertTrue(planJob.contains("-p" + generation + "-" + step + "-"), planJob);
        }
    }

    @Test
    void planConfigMapIsOnePerStepAndAValidName() {
        assertEquals("crm.contract.plan", JobNames.planConfigMap("crm", UID, "contract"));
        assertNotEquals(JobNames.planConfigMap("crm", UID, "expand"), JobNames.planConfigMap("crm", UID, "contract"));
        String longest = JobNames.planConfigMap("c".repeat(253), UID, "a".repeat(20));
        assertEquals(253, longest.length());
        assertTrue(longest.endsWith("." + "a".repeat(20) + ".plan"), longest);
        assertValidSubdomain(longest);
    }

    @Test
    void twoResourcesOfANamespaceNeverShareAPlanConfigMap() {
        // A dash between name and step would give both "a-b-c-plan".
        assertNotEquals(JobNames.planConfigMap("a", UID, "b-c"), JobNames.planConfigMap("a-b", OTHER_UID, "c"));
        // Cut to 253, two long names that differ only past the cut keep apart by their uid.
        String one = JobNames.planConfigMap("x".repeat(250) + "1", UID, "contract");
        String two = JobNames.planConfigMap("x".repeat(250) + "2", OTHER_UID, "contract");
        assertNotEquals(one, two);
    }

    @Test
    void aCutNameNeverLeavesADashOrDotBeforeTheSuffix() {
        for (char c : new char[] {'-', '.'}) {
            for (int at = 200; at < 253; at++) {
                StringBuilder name = new StringBuilder("n".repeat(253));
                name.setCharAt(at, c);
                assertValidSubdomain(JobNames.planConfigMap(name.toString(), UID, "contract"));
            }
        }
    }

    private static void assertValidSubdomain(String name) {
        assertTrue(name.length() <= 253, name);
        for (String label : name.split("\\.", -1)) {
            assertTrue(label.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), "label \"" + label + "\" of " + name);
        }
    }
}
