package io.dbmigrate.observe;

import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.ok;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Which container a pod is stuck on. */
class AttemptTest {
    private static final ContainerOutcome MISSING_KEY = ContainerOutcome.waiting("CreateContainerConfigError");

    @Test
    void theBackupContainerBlocksThePod() {
        assertSame(MISSING_KEY, new Attempt(MISSING_KEY, ContainerOutcome.waiting("PodInitializing")).blockedContainer());
    }

    @Test
    void theMigrateContainerBlocksThePodOnceTheBackupIsDone() {
        ContainerOutcome backedUp = ok(backupSucceeded(backupFile("g1"), "base"));
        assertSame(MISSING_KEY, new Attempt(backedUp, MISSING_KEY).blockedContainer());
        assertSame(MISSING_KEY, new Attempt(null, MISSING_KEY).blockedContainer(), "backups disabled");
    }

    @Test
    void routineStartUpIsNotBlocked() {
        ContainerOutcome backedUp = ok(backupSucceeded(backupFile("g1"), "base"));
        assertNull(new Attempt(backedUp, ContainerOutcome.waiting("ContainerCreating")).blockedContainer());
        assertNull(new Attempt(ContainerOutcome.waiting("PodInitializing"), null).blockedContainer());
        assertNull(new Attempt(ContainerOutcome.running(), MISSING_KEY).blockedContainer(),
                "the migrate container waits for the backup, as it should");
    }
}
