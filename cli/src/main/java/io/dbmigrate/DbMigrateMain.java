package io.dbmigrate;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.LintSpec;
import io.dbmigrate.api.v1alpha1.RolloutGateSpec;
import io.dbmigrate.api.v1alpha1.RolloutSpec;
import io.dbmigrate.api.v1alpha1.SetPhase;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.TargetSpec;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.fleet.ChildFactory;
import io.dbmigrate.fleet.TargetGenerator;
import io.dbmigrate.local.LocalConnection;
import io.dbmigrate.local.LocalProgress;
import io.dbmigrate.local.LocalRun;
import io.dbmigrate.local.LocalSetRun;
import io.dbmigrate.local.ManifestReader;
import io.dbmigrate.local.Preview;
import io.dbmigrate.local.RunSummary;
import io.dbmigrate.local.SetSummary;
import io.dbmigrate.operator.OperatorRuntime;
import io.dbmigrate.operator.runtime.LeaderElection;
import io.dbmigrate.operator.runtime.OperatorHttpServer;
import io.dbmigrate.operator.runtime.StartFailure;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.Interruption;
import io.dbmigrate.runner.Tools;
import io.dbmigrate.validate.SetValidator;
import io.dbmigrate.validate.SpecValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `dbmigrate operator` runs the operator against the current kubeconfig; `dbmigrate run` runs a manifest locally. */
@Command(name = "dbmigrate", mixinStandardHelpOptions = true, version = "dbmigrate 0.1.0",
        description = "Migrates PostgreSQL databases with Alembic, backup first.",
        subcommands = {DbMigrateMain.OperatorCommand.class, DbMigrateMain.RunCommand.class,
                CommandLine.HelpCommand.class})
public final class DbMigrateMain {
    /** Exit codes of `dbmigrate run`. */
    public static final int SUCCEEDED = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    /** Stopped by SIGINT (Ctrl-C) or SIGTERM: status says Interrupted, nothing left half done. */
    public static final int INTERRUPTED = ExitCode.INTERRUPTED.code();

    public static void main(String[] args) {
        System.exit(execute(args, System.getenv(), System.out, System.err));
    }

