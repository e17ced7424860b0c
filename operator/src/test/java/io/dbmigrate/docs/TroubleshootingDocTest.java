package io.dbmigrate.docs;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.failedJob;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeFailed;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.fleet.SetReason;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.StatusAggregator;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md must have a `### Reason` section for every reason the operator can put on a resource (a
 * DatabaseMigration or a DatabaseMigrationSet), and
 * none for a reason that no longer exists: a reason added to the code without docs fails the build.
 */
class TroubleshootingDocTest {
    static final Path TROUBLESHOOTING = ArgoCdHealthTest.DOCS.resolve("troubleshooting.md");

    /**
     * Reasons that are not constants in the code but pass through it to the status: the Job's Failed condition
     * reasons (JobObservation.failureReason), the kubelet's waiting reasons of a container that cannot start
     * (Attempt.blockedContainer; PodInitializing and ContainerCreating are filtered out as routine) and its terminated
     * reasons other than Error (ContainerOutcome.failureReason).
     */
    static final Set<String> PASSED_THROUGH = Set.of(
            "DeadlineExceeded", "BackoffLimitExceeded", "PodFailurePolicy",
            "CreateContainerConfigError", "CreateContainerError", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull", "RunContainerError",
            "OOMKilled", "StartError", "ContainerStatusUnknown");

    @Test
    void everyReasonHasASection() throws IOException {
        Set<String> headings = headings();
        List<String> missing = reasons().stream().filter(reason -> !headings.contains(reason)).toList();
        assertEquals(List.of(), missing, "reasons without a '### Reason' section in " + TROUBLESHOOTING);
    }

    @Test
    void everySectionIsAReason() throws IOException {
        Set<String> reasons = reasons();
        List<String> stale = headings().stream().filter(heading -> !reasons.contains(heading)).toList();
        assertEquals(List.of(), stale, "sections of " + TROUBLESHOOTING + " for reasons the code does not have");
    }

    @Test
    void theConditionReasonsTheAggregatorWritesAreAllCollected() {
        // Compute real statuses and take every reason on every condition: each must be among the collected reasons,
        // so a literal added to StatusAggregator outside Reasons is noticed here.
        DatabaseMigration resource = migration().build();
        String job = MigrationPlanner.jobName(resource);
        List<Observation> observations = List.of(
                observe(resource),
                observe(migration().suspend(true).build()),
                observe(migration().backoffLimit(-1).build()),
                observe(resource, SecretObservation.MISSING),
                observe(resource, succeededJob(job, attempt(ok(backupSucceeded(backupFile("g1"), "base")),
                        ok(upgradeSucceeded("base", "c3d4", "c3d4"))))),
                observe(resource, failedJob(job, "PodFailurePolicy", null, attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")),
                        ok(upgradeFailed("a1b2", "a1b2", "c3d4", "boom"))))));
        Set<String> written = new TreeSet<>();
        for (Observation observation : observations) {
            StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0).conditionsOrEmpty().stream()
                    .map(StatusCondition::reason)
                    .forEach(written::add);
        }
        assertTrue(written.containsAll(Set.of("NotReconciling", "NotStalled", "Suspended", "MigrationFailed")), written.toString());
        Set<String> reasons = reasons();
        assertEquals(Set.of(), written.stream().filter(r -> !reasons.contains(r)).collect(Collectors.toSet()));
    }

    /** Every public static final String of Reasons, every ExitCode's reason, and the passed-through ones. */
    static Set<String> reasons() {
        Set<String> reasons = new TreeSet<>();
        List<Field> constants = new ArrayList<>();
        for (Field field : Reasons.class.getFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == String.class) {
                constants.add(field);
            }
        }
        assertTrue(constants.size() >= 10, "Reasons has fewer constants than expected: " + constants);
        for (Field field : constants) {
            try {
                reasons.add((String) field.get(null));
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        for (ExitCode code : ExitCode.values()) {
            reasons.add(code.reason());
        }
        reasons.addAll(PASSED_THROUGH);
        // A DatabaseMigrationSet's: some share a DatabaseMigration reason's name and section (Suspended, InvalidSpec).
        for (SetReason reason : SetReason.values()) {
            reasons.add(reason.name());
        }
        return reasons;
    }

    static Set<String> headings() throws IOException {
        return Files.readAllLines(TROUBLESHOOTING).stream()
                .filter(line -> line.startsWith("### "))
                .map(line -> line.substring(4).strip())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
