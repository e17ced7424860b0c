package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.PodImages;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.kubelet.TestKubelet;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/first-migration.md, run as written: its manifest is examples/crm/databasemigration.yaml, and what it shows of a
 * run (the revisions in its first lines, the last `kubectl get -w` line, the Succeeded Event, the status) is what a
 * run of that manifest on an empty database really reports. Times, Job and file names, sizes and hashes vary; the
 * revisions, phases, reasons and messages may not.
 */
class FirstMigrationDocIT {
    private static final Path CRM = TestCluster.repoRoot().resolve("examples/crm");
    private static final Path DOC = TestCluster.repoRoot().resolve("docs/first-migration.md");
    private static final String IMAGE = PodImages.crm("registry.example.com/crm-migrations:1.0.0");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern YAML_BLOCK = Pattern.compile("(?m)^```yaml\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern CONSOLE_BLOCK = Pattern.compile("(?m)^```console\\n(.*?)^```$", Pattern.DOTALL);
    // "eight Alembic revisions from an empty database to `vwx234yz567`", the walk-through's promise in its first lines.
    private static final Pattern PROMISE = Pattern.compile("(\\w+)\\s+Alembic\\s+revisions\\s+from\\s+an\\s+empty\\s+"
            + "database\\s+to\\s+`(\\w+)`");
    private static final List<String> NUMBERS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve");

    @Test
    void theWalkThroughShowsWhatARunOfTheExampleReports() throws Exception {
        String doc = Files.readString(DOC);
        List<JsonNode> migrations = new ArrayList<>();
        Matcher yaml = YAML_BLOCK.matcher(doc);
        while (yaml.find()) {
            JsonNode node = YAML.readTree(yaml.group(1));
            if (node != null && "DatabaseMigration".equals(node.path("kind").asText())) {
                migrations.add(node);
            }
        }
        assertEquals(2, migrations.size(), "the manifest and the resource read back, in this order");
        JsonNode manifest = YAML.readTree(CRM.resolve("databasemigration.yaml").toFile());
        assertEquals(manifest, migrations.get(0), "the doc's manifest is examples/crm/databasemigration.yaml");
        JsonNode shown = migrations.get(1);

        JsonNode reported;
        List<Event> events;
        try (TestCluster cluster = TestCluster.start(Map.of(IMAGE, PodImages.folders(IMAGE, CRM)));
                  TestDatabase db = TestDatabase.create("doc_first")) {
            KubernetesClient client = cluster.client();
            String ns = cluster.newNamespace("doc-first");
            cluster.createCredentials(ns, "crm-db", db.user(), db.password());
            // The manifest as the doc applies it; only where the database is, which node runs the pod and (in Docker)
            // the name of the image carrying examples/crm are this test's.
            ObjectNode applied = manifest.deepCopy();
            ((ObjectNode) applied.get("metadata")).put("namespace", ns);
            ObjectNode database = (ObjectNode) applied.get("spec").get("database");
            database.put("host", db.host()).put("port", db.port()).put("name", db.name());
            ((ObjectNode) applied.get("spec").get("migrations")).put("image", IMAGE);
            ((ObjectNode) applied.get("spec")).putObject("jobTemplate").putObject("nodeSelector")
                    .put(TestKubelet.NODE_SELECTOR_KEY, "true");
            client.resource(new KubernetesSerialization().convertValue(applied, DatabaseMigration.class)).create();
            try (OperatorRuntime operator = OperatorRuntime.start(client, Set.of(ns), Clock.systemUTC())) {
                DatabaseMigration done = Await.value(Scenario.TIMEOUT, () -> {
                    DatabaseMigration resource = client.resources(DatabaseMigration.class).inNamespace(ns).withName("crm").get();
                    Phase phase = resource.getStatus() == null ? null : resource.getStatus().phase();
                    return phase == Phase.Succeeded || phase == Phase.Failed ? resource : null;
                }, () -> "the run to end");
                reported = YAML.valueToTree(done);
                events = client.v1().events().inNamespace(ns).list().getItems();
                assertEquals(List.of(reported.at("/status/currentRevision").asText()), db.alembicVersion(),
                        "the status says where the database is");
            }
        }

        Matcher promise = PROMISE.matcher(doc.replaceAll("\\s+", " "));
        assertTrue(promise.find(), "the doc says how many revisions lead where");
        JsonNode applied = reported.at("/status/lastMigration/appliedRevisions");
        assertEquals(NUMBERS.get(applied.size()) + " revisions to " + reported.at("/status/currentRevision").asText(),
                promise.group(1) + " revisions to " + promise.group(2));

        for (String field : List.of("/spec/targetRevision", "/status/phase", "/status/currentRevision",
                "/status/targetRevision", "/status/message", "/status/lastBackup/revision", "/status/lastBackup/verified",
                "/status/lastMigration/fromRevision", "/status/lastMigration/toRevision",
                "/status/lastMigration/appliedRevisions", "/status/lastMigration/direction",
                "/status/lastMigration/lockAttempts", "/status/failedAttempts", "/status/steps/0/name",
                "/status/steps/0/targetRevision", "/status/steps/0/phase", "/status/steps/0/fromRevision",
                "/status/steps/0/toRevision", "/status/steps/0/appliedRevisions", "/status/steps/0/message")) {
            assertEquals(reported.at(field), shown.at(field), field);
        }
        for (int i = 0; i < reported.at("/status/conditions").size(); i++) {
            for (String part : List.of("type", "status", "reason", "message")) {
                String field = "/status/conditions/" + i + "/" + part;
                assertEquals(reported.at(field), shown.at(field), field);
            }
        }
        assertEquals(reported.at("/status/conditions").size(), shown.at("/status/conditions").size(), "conditions");
        assertEquals(fields(reported.get("status"), ""), fields(shown.get("status"), ""),
                "the doc's status has the fields a real one has, no more, no fewer");

        List<String> consoles = new ArrayList<>();
        Matcher console = CONSOLE_BLOCK.matcher(doc);
        while (console.find()) {
            consoles.add(console.group(1));
        }
        // The last line of `kubectl get dbm -w`: NAME DATABASE CURRENT TARGET PHASE ...
        List<String> watch = consoles.get(0).lines().toList();
        String[] last = watch.get(watch.size() - 1).trim().split("\\s+");
        assertEquals(List.of(reported.at("/status/currentRevision").asText(), reported.at("/spec/targetRevision").asText(),
                "Succeeded"), List.of(last[2], last[3], last[4]), "the last line of kubectl get -w");
        // The Succeeded Event of `kubectl describe`.
        String succeeded = consoles.get(1).lines().filter(line -> line.contains(" Succeeded ")).findFirst().orElseThrow()
                .replaceFirst("^.*dbmigrate-operator\\s+", "");
        assertEquals(List.of(succeeded), events.stream().filter(e -> "Succeeded".equals(e.getReason()))
                .map(Event::getMessage).toList(), "the Succeeded Event");
    }

    /** The field paths of a JSON tree, list items merged (their number is checked where it matters). */
    private static SortedSet<String> fields(JsonNode node, String path) {
        SortedSet<String> fields = new TreeSet<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                fields.add(path + "/" + field.getKey());
                fields.addAll(fields(field.getValue(), path + "/" + field.getKey()));
            });
        } else if (node.isArray()) {
            node.forEach(item -> fields.addAll(fields(item, path + "[]")));
        }
        return fields;
    }
}
