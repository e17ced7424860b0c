package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.status.TransitionEvent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

/** Event names: the same transition of the same generation has one Event. */
class EventRecorderTest {
    private static final TransitionEvent MIGRATING =
            new TransitionEvent(TransitionEvent.Type.Normal, "Migrating", "upgrading to vwx234yz567");

    private static DatabaseMigration resource(String name, String uid, long generation) {
        DatabaseMigration resource = new DatabaseMigration();
        resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("crm").withUid(uid)
                .withGeneration(generation).build());
        return resource;
    }

    @Test
    void theSameTransitionSeenTwiceHasOneName() {
        assertEquals(EventRecorder.name(resource("crm", "u1", 2), MIGRATING),
                EventRecorder.name(resource("crm", "u1", 2), MIGRATING));
    }

    @Test
    void anotherGenerationResourceOrMessageHasAnotherName() {
        String name = EventRecorder.name(resource("crm", "u1", 2), MIGRATING);
        assertNotEquals(name, EventRecorder.name(resource("crm", "u1", 3), MIGRATING));
        assertNotEquals(name, EventRecorder.name(resource("crm", "u2", 2), MIGRATING));
        assertNotEquals(name, EventRecorder.name(resource("crm", "u1", 2),
                new TransitionEvent(TransitionEvent.Type.Normal, "Migrating", "upgrading to abc123def456")));
        assertTrue(name.startsWith("crm."), name);
    }

    @Test
    void aLongNameIsCutToAValidSubdomain() {
        String name = EventRecorder.name(resource("a".repeat(235) + "-" + "c".repeat(17), "u1", 1), MIGRATING);
        assertTrue(name.length() <= 253, name);
        assertTrue(name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"), name);
    }
}
