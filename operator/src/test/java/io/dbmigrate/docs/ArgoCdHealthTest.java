package io.dbmigrate.docs;

import static io.dbmigrate.testing.Resources.T0;
import static io.dbmigrate.testing.Resources.activeJob;
import static io.dbmigrate.testing.Resources.attempt;
import static io.dbmigrate.testing.Resources.backedUp;
import static io.dbmigrate.testing.Resources.backupFile;
import static io.dbmigrate.testing.Resources.backupSucceeded;
import static io.dbmigrate.testing.Resources.failed;
import static io.dbmigrate.testing.Resources.failedJob;
import static io.dbmigrate.testing.Resources.migration;
import static io.dbmigrate.testing.Resources.observe;
import static io.dbmigrate.testing.Resources.ok;
import static io.dbmigrate.testing.Resources.succeededJob;
import static io.dbmigrate.testing.Resources.upgradeFailed;
import static io.dbmigrate.testing.Resources.upgradeSucceeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationStatus;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StatusCondition;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.decide.MigrationPlanner;
import io.dbmigrate.fleet.SetObservation;
import io.dbmigrate.fleet.SetReconciliation;
import io.dbmigrate.observe.ContainerOutcome;
import io.dbmigrate.observe.JobObservation;
import io.dbmigrate.observe.Observation;
import io.dbmigrate.observe.SecretObservation;
import io.dbmigrate.status.StatusAggregator;
import io.dbmigrate.testing.Sets;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;

/**
 * Runs the real docs/argocd/health.lua the way Argo CD does (util/lua/lua.go): the resource as the global {@code obj},
 * only the base, package and table libraries open, the returned table's status and message read back. Statuses come
 * from the real StatusAggregator where the operator can produce them, from YAML where it cannot yet.
 */
class ArgoCdHealthTest {
    static final Path DOCS = Path.of(System.getProperty("dbmigrate.repo.root", ".."), "docs");
    static final Path HEALTH_LUA = DOCS.resolve("argocd/health.lua");
    static final Path ARGOCD_CM = DOCS.resolve("argocd/argocd-cm.yaml");
    static final String CM_KEY = "resource.customizations.health.dbmigrate.io_DatabaseMigration";
    static final String SET_CM_KEY = "resource.customizations.health.dbmigrate.io_DatabaseMigrationSet";
    /** What Argo CD accepts from a health script (isValidHealthStatusCode); anything else becomes Unknown. */
    static final Set<String> ARGO_HEALTH = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Health(String status, String message) {
    }

    // ---- The script against statuses the operator writes ----

    // Not seen yet: no status at all, or the CRD's default status of a new resource.
    @ParameterizedTest
    @ValueSource(strings = {"", "status: {observedGeneration: -1}\n"})
    void aResourceTheOperatorHasNotSeenIsProgressing(String status) {
        Health health = healthOfCrm(1, "spec: {targetRevision: head}\n" + status);
        assertEquals(new Health("Progressing", "waiting for the operator to observe generation 1"), health);
    }

    @Test
    void aStatusOfAnOlderGenerationIsProgressingEvenWhenItWasReady() {
        DatabaseMigration resource = migration().generation(1L).build();
        JobObservation job = succeededJob(MigrationPlanner.jobName(resource),
                attempt(ok(backupSucceeded(backupFile("g1"), "base")), ok(upgradeSucceeded("base", "c3d4", "a1b2", "c3d4"))));
        DatabaseMigrationStatus ready = aggregate(observe(resource, job));
        assertEquals("True", condition(ready, StatusCondition.READY).status(), "precondition: generation 1 is Ready");

        // Someone edits the spec in git: generation 2, and the operator has not written its status yet.
        DatabaseMigration edited = migration().generation(2L).status(ready).build();

        assertEquals(new Health("Progressing", "waiting for the operator to observe generation 2 (status is of generation 1)"),
                health(edited));
    }

    @Test
    void succeededIsHealthyWithTheOperatorsMessage() {
        DatabaseMigration resource = migration().build();
        JobObservation job = succeededJob(MigrationPlanner.jobName(resource),
                attempt(ok(backupSucceeded(backupFile("g1"), "base")), ok(upgradeSucceeded("base", "c3d4", "a1b2", "c3d4"))));

        assertEquals(new Health("Healthy", "Upgraded base -> c3d4: applied 2 revisions"),
                health(withStatus(resource, aggregate(observe(resource, job)))));
    }

