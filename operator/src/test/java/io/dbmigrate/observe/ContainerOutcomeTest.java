package io.dbmigrate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerResult;
import org.junit.jupiter.api.Test;

/** A failed container's reason and message: the runner's when they speak of this exit, else the exit's own. */
class ContainerOutcomeTest {

    @Test
    void theRunnersReasonIsTheFailuresWhenItDescribesThisExit() {
        RunnerResult failed = RunnerResult.of("upgrade", ExitCode.MIGRATION_FAILED, "revision c3d4 failed: boom");
        ContainerOutcome outcome = ContainerOutcome.terminated(ExitCode.MIGRATION_FAILED.code(), "Error", failed, null);

        assertEquals("MigrationFailed", outcome.failureReason());
        assertEquals("revision c3d4 failed: boom", outcome.failureMessage());
    }

    @Test
    void aContainerStoppedAfterItsRunnerSucceededIsNotReportedAsSucceeded() {
        // The runner wrote its result, then the container was stopped (SIGINT, the engine going away): exit 130.
        RunnerResult succeeded = RunnerResult.of("upgrade", ExitCode.OK, "Upgraded base -> c3d4");
        ContainerOutcome outcome = ContainerOutcome.terminated(130, "Error", succeeded, null);

        assertEquals("Interrupted", outcome.failureReason());
        assertEquals("exited with code 130 (Error) after the runner reported Succeeded: Upgraded base -> c3d4",
                outcome.failureMessage());
    }
}
