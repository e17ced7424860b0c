package io.dbmigrate.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.DbMigrateMain;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.fleet.SetReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rollout of `dbmigrate run -f set.yaml` with targets that end as told, without a database: the order, the gate,
 * maxParallel and maxFailures as the operator's planner decides them, and what is printed.
 */
class LocalSetRunTest {
    private static final String SET = """
      apiVersion: dbmigrate.io/v1alpha1
      kind: DatabaseMigrationSet
      metadata:
        name: tenants
      spec:
        template:
          migrations: {image: crm-migrations:dev}
          targetRevision: expand@head
          backup: {mode: Disabled, reason: no database in a unit test}
        generators:
        - list:
      %s
        rollout:
      %s
      """;

    @TempDir
    Path dir;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    private DatabaseMigrationSet set(List<String> targets, String rolloutYaml) throws IOException, ManifestReader.ManifestException {
        StringBuilder list = new StringBuilder();
        for (String target : targets) {
            list.append("      - {name: ").append(target).append(", database: {host: localhost, name: ")
                    .append(target.replace('-', '_')).append(", credentialsSecret: {name: db}}}\n");
        }
        String rollout = rolloutYaml.lines().map(line -> "      " + line).reduce("", (a, b) -> a + b + "\n");
        Path file = Files.writeString(dir.resolve("set.yaml"), SET.formatted(list.toString().stripTrailing(),
                rollout.stripTrailing()));
        return (DatabaseMigrationSet) ManifestReader.readResource(file);
    }

    /** Targets that succeed, except {@code failing}; each takes {@code millis}, recording when it starts and ends. */
    private LocalSetRun.TargetRun targets(Set<String> failing, long millis) {
        return child -> {
            String target = LocalSetRun.target(child);
            events.add("start " + target);
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            events.add("end " + target);
            child.setStatus(status(failing.contains(target) ? Phase.Failed : Phase.Succeeded, Instant.now()));
            return child;
        };
    }

    private static DatabaseMigrationStatus status(Phase phase, Instant at) {
        boolean ready = phase == Phase.Succeeded;
        boolean stalled = phase == Phase.Failed;
        String reason = stalled ? "MigrationFailed" : "Succeeded";
        return new DatabaseMigrationStatus(1L, phase, ready ? "cde012fgh345" : "xyz789uvw012", "expand@head", null,
                List.of(), null, stalled ? "Upgrade failed at abc123def456: relation \"customers\" already exists"
                : "Migrated to cde012fgh345", null, null, null,
                List.of(new StatusCondition(StatusCondition.READY, ready ? "True" : "False", 1L, at.toString(), reason, null),
                        new StatusCondition(StatusCondition.STALLED, stalled ? "True" : "False", 1L, at.toString(),
                                stalled ? reason : "NotStalled", null)),
                List.of(), null, null);
    }