    @Test
    void aFailedMigrationIsDegradedWithTheStalledMessage() {
        DatabaseMigration resource = migration().build();
        String error = "revision c3d4 failed: NameError: name 'sa' is not defined; the database is at a1b2";
        JobObservation job = failedJob(MigrationPlanner.jobName(resource), "PodFailurePolicy", "Container migrate exited with 21",
                attempt(ok(backupSucceeded(backupFile("g1"), "a1b2")), ok(upgradeFailed("a1b2", "a1b2", "c3d4", error))));
        DatabaseMigrationStatus status = aggregate(observe(resource, job));

        Health health = health(withStatus(resource, status));

        assertEquals("Degraded", health.status());
        assertEquals(condition(status, StatusCondition.STALLED).message(), health.message());
        assertEquals(error, health.message());
    }

    @Test
    void aFailedBackupIsDegraded() {
        DatabaseMigration resource = migration().build();
        JobObservation job = failedJob(MigrationPlanner.jobName(resource), "PodFailurePolicy", null,
                attempt(ok(failed("backup", ExitCode.BACKUP_FAILED, "pg_dump failed: server version mismatch")),
                        ContainerOutcome.waiting("PodInitializing")));

        assertEquals(new Health("Degraded", "pg_dump failed: server version mismatch"),
                health(withStatus(resource, aggregate(observe(resource, job)))));
    }

    @Test
    void anInvalidSpecIsDegradedAndNamesTheField() {
        DatabaseMigration resource = migration().backoffLimit(11).build();

        assertEquals(new Health("Degraded", "Invalid spec: spec.backoffLimit: must be between 0 and 10, got 11"),
                health(withStatus(resource, aggregate(observe(resource)))));
    }

    @Test
    void aSuspendedResourceIsSuspended() {
        DatabaseMigration resource = migration().suspend(true).build();

        assertEquals(new Health("Suspended", "Suspended: no migration Job is started while spec.suspend is true"),
                health(withStatus(resource, aggregate(observe(resource)))));
    }

    @Test
    void waitingForTheSecretIsProgressing() {
        DatabaseMigration resource = migration().build();

        assertEquals(new Health("Progressing", "Secret crm/crm-db not found; the migration starts when it exists"),
                health(withStatus(resource, aggregate(observe(resource, SecretObservation.MISSING)))));
    }

    @Test
    void everyRunningStateIsProgressingWithTheStatusMessage() {
        DatabaseMigration resource = migration().build();
        String job = MigrationPlanner.jobName(resource);
        List<Observation> running = List.of(
                observe(resource),                                                                  // JobCreated
                observe(resource, activeJob(job)),                                                  // waiting for the pod
                observe(resource, activeJob(job, attempt(ContainerOutcome.running(),
                        ContainerOutcome.waiting("PodInitializing")))),                                 // BackingUp
                observe(resource, activeJob(job, backedUp("g1", "a1b2"))),                          // Migrating
                observe(resource, activeJob(job, attempt(ok(failed("backup", ExitCode.CONNECTION_FAILED, "connection refused")),
                        null))),                                                                        // Retrying
                observe(resource, activeJob(job, attempt(ContainerOutcome.waiting("CreateContainerConfigError"), null))));

        for (Observation observation : running) {
            DatabaseMigrationStatus status = aggregate(observation);
            assertEquals(new Health("Progressing", status.message()), health(withStatus(resource, status)),
                    "phase " + status.phase() + ", reason " + condition(status, StatusCondition.READY).reason());
        }
    }

    // ---- Statuses the operator does not write yet, or writes only in odd shapes ----

    @Test
    void awaitingGateIsSuspendedWithTheStatusMessage() {
        // The phased steps (spec.steps with gates) set this; Reconciling stays True while a step waits.
        Health health = healthOfCrm(4, """
        status:
          observedGeneration: 4
          phase: AwaitingGate
          message: "Step contract waits for approval: kubectl annotate dbm crm dbmigrate.io/approve=contract"
          conditions:
          - {type: Ready, status: "False", reason: AwaitingApproval, lastTransitionTime: "2024-05-06T07:08:09Z"}
          - {type: Reconciling, status: "True", reason: AwaitingApproval, lastTransitionTime: "2024-05-06T07:08:09Z"}
          - {type: Stalled, status: "False", reason: NotStalled, lastTransitionTime: "2024-05-06T07:08:09Z"}
        """);
        assertEquals(new Health("Suspended",
                "Step contract waits for approval: kubectl annotate dbm crm dbmigrate.io/approve=contract"), health);
    }

