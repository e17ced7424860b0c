package io.dbmigrate.testing;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSetSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.Phase;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.operator.OperatorRuntime;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The harness of scripts/bench/fleet-at-rest.sh (issue 14, item 5b); not a test, run only by that script. On the
 * fabric8 mock API server in CRUD mode, it makes a fleet through the API as users would (DatabaseMigrations, and
 * DatabaseMigrationSets of list and secrets generators, each database with its Secret), lets an in-process operator
 * migrate all of it (this class plays the Job controller and kubelet: each Job gets a pod whose containers end with the
 * runner's results, and ends Complete), and stops that operator once every resource is Succeeded with its
 * observedGeneration at its generation. Then the packaged operator (`java -jar dbmigrate.jar operator`, leader
 * election on, the chart's JVM options under its 512 MiB limit) starts on that fleet at rest, and it counts every HTTP
 * request the operator sends, measures its heap after a full GC and its RSS, and prints them.
 *
 * <p>Arguments: the operator jar, a work folder. System properties: bench.standalone (500), bench.sets (4, half of
 * them list generators, half secrets generators), bench.targets (125 per set), bench.window (360 s), bench.quiet (30 s
 * without any request but the Lease's ends the initial sync), bench.jvm (the chart's jvmOptions, with -XX:MaxRAM for
 * its memory limit).
 */
public record FleetAtRestBench(KubernetesClient client, RequestCounter counter, Path work) {
    private static final String AGENT = "dbmigrate-bench-fixtures";
    private static final String NAMESPACE = "tenants";
    private static final String LEASE_NAMESPACE = "dbmigrate-system";
    private static final String LEASES = "leases";
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$", Pattern.MULTILINE);

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int standalone = Integer.getInteger("bench.standalone", 500);
        int sets = Integer.getInteger("bench.sets", 4);
        int targets = Integer.getInteger("bench.targets", 125);
        Duration window = Duration.ofSeconds(Integer.getInteger("bench.window", 360));
        Duration quiet = Duration.ofSeconds(Integer.getInteger("bench.quiet", 30));
        String jvm = System.getProperty("bench.jvm", "-XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError");

        RequestCounter counter = new RequestCounter(AGENT);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), counter,
                false);
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer").setLevel(java.util.logging.Level.WARNING);
        server.init(InetAddress.getLoopbackAddress(), 0);
        String url = server.createClient(new JdkHttpClientFactory()).getMasterUrl().toString();
        // The fixtures' requests carry their own User-Agent: the counter leaves them out.
        KubernetesClient client = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(new ConfigBuilder().withMasterUrl(url).withTrustCerts(true).withUserAgent(AGENT)
                        .withNamespace(NAMESPACE).build())
                .build();
        try {
            FleetAtRestBench bench = new FleetAtRestBench(client, counter, work);
            bench.makeFleet(standalone, sets, targets);
            bench.measure(jar, url, jvm, window, quiet);
        } finally {
            client.close();
            server.destroy();
        }
    }

    private void makeFleet(int standalone, int sets, int targets) throws IOException, InterruptedException {
        for (String crd : TestCluster.CRD_NAMES) {
            try (InputStream in = Files.newInputStream(TestCluster.repoRoot().resolve("crds").resolve(crd + "-v1.yaml"))) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            }
        }
        for (String namespace : List.of(NAMESPACE, LEASE_NAMESPACE)) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                    .create();
        }
        long started = System.nanoTime();
        for (int i = 0; i < standalone; i++) {
            String name = "app-%04d".formatted(i);
            secret(name, Map.of());
            client.resource(Resources.migration().name(name).namespace(NAMESPACE).uid(null).generation(null).secret(name)
                    .databaseName(name.replace('-', '_')).host(name + ".db.svc").build()).create();
        }
        int listSets = (sets + 1) / 2;
        for (int s = 0; s < sets; s++) {
            String set = "fleet-%d".formatted(s);
            GeneratorSpec generator;
            if (s < listSets) {
                List<TargetSpec> list = new ArrayList<>();
                for (int t = 0; t < targets; t++) {
                    String target = "t%04d".formatted(t);
                    String secret = set + "-" + target;
                    list.add(new TargetSpec(target, new DatabaseSpec(secret + ".db.svc", 5432, secret.replace('-', '_'),
                            SslMode.PREFER, new CredentialsSecretRef(secret, null, null))));
                    secret(secret, Map.of());
                }
                generator = Sets.list(list);
            } else {
                for (int t = 0; t < targets; t++) {
                    secret(set + "-t%04d".formatted(t), Map.of("dbmigrate.io/fleet", set));
                }
                generator = Sets.secrets(Map.of("dbmigrate.io/fleet", set));
            }
            DatabaseMigrationSet resource = Sets.set(new DatabaseMigrationSetSpec(Sets.template(), List.of(generator),
                    Sets.rollout(1, null, 25, null, null)), 1L, Map.of(), null);
            resource.getMetadata().setName(set);
            resource.getMetadata().setNamespace(NAMESPACE);
            resource.getMetadata().setUid(null);
            resource.getMetadata().setGeneration(null);
            client.resource(resource).create();
        }
        int expected = standalone + sets * targets;
        System.out.printf("fleet: %d DatabaseMigrations (%d standalone, %d children of %d DatabaseMigrationSets: %d with a "
                + "list generator, %d with a secrets generator, %d targets each, canary 1, maxParallel 25), %d Secrets;"
                + " migrating it with an in-process operator%n", expected, standalone, sets * targets, sets, listSets,
                sets - listSets, targets, standalone + sets * targets);

        ExecutorService kubelet = Executors.newFixedThreadPool(4);
        SharedIndexInformer<Job> jobs = client.batch().v1().jobs().inNamespace(NAMESPACE).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                kubelet.submit(() -> complete(job));
            }

            @Override
            public void onUpdate(Job before, Job after) {
            }

            @Override
            public void onDelete(Job job, boolean unknown) {
            }
        });
        try (OperatorRuntime operator = OperatorRuntime.start(client, Set.of(NAMESPACE), Clock.systemUTC())) {
            awaitOrFail(Duration.ofMinutes(20), () -> atRest(expected, sets));
        } finally {
            jobs.close();
            kubelet.shutdown();
            kubelet.awaitTermination(1, TimeUnit.MINUTES);
        }
        System.out.printf("fleet at rest after %d s: %s%n", (System.nanoTime() - started) / 1_000_000_000L, inventory());
    }

    private void secret(String name, Map<String, String> labels) {
        Map<String, String> data = new HashMap<>();
        data.put("username", "app");
        data.put("password", "bench-only");
        data.put("host", name + ".db.svc");
        data.put("port", "5432");
        data.put("dbname", name.replace('-', '_'));
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(name)
                .withLabels(labels).endMetadata().withData(data.entrySet().stream().collect(Collectors.toMap(
                        Map.Entry::getKey, e -> Base64.getEncoder().encodeToString(e.getValue().getBytes(
                                StandardCharsets.UTF_8))))).build()).create();
    }

    /**
     * What the kubelet and the Job controller make of a Job whose containers all succeed: a pod of its template whose
     * containers end with the runner's results as termination messages (a backup, then an upgrade), and the Job
     * Complete.
     */
    private void complete(Job job) {
        try {
            Iterator<RunnerResult> results = List.of(Resources.backupSucceeded(Resources.backupFile("bench"), "a1b2c3"),
                    Resources.upgradeSucceeded("a1b2c3", "d4e5f6", "d4e5f6")).iterator();
            List<ContainerStatus> init = new ArrayList<>();
            for (var container : job.getSpec().getTemplate().getSpec().getInitContainers()) {
                init.add(terminated(container.getName(), results.next()));
            }
            List<ContainerStatus> main = new ArrayList<>();
            for (var container : job.getSpec().getTemplate().getSpec().getContainers()) {
                main.add(terminated(container.getName(), results.next()));
            }
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                    .withNewMetadata().withName(job.getMetadata().getName() + "-x7k2p")
                    .withLabels(job.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                    .withSpec(job.getSpec().getTemplate().getSpec())
                    .withNewStatus().withPhase("Succeeded").withInitContainerStatuses(init).withContainerStatuses(main)
                    .endStatus().build()).create();
            client.batch().v1().jobs().inNamespace(NAMESPACE).resource(new JobBuilder(job).withNewStatus().addNewCondition()
                    .withType("Complete").withStatus("True").endCondition().withSucceeded(1).endStatus().build())
                    .updateStatus();
        } catch (RuntimeException e) {
            System.out.println("kubelet: " + job.getMetadata().getName() + ": " + e);
        }
    }

    private static ContainerStatus terminated(String container, RunnerResult result) {
        return new ContainerStatusBuilder().withName(container).withNewState().withNewTerminated().withExitCode(0)
                .withReason("Completed").withMessage(RunnerJson.write(result)).endTerminated().endState().build();
    }

    // Every DatabaseMigration Succeeded at its generation, every set Succeeded at its generation: nothing left to do.
    private boolean atRest(int migrations, int sets) {
        List<DatabaseMigration> all = client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).list().getItems();
        long succeeded = all.stream().filter(m -> m.getStatus() != null && m.getStatus().phase() == Phase.Succeeded
                && m.getMetadata().getGeneration().equals(m.getStatus().observedGeneration())).count();
        List<DatabaseMigrationSet> fleets = client.resources(DatabaseMigrationSet.class).inNamespace(NAMESPACE).list()
                .getItems();
        long setsDone = fleets.stream().filter(s -> s.getStatus() != null && s.getStatus().phase() == SetPhase.Succeeded
                && s.getMetadata().getGeneration().equals(s.getStatus().observedGeneration())).count();
        String waiting = fleets.stream().filter(s -> s.getStatus() == null || s.getStatus().phase() != SetPhase.Succeeded)
                .findFirst().map(s -> "; %s: %s".formatted(s.getMetadata().getName(), s.getStatus() == null ? "no status"
                        : s.getStatus().phase() + " " + s.getStatus().message())).orElse("");
        System.out.printf("  %d of %d DatabaseMigrations and %d of %d sets Succeeded at their generation%s%n", succeeded,
                migrations, setsDone, sets, waiting);
        return all.size() == migrations && succeeded == migrations && setsDone == sets;
    }

    private String inventory() {
        return "%d DatabaseMigrations, %d DatabaseMigrationSets, %d Jobs, %d Pods, %d Secrets, %d Events".formatted(
                client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).list().getItems().size(),
                client.resources(DatabaseMigrationSet.class).inNamespace(NAMESPACE).list().getItems().size(),
                client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().size(),
                client.pods().inNamespace(NAMESPACE).list().getItems().size(),
                client.secrets().inNamespace(NAMESPACE).list().getItems().size(),
                client.v1().events().inNamespace(NAMESPACE).list().getItems().size());
    }

    // name -> resourceVersion of every DatabaseMigration and set: unchanged over the window means nothing was written.
    private Map<String, String> versions() {
        Map<String, String> versions = new HashMap<>();
        for (HasMetadata resource : client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).list().getItems()) {
            versions.put("dm/" + resource.getMetadata().getName(), resource.getMetadata().getResourceVersion());
        }
        for (HasMetadata resource : client.resources(DatabaseMigrationSet.class).inNamespace(NAMESPACE).list().getItems()) {
            versions.put("set/" + resource.getMetadata().getName(), resource.getMetadata().getResourceVersion());
        }
        return versions;
    }

    private void measure(Path jar, String url, String jvm, Duration window, Duration quiet) throws Exception {
        Path kubeconfig = Files.writeString(work.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: bench, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: bench, user: {token: bench}}]
                contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: %s}}]
                current-context: bench
                """.formatted(url, LEASE_NAMESPACE));
        Path log = work.resolve("operator.log");
        ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString(), "operator", "--http-port", "0",
                "--leader-election", "--lease-namespace", LEASE_NAMESPACE)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().put("JAVA_TOOL_OPTIONS", jvm);
        builder.environment().put("POD_NAME", "dbmigrate-operator-bench");
        Map<String, String> before = versions();
        long launched = System.nanoTime();
        Process operator = builder.start();
        try {
            System.out.printf("operator: java -jar %s operator --http-port 0 --leader-election --lease-namespace %s,"
                    + " JAVA_TOOL_OPTIONS=\"%s\", pid %d, log %s%n", jar.getFileName(), LEASE_NAMESPACE, jvm, operator.pid(),
                    log);
            awaitOrFail(Duration.ofMinutes(5), () -> read(log).contains("msg=\"leading\""));
            // Settled: `quiet` without a request but the Lease's.
            long settled;
            while (true) {
                if (!operator.isAlive()) {
                    throw new IllegalStateException("the operator exited:\n" + read(log));
                }
                long now = System.nanoTime();
                List<RequestCounter.Request> recent = counter.between(now - quiet.toNanos(), now).stream()
                        .filter(r -> !r.kind().contains(LEASES)).toList();
                if (now - launched > quiet.toNanos() && recent.isEmpty()) {
                    settled = now;
                    break;
                }
                if (now - launched > Duration.ofMinutes(10).toNanos()) {
                    throw new IllegalStateException("still sending requests after 10 minutes: " + RequestCounter.byKind(recent));
                }
                Thread.sleep(1_000);
            }
            List<RequestCounter.Request> sync = counter.between(launched, settled - quiet.toNanos());
            System.out.printf("initial sync: %d requests in %.1f s from the launch (then %d s with none but the"
                    + " Lease's):%n", sync.size(), (settled - quiet.toNanos() - launched) / 1e9, quiet.toSeconds());
            print(RequestCounter.byKind(sync));
            heap(operator.pid(), "settled");

            long from = System.nanoTime();
            System.out.printf("at rest: counting for %d s%n", window.toSeconds());
            Thread.sleep(window.toMillis());
            long to = System.nanoTime();
            List<RequestCounter.Request> atRest = counter.between(from, to);
            double minutes = (to - from) / 60e9;
            List<RequestCounter.Request> leases = atRest.stream().filter(r -> r.kind().contains(LEASES)).toList();
            List<RequestCounter.Request> others = atRest.stream().filter(r -> !r.kind().contains(LEASES)).toList();
            System.out.printf("at rest, %.1f min: %d requests, %.1f per minute without the Lease's (goal 0);"
                    + " Lease renewals: %d requests, %.1f per minute%n", minutes, atRest.size(), others.size() / minutes,
                    leases.size(), leases.size() / minutes);
            print(RequestCounter.byKind(atRest));
            System.out.println("per minute of the window (all but the Lease's):");
            // Whole minutes; the window's last few milliseconds go to its last minute.
            long minuteCount = Math.max(1, Math.round(minutes));
            for (long m = 0; m < minuteCount; m++) {
                long start = from + m * 60_000_000_000L;
                long end = m == minuteCount - 1 ? to : start + 60_000_000_000L;
                List<RequestCounter.Request> minute = counter.between(start, end).stream()
                        .filter(r -> !r.kind().contains(LEASES)).toList();
                System.out.printf("  minute %d: %d %s%n", m + 1, minute.size(), RequestCounter.byKind(minute));
            }
            heap(operator.pid(), "after the window");
            Map<String, String> after = versions();
            long changed = before.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
            System.out.printf("resources written while the operator ran: %d of %d (resourceVersion changed)%n", changed,
                    before.size());
        } finally {
            operator.destroy();
            if (!operator.waitFor(30, TimeUnit.SECONDS)) {
                operator.destroyForcibly();
            }
        }
    }

    private static void print(Map<String, Integer> counts) {
        counts.forEach((kind, count) -> System.out.printf("  %6d  %s%n", count, kind));
    }

    /** Live heap after a full GC (GC.class_histogram runs one), the heap's committed size, and the RSS. */
    private static void heap(long pid, String when) throws IOException, InterruptedException {
        String histogram = jcmd(pid, "GC.class_histogram");
        Matcher total = TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IllegalStateException("no Total in GC.class_histogram:\n" + histogram);
        }
        String info = jcmd(pid, "GC.heap_info");
        String rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
        System.out.printf("heap (%s): live objects after a full GC %.1f MiB (%s instances; goal <= 256 MiB); %s%n", when,
                Long.parseLong(total.group(2)) / 1048576.0, total.group(1), rss);
        info.lines().filter(line -> !line.isBlank() && !line.matches("^\\d+:$")).limit(4)
                .forEach(line -> System.out.println("  " + line.strip()));
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + ": " + output);
        }
        return output;
    }

    private static void awaitOrFail(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("not done within " + timeout);
            }
            Thread.sleep(5_000);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