    public static int execute(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new DbMigrateMain(), new Factory(environment, out, err));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExitCodeExceptionMapper(e -> BAD_INPUT);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            err.println("dbmigrate: " + e.getMessage());
            e.getCommandLine().usage(err);
            return BAD_INPUT;
        });
        return commandLine.execute(args);
    }

    /** Runs the operator until the process is stopped. */
    @Command(name = "operator", mixinStandardHelpOptions = true,
            description = "Run the operator against the current kubeconfig (or in-cluster configuration).")
    static final class OperatorCommand implements Callable<Integer> {
        @Option(names = "--namespace", split = ",", paramLabel = "NS",
                description = "Namespaces to watch (repeatable or comma-separated). Default: $WATCH_NAMESPACES, else all.")
        List<String> namespaces;

        @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + OperatorHttpServer.DEFAULT_PORT,
                description = "Port of /healthz, /readyz and /metrics (0: any free port). Default: ${DEFAULT-VALUE}.")
        int httpPort;

        @Option(names = "--leader-election", description = "Reconcile only while holding a coordination.k8s.io Lease, "
                + "so that several replicas can run. Default: off, or $LEADER_ELECTION=true.")
        Boolean leaderElection;

        @Option(names = "--lease-namespace", paramLabel = "NS",
                description = "Namespace of the Lease. Default: $POD_NAMESPACE, else the kubeconfig's namespace.")
        String leaseNamespace;

        @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = LeaderElection.DEFAULT_LEASE_NAME,
                description = "Name of the Lease. Default: ${DEFAULT-VALUE}.")
        String leaseName;

        private final Map<String, String> environment;

        private final PrintStream err;

        OperatorCommand(Map<String, String> environment, PrintStream err) {
            this.environment = environment;
            this.err = err;
        }

        @Override
        public Integer call() throws InterruptedException {
            Set<String> watched = new LinkedHashSet<>();
            if (namespaces != null) {
                watched.addAll(namespaces);
            } else if (environment.get("WATCH_NAMESPACES") != null && !environment.get("WATCH_NAMESPACES").isBlank()) {
                Arrays.stream(environment.get("WATCH_NAMESPACES").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .forEach(watched::add);
            }
            KubernetesClient client = new KubernetesClientBuilder().build();
            String server = client.getConfiguration().getMasterUrl();
            OperatorRuntime runtime = null;
            OperatorHttpServer http = null;
            try {
                // Fail in seconds with the address tried, rather than wait out the informers' start-up timeout.
                String version = client.getKubernetesVersion().getGitVersion();
                // A missing CRD is a 404 here, named as such, rather than an informer's failure later.
                ListOptions one = new ListOptionsBuilder().withLimit(1L).build();
                if (watched.isEmpty()) {
                    client.resources(DatabaseMigration.class).inAnyNamespace().list(one);
                } else {
                    client.resources(DatabaseMigration.class).inNamespace(watched.iterator().next()).list(one);
                }
                Optional<LeaderElection> election = leaderElection();
                err.println("dbmigrate: API server " + server + " (Kubernetes " + version + "), namespaces "
                        + (watched.isEmpty() ? "all" : String.join(",", watched))
                        + election.map(e -> ", leader election on Lease " + (e.leaseNamespace() == null ? "" : e.leaseNamespace() + "/")
                                + e.leaseName() + " as " + e.identity()).orElse(""));
                runtime = OperatorRuntime.create(client, watched, Clock.systemUTC(), election);
                // Listening before the informers sync: the probes then say "not ready" instead of refusing connections.
                http = OperatorHttpServer.start(new InetSocketAddress(httpPort), runtime);
                err.println("dbmigrate: /healthz, /readyz and /metrics on port " + http.port());
                runtime.start();
            } catch (RuntimeException e) {
                if (http != null) {
                    http.close();
                }
                if (runtime != null) {
                    runtime.close();
                }
                err.println("dbmigrate: " + StartFailure.describe(server, client.getConfiguration().getFile(), e));
                client.close();
                return FAILED;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            OperatorRuntime started = runtime;
            OperatorHttpServer listening = http;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                listening.close();
                client.close();
                stopped.countDown();
            }, "dbmigrate-shutdown"));
            stopped.await();
            return 0;
        }

        private Optional<LeaderElection> leaderElection() {
            boolean enabled = leaderElection != null ? leaderElection
                    : "true".equalsIgnoreCase(String.valueOf(environment.get("LEADER_ELECTION")).strip());
            if (!enabled) {
                return Optional.empty();
            }
            String namespace = leaseNamespace != null ? leaseNamespace : blankToNull(environment.get("POD_NAMESPACE"));
            // The pod's name tells in the Lease which replica leads; HOSTNAME is the same in a pod.
            String identity = Optional.ofNullable(blankToNull(environment.get("POD_NAME")))
                    .or(() -> Optional.ofNullable(blankToNull(environment.get("HOSTNAME"))))
                    .orElseGet(() -> UUID.randomUUID().toString());
            // Exit from a thread of its own: the shutdown hook then stops the operator while this one returns.
            return Optional.of(LeaderElection.withDefaultTimings(leaseName, namespace, identity,
                    () -> new Thread(() -> System.exit(FAILED), "dbmigrate-lease-lost").start()));
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }

    /** Runs one manifest without a cluster. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a DatabaseMigration manifest without a cluster: back the database up, verify the backup, "
                    + "upgrade it with Alembic, and print the result (-o yaml: the resource as `kubectl get -o yaml` would).",
                    "A DatabaseMigrationSet (list generators only) rolls out as the operator would: the canary, the gate "
                            + "(--approve canary), then the rest maxParallel at once; a line per target as it ends, then a summary.",
                    "Exit codes: 0 succeeded or stopped at a closed gate, 1 failed (a set: any target failed, or it halted), 2 bad "
                            + "input, 130 interrupted (Ctrl-C)."})
    static final class RunCommand implements Callable<Integer> {
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "The manifest: a DatabaseMigration or a DatabaseMigrationSet.")
        Path file;

        @Option(names = "--migrations", paramLabel = "DIR",
                description = "Folder holding alembic.ini; stands in for the image's spec.migrations.path. "
                        + "Default: spec.migrations.path when it exists on this machine.")
        Path migrations;

        @Option(names = "--backup-dir", paramLabel = "DIR", defaultValue = "dbmigrate-backups",
                description = "Where dumps are written (created if missing). Default: ${DEFAULT-VALUE}.")
        Path backupDirectory;

        @Option(names = "--approve", paramLabel = "STEP",
                description = "Approve this step (repeatable) on the plan this run prints, as the dbmigrate.io/approve "
                        + "annotation does in a cluster once the plan is published (an approval gate's, or under "
                        + "spec.safety.lint.mode Block any step's). A deploymentRollout gate cannot open without "
                        + "a cluster. For a set, canary opens its approval gate once the canary succeeded.")
        List<String> approvals = new ArrayList<>();

        @Option(names = "--now", paramLabel = "INSTANT",
                description = "Preview only: say what a run at this time (RFC 3339, e.g. 2026-11-28T02:30:00Z) would do with "
                        + "each step's gates (maintenance windows, approvals), and run nothing: no connection, no backup, no write.")
        String now;

        @Option(names = "--database-url", paramLabel = "URL",
                description = "postgresql://[USER[:PASSWORD]@]HOST[:PORT][/DB][?sslmode=MODE]; overrides the manifest and PG* "
                        + "variables. PORT defaults to 5432 (not the manifest's); DB and sslmode to the manifest's. Read strictly: "
                        + "a bad port or an unknown parameter is refused. Prefer PGPASSWORD to a password in the URL.")
        String databaseUrl;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
                description = "yaml: print the resource with its status as `kubectl get -o yaml` would. Default: a short "
                        + "result (outcome, failing revision and error, where the database and the backup are).")
        String output;

        @Option(names = "--rehearsal-database-url", paramLabel = "URL",
                description = "postgresql://USER[:PASSWORD]@HOST[:PORT][/DB][?sslmode=MODE]: the server of "
                        + "spec.rehearsal.database (its credentialsSecret cannot be read without a cluster); overrides what the "
                        + "manifest says of it. Required when the manifest names a rehearsal server.")
        String rehearsalDatabaseUrl;

        private final Map<String, String> environment;
        private final PrintStream out;
        private final PrintStream err;

        RunCommand(Map<String, String> environment, PrintStream out, PrintStream err) {
            this.environment = environment;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            DatabaseMigration resource;
            ConnectionSettings connection;
            ConnectionSettings rehearsalConnection;
            if (output != null && !output.equals("yaml")) {
                err.println("dbmigrate: --output " + output + ": the only format is yaml (without -o: a short result)");
                return BAD_INPUT;
            }
            try {
                HasMetadata manifest = ManifestReader.readResource(file);
                if (manifest instanceof DatabaseMigrationSet set) {
                    return runSet(set);
                }
                resource = (DatabaseMigration) manifest;
                List<String> problems = SpecValidator.problems(resource);
                if (!problems.isEmpty()) {
                    problems.forEach(problem -> err.println("dbmigrate: " + file + ": " + problem));
                    return BAD_INPUT;
                }
                // Under lint mode Block every step's plan may wait for an approval, as at an approval gate.
                boolean lintBlocks = resource.getSpec().lintOrDefault().modeOrDefault() == LintSpec.LintMode.Block;
                List<String> gated = resource.getSpec().stepsOrSingle().stream()
                        .filter(step -> lintBlocks || (step.gate() != null && step.gate().approval() != null))
                        .map(StepSpec::name).toList();
                for (String step : approvals) {
                    if (!gated.contains(step)) {
                        err.println("dbmigrate: --approve " + step + ": no step of " + file + " by that name has an approval gate"
                                + (gated.isEmpty() ? "" : " (steps with one: " + String.join(", ", gated) + ")"));
                        return BAD_INPUT;
                    }
                }
                if (now != null) {
                    return preview(resource);
                }
                connection = LocalConnection.resolve(resource.getSpec().database(), environment, databaseUrl);
                rehearsalConnection = rehearsalConnection(resource.getSpec(), connection);
            } catch (ManifestReader.ManifestException | RunnerException e) {
                err.println("dbmigrate: " + e.getMessage());
                return BAD_INPUT;
            }
            Path project = project(resource.getSpec());
            if (project == null) {
                return BAD_INPUT;
            }
            Clock clock = Clock.systemUTC();
            PrintStream progress = LocalProgress.to(err);
            LocalRun run = new LocalRun(connection, rehearsalConnection, Tools.fromEnvironment(environment),
                    project.toAbsolutePath(), backupDirectory.toAbsolutePath(), clock, progress);
            try {
                run.checkTargets(resource);
            } catch (RunnerException e) {
                progress.close();
                err.println("dbmigrate: " + file + ": " + e.getMessage());
                return e.exitCode() == ExitCode.BAD_INPUT ? BAD_INPUT : FAILED;
            }
            Files.createDirectories(backupDirectory);
            LocalRun.defaultMetadata(resource);
            err.println("dbmigrate: " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName()
                    + ": " + connection.describe() + ", steps " + String.join(", ", resource.getSpec().stepsOrSingle().stream()
                    .map(step -> step.name() + " -> " + step.targetRevision()).toList()));
            // Ctrl-C (SIGINT) or SIGTERM: the hook stops Alembic, the run records Interrupted and releases the lock, and the
            // process exits 130 once the result is printed.
            try (Interruption interruption = Interruption.install(Thread.currentThread())) {
                DatabaseMigration finished;
                try {
                    finished = run.run(resource, Set.copyOf(approvals));
                } finally {
                    progress.close();
                }
                Thread.interrupted(); // handled: the output below must not be cut short by a pending interrupt
                if ("yaml".equals(output)) {
                    out.print(new KubernetesSerialization().asYaml(finished));
                } else {
                    RunSummary.of(finished, connection).forEach(out::println);
                }
                out.flush();
                err.flush();
                if (Interruption.requested()) {
                    return INTERRUPTED;
                }
                // A closed gate is not a failure: the next steps wait for an approval (or for a cluster).
                return LocalRun.succeeded(finished) || LocalRun.awaitingGate(finished) ? SUCCEEDED : FAILED;
            }
        }

        // spec.rehearsal.database is honoured through --rehearsal-database-url, never silently replaced by the database's
        // own server: a rehearsal meant for a scratch server must not run CREATE DATABASE next to production.
        /** @param connection the migrated database's, returned when the rehearsal is on its server (null for a set's) */
        private ConnectionSettings rehearsalConnection(DatabaseMigrationSpec spec, ConnectionSettings connection)
                throws RunnerException {
            boolean rehearses = spec.stepsOrSingle().stream().anyMatch(step -> spec.rehearsalOf(step).required());
            DatabaseSpec server = spec.rehearsal() == null ? null : spec.rehearsal().database();
            if (rehearsalDatabaseUrl == null) {
                if (rehearses && server != null) {
                    throw new RunnerException(ExitCode.BAD_INPUT, file + ": spec.rehearsal.database names the server "
                            + server.host() + ":" + server.portOrDefault() + " to rehearse on, whose credentialsSecret cannot be "
                            + "read without a cluster: give --rehearsal-database-url postgresql://USER@" + server.host() + ":"
                            + server.portOrDefault() + "/" + server.name() + " (or remove spec.rehearsal.database to rehearse on "
                            + "the migrated database's own server)");
                }
                return connection;
            }
            if (!rehearses) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--rehearsal-database-url: no step of " + file
                        + " rehearses (spec.rehearsal.mode: Required)");
            }
            // The copy is migrated in the target's schema, wherever it is restored (as the Job's rehearse container).
            return LocalConnection.resolveRehearsal(server, rehearsalDatabaseUrl).withSchema(connection.schema());
        }

        // The Alembic project: --migrations, else spec.migrations.path; null (said on stderr) without an alembic.ini.
        private Path project(DatabaseMigrationSpec spec) {
            Path project = migrations != null ? migrations : Path.of(spec.migrations().pathOrDefault());
            if (!Files.isRegularFile(project.resolve("alembic.ini"))) {
                err.println("dbmigrate: --migrations: no alembic.ini in " + project
                        + (migrations == null ? " (spec.migrations.path; give --migrations DIR)" : ""));
                return null;
            }
            return project.toAbsolutePath();
        }

        /**
         * A DatabaseMigrationSet: its targets rolled out in process by the operator's planner ({@link LocalSetRun}), each
         * as a single run would migrate it. Everything a cluster alone can give (Secrets) is refused before any work.
         */
        private int runSet(DatabaseMigrationSet set) throws RunnerException, java.io.IOException {
            List<String> problems = SetValidator.problems(set);
            if (!problems.isEmpty()) {
                problems.forEach(problem -> err.println("dbmigrate: " + file + ": " + problem));
                return BAD_INPUT;
            }
            List<GeneratorSpec> generators = set.getSpec().generatorsOrEmpty();
            for (int i = 0; i < generators.size(); i++) {
                if (generators.get(i).list() == null) {
                    err.println("dbmigrate: " + file + ": spec.generators[" + i + "]: " + (generators.get(i).secrets() != null
                            ? "a secrets generator reads the namespace's Secrets, which needs a cluster"
                            : "a query generator's catalog credentials are in a Secret, which needs a cluster") + "; to run the set locally, write its targets "
                            + "as a list generator (the user and password come from PGUSER and PGPASSWORD)");
                    return BAD_INPUT;
                }
            }
            if (databaseUrl != null || now != null) {
                err.println("dbmigrate: " + (databaseUrl != null ? "--database-url: each target of a set names its "
                        + "database; give the user and password with PGUSER and PGPASSWORD" : "--now previews one "
                        + "DatabaseMigration, not a set"));
                return BAD_INPUT;
            }
            RolloutSpec rollout = set.getSpec().rolloutOrDefault();
            boolean canaryGate = rollout.gate() != null && rollout.gate().approvalRequired();
            DatabaseMigrationSpec template = set.getSpec().template();
            boolean lintBlocks = template.lintOrDefault().modeOrDefault() == LintSpec.LintMode.Block;
            List<String> gated = new ArrayList<>(template.stepsOrSingle().stream()
                    .filter(step -> lintBlocks || (step.gate() != null && step.gate().approval() != null))
                    .map(StepSpec::name).toList());
            if (canaryGate) {
                gated.add(0, RolloutGateSpec.CANARY);
            }
            for (String step : approvals) {
                if (!gated.contains(step)) {
                    err.println("dbmigrate: --approve " + step + ": " + file + " has no approval gate by that name (the "
                            + "set's is canary, with spec.rollout.gate.approval; its steps' are theirs)"
                            + (gated.isEmpty() ? "" : "; it has: " + String.join(", ", gated)));
                    return BAD_INPUT;
                }
            }
            LocalRun.defaultMetadata(set);
            List<TargetSpec> targets = TargetGenerator.generate(set).valid();
            Map<String, ConnectionSettings> connections = new LinkedHashMap<>();
            for (TargetSpec target : targets) {
                connections.put(target.name(), LocalConnection.forTarget(target.name(), target.database(), environment));
            }
            ConnectionSettings rehearsal = rehearsalConnection(template, null);
            Path project = project(template);
            if (project == null) {
                return BAD_INPUT;
            }
            Clock clock = Clock.systemUTC();
            Tools tools = Tools.fromEnvironment(environment);
            PrintStream progress = LocalProgress.to(err);
            if (!targets.isEmpty()) {
                // One revision graph for all: every target runs the same scripts to the same revisions.
                ConnectionSettings first = connections.get(targets.get(0).name());
                try {
                    new LocalRun(first, rehearsal == null ? first : rehearsal, tools, project,
                            backupDirectory.toAbsolutePath(), clock, progress)
                            .checkTargets(ChildFactory.child(set, targets.get(0), false));
                } catch (RunnerException e) {
                    progress.close();
                    err.println("dbmigrate: " + file + ": " + e.getMessage().replaceFirst("^spec\\.", "spec.template."));
                    return e.exitCode() == ExitCode.BAD_INPUT ? BAD_INPUT : FAILED;
                }
            }
            Files.createDirectories(backupDirectory);
            err.println("dbmigrate: " + set.getMetadata().getNamespace() + "/" + set.getMetadata().getName() + ": "
                    + targets.size() + " targets, canary " + rollout.canarySize(targets.size()) + ", maxParallel "
                    + rollout.maxParallelOrDefault() + ", maxFailures " + rollout.maxFailuresOrDefault() + ", steps "
                    + String.join(", ", template.stepsOrSingle().stream()
                    .map(step -> step.name() + " -> " + step.targetRevision()).toList()));
            LocalSetRun.TargetRun each = LocalSetRun.inProcess(connections, rehearsal, tools, project,
                    backupDirectory.toAbsolutePath(), clock, err, approvals.stream()
                            .filter(step -> !RolloutGateSpec.CANARY.equals(step) || !canaryGate).collect(
                                    java.util.stream.Collectors.toSet()));
            // With -o yaml, stdout is the set's YAML alone: the lines of the targets go with the progress.
            PrintStream lines = "yaml".equals(output) ? err : out;
            try (Interruption interruption = Interruption.install(Thread.currentThread())) {
                LocalSetRun.Result result;
                try {
                    result = new LocalSetRun(each, clock, progress).run(set, canaryGate
                            && approvals.contains(RolloutGateSpec.CANARY), finished -> lines.println(SetSummary.line(finished)));
                } finally {
                    progress.close();
                }
                Thread.interrupted(); // handled: the output below must not be cut short by a pending interrupt
                if ("yaml".equals(output)) {
                    out.print(new KubernetesSerialization().asYaml(result.set()));
                } else {
                    SetSummary.of(result, rollout.maxFailuresOrDefault()).forEach(out::println);
                }
                out.flush();
                err.flush();
                if (Interruption.requested() || result.interrupted()) {
                    return INTERRUPTED;
                }
                // A closed gate is not a failure; a failed target is, within maxFailures or not.
                return result.status().phase() == SetPhase.Failed || (result.status().failed() != null
                        && result.status().failed() > 0) ? FAILED : SUCCEEDED;
            }
        }

        // A run at a pretended time would write false times into backup names and status: --now only previews.
        private int preview(DatabaseMigration resource) {
            java.time.Instant at;
            try {
                at = java.time.Instant.parse(now.strip());
            } catch (java.time.format.DateTimeParseException e) {
                err.println("dbmigrate: --now " + now + ": not an RFC 3339 instant such as 2026-11-28T02:30:00Z");
                return BAD_INPUT;
            }
            Preview.at(resource.getSpec(), at, Set.copyOf(approvals)).forEach(out::println);
            out.flush();
            return SUCCEEDED;
        }
    }

    /** Hands the commands their environment and streams, so tests run them without System.exit or System.getenv. */
    private record Factory(Map<String, String> environment, PrintStream out, PrintStream err) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == OperatorCommand.class) {
                return type.cast(new OperatorCommand(environment, err));
            }
            if (type == RunCommand.class) {
                return type.cast(new RunCommand(environment, out, err));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