    @Test
    void aStalledConditionWithoutAMessageFallsBackToTheStatusMessageThenTheReason() {
        String status = """
        status:
          observedGeneration: 2
          phase: Failed
          %s
          conditions:
          - {type: Stalled, status: "True", reason: BackupFailed, lastTransitionTime: "2024-05-06T07:08:09Z"}
        """;
        assertEquals(new Health("Degraded", "backup directory is not writable"),
                healthOfCrm(2, status.formatted("message: backup directory is not writable")));
        assertEquals(new Health("Degraded", "BackupFailed"), healthOfCrm(2, status.formatted("")));
    }

    @Test
    void anObservedGenerationThatArrivesAsTextIsStillCompared() {
        // Argo CD hands json.Number values to Lua as strings; tonumber must make them comparable.
        Health health = healthOfCrm("\"3\"", """
        status:
          observedGeneration: "2"
          phase: Succeeded
          conditions:
          - {type: Ready, status: "True", reason: Succeeded, lastTransitionTime: "2024-05-06T07:08:09Z"}
        """);
        assertEquals(new Health("Progressing", "waiting for the operator to observe generation 3 (status is of generation 2)"),
                health);
    }

    @Test
    void everyPhaseHasADecidedHealth() {
        // A phase added to the enum must be given a health here (and in health.lua) before the build passes again.
        Map<String, String> decided = Map.of(
                "Pending", "Progressing", "BackingUp", "Progressing", "Rehearsing", "Progressing", "Migrating", "Progressing",
                "Stamping", "Progressing", "Succeeded", "Healthy",
                "Failed", "Degraded", "Suspended", "Suspended", "AwaitingGate", "Suspended");
        for (Phase phase : Phase.values()) {
            assertTrue(decided.containsKey(phase.name()), "no Argo CD health decided for phase " + phase);
        }
        for (Map.Entry<String, String> entry : decided.entrySet()) {
            String phase = entry.getKey();
            boolean ready = phase.equals("Succeeded");
            boolean stalled = phase.equals("Failed");
            boolean reconciling = !ready && !stalled && !phase.equals("Suspended");
            Health health = healthOfCrm(1, """
          status:
            observedGeneration: 1
            phase: %s
            message: in phase %s
            conditions:
            - {type: Ready, status: "%s", reason: R, message: in phase %s}
            - {type: Reconciling, status: "%s", reason: R}
            - {type: Stalled, status: "%s", reason: R, message: in phase %s}
          """.formatted(phase, phase, title(ready), phase, title(reconciling), title(stalled), phase));
            assertEquals(new Health(entry.getValue(), "in phase " + phase), health, "phase " + phase);
        }
    }

    // ---- The same script on a DatabaseMigrationSet's status, as the planner writes it ----

    @Test
    void aSetIsJudgedByTheSameScript() {
        DatabaseMigrationSet set = Sets.set(Sets.rollout(1, new RolloutGateSpec(true, null), 1, null, null),
                Sets.list(Sets.targets("acme", "globex")));
        assertEquals(new Health("Progressing", "0 of 2 targets succeeded, 1 running, 1 pending, 0 failed"),
                setHealth(set, List.of()));

        DatabaseMigration canary = child(set, "acme", Phase.Succeeded);
        Health waiting = setHealth(set, List.of(canary));
        assertEquals("Suspended", waiting.status());
        assertTrue(waiting.message().startsWith("The canary succeeded; the rest waits for kubectl annotate dbms tenants "
                + "dbmigrate.io/approve=canary"), waiting.message());

        set.getMetadata().setAnnotations(Map.of("dbmigrate.io/approve", "canary"));
        Health halted = setHealth(set, List.of(canary, child(set, "globex", Phase.Failed)));
        assertEquals("Degraded", halted.status());
        assertTrue(halted.message().startsWith("1 of 2 targets succeeded, 0 running, 0 pending, 1 failed (globex)"),
                halted.message());

        set.getMetadata().setAnnotations(Map.of());
        assertEquals(new Health("Healthy", "All 2 targets migrated"),
                setHealth(set, List.of(canary, child(set, "globex", Phase.Succeeded))));
    }

    @Test
    void everySetPhaseHasADecidedHealth() {
        Map<String, String> decided = Map.of("Pending", "Progressing", "Progressing", "Progressing",
                "AwaitingGate", "Suspended", "Suspended", "Suspended", "Succeeded", "Healthy", "Failed", "Degraded");
        for (SetPhase phase : SetPhase.values()) {
            assertTrue(decided.containsKey(phase.name()), "no Argo CD health decided for set phase " + phase);
        }
    }

    // The set's status after one plan of what it observes: its children as given, each ended in its phase.
    private static Health setHealth(DatabaseMigrationSet set, List<DatabaseMigration> children) {
        set.setStatus(SetReconciliation.of(new SetObservation(set, Map.of(), Map.of(), children, T0)).status());
        return run(SERIALIZATION.convertValue(set, Map.class));
    }

