package io.dbmigrate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.testing.Await;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.TestDatabase;
import io.dbmigrate.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `java -jar dbmigrate.jar operator`, the packaged entry point, against the test cluster through a kubeconfig. */
class OperatorJarIT {
  private static final String IMAGE = "registry.example.com/crm-migrations:1.0.0";

  @TempDir
  Path temp;

  @Test
  void packagedOperatorMigratesAndStopsOnSigterm() throws Exception {
    Path crm = TestCluster.repoRoot().resolve("examples/crm");
    try (TestCluster cluster = TestCluster.start(Map.of(IMAGE, Map.of("/migrations", crm.toString())));
         TestDatabase db = TestDatabase.create("jar_operator")) {
      KubernetesClient client = cluster.client();
      String ns = cluster.newNamespace("jar-operator");
      client.resource(new SecretBuilder().withNewMetadata().withName("crm-db").withNamespace(ns).endMetadata()
          .withStringData(Map.of("username", db.user(), "password", db.password())).build()).create();

      Path log = temp.resolve("operator.log");
      ProcessBuilder command = new ProcessBuilder("java", "-jar", System.getProperty("dbmigrate.operator.jar"),
          "operator", "--namespace", ns)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      command.environment().put("KUBECONFIG", kubeconfig(client).toString());
      Process operator = command.start();
      try {
        client.resource(new KubernetesSerialization().unmarshal("""
            apiVersion: dbmigrate.io/v1alpha1
            kind: DatabaseMigration
            metadata: {name: crm, namespace: %s}
            spec:
              database: {host: %s, port: %d, name: %s, sslMode: disable, credentialsSecret: {name: crm-db}}
              migrations: {image: "%s"}
              targetRevision: vwx234yz567
              backup: {volume: {persistentVolumeClaim: {claimName: backups}}}
              jobTemplate: {nodeSelector: {%s: "true"}}
            """.formatted(ns, db.host(), db.port(), db.name(), IMAGE, TestKubelet.NODE_SELECTOR_KEY),
            DatabaseMigration.class)).create();

        Await.until(Duration.ofSeconds(90), () -> {
          DatabaseMigration resource = client.resources(DatabaseMigration.class).inNamespace(ns).withName("crm").get();
          return resource.getStatus() != null && resource.getStatus().phase() == Phase.Succeeded;
        }, () -> "Succeeded; operator log:\n" + read(log));
        assertEquals(List.of("vwx234yz567"), db.alembicVersion());
      } finally {
        operator.destroy();
      }
      assertTrue(operator.waitFor(30, TimeUnit.SECONDS), "the operator stops on SIGTERM");
      String output = read(log);
      assertTrue(output.contains("reason=Succeeded"), output);
      assertFalse(output.contains(db.password()), "the operator logged the password");
    }
  }

  // The kubeconfig of the API server under test: DBMIGRATE_TEST_KUBECONFIG itself, or one for the mock.
  private Path kubeconfig(KubernetesClient client) throws Exception {
    String given = System.getenv(TestCluster.KUBECONFIG_VARIABLE);
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    Path file = temp.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: test, user: {token: test}}]
        contexts: [{name: mock, context: {cluster: mock, user: test}}]
        current-context: mock
        """.formatted(client.getConfiguration().getMasterUrl()));
    return file;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
