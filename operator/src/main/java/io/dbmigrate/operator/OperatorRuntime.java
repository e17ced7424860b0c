package io.dbmigrate.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The running operator: JOSDK with server-side apply off for the primary and dependents, because what runs in
 * production must be what is tested, and the test API server has no server-side apply.
 */
public final class OperatorRuntime implements AutoCloseable {
  private final Operator operator;

  private OperatorRuntime(Operator operator) {
    this.operator = operator;
  }

  /** Starts reconciling DatabaseMigrations in the given namespaces, or in all of them when the set is empty. */
  public static OperatorRuntime start(KubernetesClient client, Set<String> namespaces, Clock clock) {
    Operator operator = new Operator(overrider -> overrider
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withReconciliationTerminationTimeout(Duration.ofSeconds(10)));
    operator.register(new DatabaseMigrationReconciler(clock), configuration -> {
      if (!namespaces.isEmpty()) {
        configuration.settingNamespaces(namespaces);
      }
      // A safety net for a missed watch event; informers do the real waking.
      configuration.withReconciliationMaxInterval(Duration.ofMinutes(5));
    });
    operator.start();
    return new OperatorRuntime(operator);
  }

  @Override
  public void close() {
    operator.stop();
  }
}
