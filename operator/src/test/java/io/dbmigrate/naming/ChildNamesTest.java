package io.dbmigrate.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChildNamesTest {
    private static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    @Test
    void setDashTarget() {
        assertEquals("tenants-acme", ChildNames.of("tenants", "acme"));
    }

    @Test
    void dotsBecomeDashesForADnsLabel() {
        assertEquals("tenants-acme-eu", ChildNames.of("tenants", "acme.eu"));
    }

    @Test
    void aLongNameIsCutAndEndsInAHashOfSetAndTarget() {
        String target = "customer-" + "x".repeat(80);
        String name = ChildNames.of("tenants", target);

        assertEquals(ChildNames.MAX, name.length());
        assertTrue(name.matches(DNS_LABEL), name);
        assertTrue(name.startsWith("tenants-customer-xxx"), name);
        assertEquals(name, ChildNames.of("tenants", target), "deterministic");
        assertNotEquals(name, ChildNames.of("tenants", target + "y"), "targets cut alike still differ");
        assertNotEquals(name, ChildNames.of("tenant", "s-" + target), "the hash is over set and target apart");
    }

    @Test
    void aCutNeverLeavesADashBeforeTheHash() {
        // Cut right after "a-": the dash goes, the name stays a label without "--".
        String name = ChildNames.of("s", "a".repeat(52) + "-" + "b".repeat(20));
        assertTrue(name.matches(DNS_LABEL), name);
        assertTrue(!name.contains("--"), name);
    }
}