    private LocalSetRun.Result run(DatabaseMigrationSet set, LocalSetRun.TargetRun targets, boolean approveCanary,
                                   List<String> lines) {
        return new LocalSetRun(targets, Clock.systemUTC(), new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run(set, approveCanary, finished -> lines.add(SetSummary.line(finished)));
    }

    private List<String> started() {
        return events.stream().filter(e -> e.startsWith("start ")).map(e -> e.substring(6)).toList();
    }

    @Test
    void theCanaryEndsBeforeAnyOtherTargetStartsAndTheRestRunsAtMostMaxParallelAtOnce() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c", "d", "e", "f"), "canary: {count: 1}\nmaxParallel: 2");
        List<String> lines = new ArrayList<>();

        LocalSetRun.Result result = run(set, targets(Set.of(), 50), false, lines);

        assertEquals(List.of("start a", "end a"), events.subList(0, 2), events.toString());
        assertEquals(Set.of("a", "b", "c", "d", "e", "f"), Set.copyOf(started()));
        assertEquals(2, mostAtOnce.get(), "maxParallel 2 was reached and not passed");
        assertEquals(SetPhase.Succeeded, result.status().phase());
        assertEquals(6, result.status().succeeded());
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("a: Succeeded, at cde012fgh345, [0-9.]+s"), lines.get(0));
        List<String> summary = SetSummary.of(result, 0);
        assertEquals("Succeeded: all 6 targets migrated", summary.get(0));
        assertEquals(List.of("  TARGETS  SUCCEEDED  FAILED  WAITING  NOT STARTED", "  6        6          0       0        0"),
                summary.subList(1, 3));
    }

    @Test
    void anApprovalGateStopsAfterTheCanaryWithoutApproveSayingHowToGoOn() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c"), "canary: {count: 1}\ngate: {approval: true}");

        LocalSetRun.Result result = run(set, targets(Set.of(), 0), false, new ArrayList<>());

        assertEquals(List.of("a"), started());
        assertEquals(SetPhase.AwaitingGate, result.status().phase());
        assertEquals(SetReason.AwaitingApproval.name(), result.reason());
        assertEquals(2, result.status().pending());
        assertTrue(SetSummary.of(result, 0).get(0).startsWith("Waiting: the canary succeeded; the rest waits for "
                + "approval: run again with --approve canary"), SetSummary.of(result, 0).get(0));
    }

    @Test
    void approveCanaryOpensTheGateOnceTheCanarySucceededAndIsSpent() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c"), "canary: {count: 1}\ngate: {approval: true}");

        LocalSetRun.Result result = run(set, targets(Set.of(), 0), true, new ArrayList<>());

        assertEquals("a", started().get(0));
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(started()));
        assertEquals(SetPhase.Succeeded, result.status().phase());
        assertFalse(result.set().getMetadata().getAnnotations().containsKey(Gates.APPROVE_ANNOTATION),
                "the approval is used up, as the operator removes it");
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("the rest approved (--approve canary)"));
    }

    @Test
    void aPauseIsWaitedOutBeforeTheRestStarts() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b"), "canary: {count: 1}\ngate: {pause: 1s}");
        long start = System.nanoTime();

        LocalSetRun.Result result = run(set, targets(Set.of(), 0), false, new ArrayList<>());

        assertEquals(List.of("a", "b"), started());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(1)) >= 0);
        assertEquals(SetPhase.Succeeded, result.status().phase());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("the rest starts after the pause of 1s"),
                progress.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailureHaltsTheRolloutWithMaxFailuresZeroAndLeavesTheRestUntouched() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c", "d"), "canary: {count: 1}\nmaxParallel: 1");
        List<String> lines = new ArrayList<>();

        LocalSetRun.Result result = run(set, targets(Set.of("b"), 0), false, lines);

        assertEquals(List.of("a", "b"), started());
        assertEquals(SetPhase.Failed, result.status().phase());
        assertEquals(SetReason.RolloutHalted.name(), result.reason());
        assertTrue(lines.get(1).startsWith("b: Failed (MigrationFailed), at xyz789uvw012, "), lines.get(1));
        assertTrue(lines.get(1).endsWith(": Upgrade failed at abc123def456: relation \"customers\" already exists"),
                lines.get(1));
        List<String> summary = SetSummary.of(result, 0);
        assertEquals("Halted: 1 failed, more than maxFailures 0; 2 targets not started, left as they were", summary.get(0));
        assertEquals("  4        1          1       0        2", summary.get(2));
        assertEquals(List.of("  failed targets:", "    b (MigrationFailed): Upgrade failed at abc123def456: relation "
                + "\"customers\" already exists"), summary.subList(3, 5));
    }

    @Test
    void maxFailuresLetsTheRolloutGoOnPastThatManyFailures() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c", "d"), "maxParallel: 1\nmaxFailures: 1");

        LocalSetRun.Result result = run(set, targets(Set.of("b"), 0), false, new ArrayList<>());

        assertEquals(List.of("a", "b", "c", "d"), started());
        assertEquals(SetReason.TargetsFailed.name(), result.reason());
        assertEquals("Failed: 1 of 4 targets failed (within maxFailures 1)", SetSummary.of(result, 1).get(0));
    }

    @Test
    void aFailingCanaryKeepsTheRestFromStarting() throws Exception {
        DatabaseMigrationSet set = set(List.of("a", "b", "c"), "canary: {count: 1}\nmaxFailures: 5");

        LocalSetRun.Result result = run(set, targets(Set.of("a"), 0), false, new ArrayList<>());

        assertEquals(List.of("a"), started());
        assertEquals(SetReason.CanaryFailed.name(), result.reason());
    }

    // What a cluster alone can give: the namespace's Secrets, and a catalog's credentials in a Secret.
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "secrets: {matchLabels: {app: crm}}|a secrets generator reads the namespace's Secrets, which needs a cluster",
        "query: {catalog: {host: catalog, name: catalog, credentialsSecret: {name: catalog}}, sql: select 1}"
                + "|a query generator's catalog credentials are in a Secret, which needs a cluster"})
    void aGeneratorThatNeedsAClusterIsRefusedBeforeAnyWorkWithExitTwo(String generator, String why) throws Exception {
        Path file = Files.writeString(dir.resolve("cluster.yaml"), """
            apiVersion: dbmigrate.io/v1alpha1
            kind: DatabaseMigrationSet
            metadata: {name: tenants}
            spec:
              template:
                migrations: {image: crm-migrations:dev}
                targetRevision: head
                backup: {mode: Disabled, reason: no database in a unit test}
              generators:
              - %s
            """.formatted(generator));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = DbMigrateMain.execute(new String[] {"run", "-f", file.toString(), "--backup-dir",
                dir.resolve("backups").toString()}, Map.of("PGUSER", "app"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(DbMigrateMain.BAD_INPUT, code);
        assertEquals(file + ": spec.generators[0]: " + why + "; to run the set locally, write its targets as a list generator (the user and password come from "
                + "PGUSER and PGPASSWORD)", err.toString(StandardCharsets.UTF_8).strip().replaceFirst("^dbmigrate: ", ""));
        assertFalse(Files.exists(dir.resolve("backups")), "nothing was done");
    }

    @Test
    void approveOfAGateTheSetDoesNotHaveIsRefused() throws Exception {
        set(List.of("a"), "canary: {count: 1}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = DbMigrateMain.execute(new String[] {"run", "-f", dir.resolve("set.yaml").toString(), "--approve",
                "canary"}, Map.of("PGUSER", "app"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(DbMigrateMain.BAD_INPUT, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--approve canary: " + dir.resolve("set.yaml")
                + " has no approval gate by that name"), err.toString(StandardCharsets.UTF_8));
    }
}
