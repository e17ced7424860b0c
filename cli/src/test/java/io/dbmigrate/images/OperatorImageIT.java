package io.dbmigrate.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.e2e.ChartOperator;
import io.dbmigrate.testing.TestCluster;
import io.dbmigrate.testing.docker.TestEngine;
import io.dbmigrate.testing.rbac.RbacGrants;
import io.dbmigrate.testing.rbac.RenderedChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image scripts/test.sh builds, run as the chart's Deployment runs it: the chart's args and env, its
 * non-root user, a read-only root file system with /tmp an emptyDir; it serves, leads, and stops on SIGTERM within
 * the chart's grace period.
 */
class OperatorImageIT {
    private static final int GRACE_SECONDS = 30;

    @TempDir
    Path temp;

    @Test
    void chartsArgsServeProbesTakeTheLeaseAndStopOnDockerStop() throws Exception {
        TestEngine engine = TestEngine.fromEnvironmentOrSkip();
        try (TestCluster cluster = TestCluster.start(Map.of(),
                namespace -> RbacGrants.of(RenderedChart.render("", namespace)).rulesIn(namespace))) {
            String home = cluster.newNamespace("dbmigrate-system");
            ChartOperator chart = ChartOperator.render(home, cluster.newNamespace("image-chart"));
            Path kubeconfig = ChartOperator.kubeconfig(temp.resolve("kubeconfig"), cluster.client());
            Path tmp = Files.createDirectory(temp.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            String name = "dbmigrate-operator-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            String container = engine.run(engine.images().operator())
                    .name(name)
                    .readOnly()
                    .mount(tmp, "/tmp")
                    .mount(kubeconfig, "/etc/dbmigrate/kubeconfig")
                    .env("KUBECONFIG", "/etc/dbmigrate/kubeconfig")
                    .env(chart.env())
                    .start(chart.args().toArray(String[]::new));
            try {
                chart.assertServing(cluster, () -> engine.logs(container));
                long stopping = System.nanoTime();
                engine.stop(container, GRACE_SECONDS).successful();
                long seconds = (System.nanoTime() - stopping) / 1_000_000_000L;
                String output = engine.logs(container);
                assertTrue(seconds < GRACE_SECONDS, "docker stop took " + seconds + " s, the grace period is "
                        + GRACE_SECONDS + " s; operator log:\n" + output);
                assertEquals("10001", engine.inspect(container, "{{.Config.User}}"), "the image's user");
                assertEquals("143", engine.inspect(container, "{{.State.ExitCode}}"),
                        "the JVM exits on SIGTERM (128 + 15), not killed; operator log:\n" + output);
                assertTrue(output.contains(chart.pickedUpJavaToolOptions()), output);
                assertFalse(output.contains("lease lost"), output);
            } finally {
                engine.remove(container);
            }
        }
    }
}