    private static DatabaseMigration child(DatabaseMigrationSet set, String target, Phase phase) {
        return Sets.child(set, target, target.equals("acme"), phase, T0);
    }

    // ---- The script itself and its copy in argocd-cm ----

    @Test
    void theSandboxIsAsNarrowAsArgoCds() {
        // Without useOpenLibs Argo CD opens no string library: a script calling string.format would fail there.
        Globals globals = argoCdGlobals();
        assertTrue(globals.get("string").isnil(), "string library must be closed");
        assertTrue(globals.get("tostring").isfunction() && globals.get("table").istable() && globals.get("select").isfunction());
    }

    @Test
    void argocdCmCarriesExactlyTheLuaOfHealthLua() throws IOException {
        Map<?, ?> configMap = YAML.readValue(Files.readString(ARGOCD_CM), Map.class);
        assertEquals("ConfigMap", configMap.get("kind"));
        assertEquals("argocd-cm", ((Map<?, ?>) configMap.get("metadata")).get("name"));
        for (String key : List.of(CM_KEY, SET_CM_KEY)) {
            Object embedded = ((Map<?, ?>) configMap.get("data")).get(key);
            assertEquals(Files.readString(HEALTH_LUA), embedded, ARGOCD_CM + " must embed " + HEALTH_LUA + " verbatim under " + key);
        }
    }

    // ---- Helpers ----

    private static DatabaseMigrationStatus aggregate(Observation observation) {
        return StatusAggregator.compute(observation, MigrationPlanner.decide(observation), T0);
    }

    private static DatabaseMigration withStatus(DatabaseMigration resource, DatabaseMigrationStatus status) {
        resource.setStatus(status);
        return resource;
    }

    private static StatusCondition condition(DatabaseMigrationStatus status, String type) {
        return status.conditionsOrEmpty().stream().filter(c -> type.equals(c.type())).findFirst().orElseThrow();
    }

    private static String title(boolean value) {
        return value ? "True" : "False";
    }

    /** The resource as the API server would hand it to Argo CD: its JSON form, as maps and lists. */
    static Health health(DatabaseMigration resource) {
        return run(SERIALIZATION.convertValue(resource, Map.class));
    }

    /**
     * The resource crm in namespace crm at {@code generation} (as it stands in YAML: a number, or a quoted one), with
     * {@code rest} (YAML, its spec and status) below its metadata.
     */
    static Health healthOfCrm(Object generation, String rest) {
        return health("""
        apiVersion: dbmigrate.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: crm, namespace: crm, generation: %s}
        """.formatted(generation) + rest);
    }

    static Health health(String yaml) {
        try {
            return run(YAML.readValue(yaml, Map.class));
        } catch (IOException e) {
            throw new AssertionError("test YAML does not parse", e);
        }
    }

    static Health run(Map<?, ?> object) {
        String script;
        try {
            script = Files.readString(HEALTH_LUA);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + HEALTH_LUA.toAbsolutePath(), e);
        }
        Globals globals = argoCdGlobals();
        globals.set("obj", toLua(object));
        LuaValue result = globals.load(script, "health.lua").call();
        assertTrue(result.istable(), "health.lua must return a table, returned " + result.typename());
        String status = result.get("status").optjstring(null);
        String message = result.get("message").optjstring(null);
        assertTrue(ARGO_HEALTH.contains(status), "not a health status Argo CD accepts: " + status);
        return new Health(status, message);
    }

    /** lua.NewState(SkipOpenLibs) plus the libraries Argo CD opens itself: package, base, table (and a safe os, unused). */
    static Globals argoCdGlobals() {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        LoadState.install(globals);
        LuaC.install(globals);
        return globals;
    }

    /** As Argo CD's decodeValue: booleans, numbers, strings, lists as 1-based arrays, maps as tables; null is nil. */
    static LuaValue toLua(Object value) {
        if (value == null) {
            return LuaValue.NIL;
        }
        if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        if (value instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        }
        if (value instanceof String s) {
            return LuaValue.valueOf(s);
        }
        if (value instanceof List<?> list) {
            LuaTable table = new LuaTable();
            int index = 1;
            for (Object item : list) {
                table.set(index++, toLua(item));
            }
            return table;
        }
        if (value instanceof Map<?, ?> map) {
            LuaTable table = new LuaTable();
            map.forEach((key, item) -> table.set(String.valueOf(key), toLua(item)));
            return table;
        }
        throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
}
