package io.dbmigrate.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code dbmigrate-runner backup | upgrade | current}: the entrypoint of the migrations image.
 *
 * <p>The connection comes from libpq's environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD,
 * PGSSLMODE); the password is never an option, so it never shows in a pod spec's args or in {@code ps}. Every command
 * writes a {@link RunnerResult} as JSON to {@code $DBMIGRATE_RESULT_PATH} (default {@code /dev/termination-log}),
 * prints one summary line on stdout, logs {@code key=value} lines on stderr and exits with its {@link ExitCode}.
 */
@Command(name = "dbmigrate-runner",
        description = "Backs up and migrates one PostgreSQL database with Alembic. Connection from PG* variables.",
        subcommands = {RunnerMain.BackupCommand.class, RunnerMain.UpgradeCommand.class, RunnerMain.CurrentCommand.class})
public final class RunnerMain {

    public static final String DEFAULT_RESULT_PATH = "/dev/termination-log";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    public static void main(String[] args) {
        System.exit(execute(args, System.getenv(), System.out, System.err));
    }

    /** Everything {@link #main} does except exiting: returns the exit code. */
    public static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Clock clock = Clock.systemUTC();
        CommandLine commandLine = new CommandLine(new RunnerMain());
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        String command = null;
        RunnerResult result;
        try {
            ParseResult parsed;
            try {
                parsed = commandLine.parseArgs(args);
            } catch (ParameterException e) {
                CommandLine failing = e.getCommandLine();
                command = failing == null || failing == commandLine ? null : failing.getCommandName();
                throw new RunnerException(ExitCode.BAD_INPUT, e.getMessage()
                        + " (see dbmigrate-runner " + (command == null ? "" : command + " ") + "--help)");
            }
            if (CommandLine.printHelpIfRequested(parsed)) {
                commandLine.getOut().flush();
                return ExitCode.OK.code(); // usage went to stdout; nothing happened, nothing to report
            }
            if (!parsed.hasSubcommand()) {
                throw new RunnerException(ExitCode.BAD_INPUT, "a command is required: backup, upgrade or current");
            }
            RunnerCommand selected = (RunnerCommand) parsed.subcommand().commandSpec().userObject();
            command = selected.name();
            selected.validateOptions();
            ConnectionSettings settings = ConnectionSettings.fromEnvironment(env);
            Tools tools = Tools.fromEnvironment(env);
            err.println(KeyValueLog.line("info", "starting", "command", command, "database", settings.database(),
                    "host", settings.host(), "port", settings.port(), "user", settings.user()));
            result = selected.run(settings, tools, clock, err);
        } catch (RunnerException e) {
            result = RunnerResult.of(command, e.exitCode(), redact(e.getMessage(), env))
                    .withUpgrade(e.upgradeResult().orElse(null));
        } catch (RuntimeException | Error e) {
            String message = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            result = RunnerResult.of(command, ExitCode.UNEXPECTED, redact(message, env));
        }
        report(result, env, out, err);
        return result.exitCode();
    }

    private static void report(RunnerResult result, Map<String, String> env, PrintStream out, PrintStream err) {
        String json = RunnerJson.write(result);
        writeResult(json, env, err);
        ExitCode code = ExitCode.of(result.exitCode());
        String command = result.command() == null ? "dbmigrate-runner" : result.command();
        if (code == ExitCode.OK) {
            err.println(KeyValueLog.line("info", "finished", "command", command, "reason", result.reason(),
                    "exitCode", result.exitCode()));
            out.println(command + " succeeded: " + result.message());
        } else {
            err.println(KeyValueLog.line("error", result.message(), "command", command, "reason", result.reason(),
                    "exitCode", result.exitCode(), "retryable", code.retryable()));
            out.println(command + " failed: " + result.reason() + " (exit " + result.exitCode() + "): " + result.message());
        }
    }

    /**
     * The default path is the file Kubernetes mounts for the termination message. Outside Kubernetes it does not
     * exist, and we do not create files in /dev: we warn instead. A failure to write is never fatal: the exit code
     * and the logs still tell what happened.
     */
    private static void writeResult(String json, Map<String, String> env, PrintStream err) {
        String configured = env.get("DBMIGRATE_RESULT_PATH");
        boolean byDefault = configured == null || configured.isBlank();
        Path path = Path.of(byDefault ? DEFAULT_RESULT_PATH : configured.trim());
        if (byDefault && !Files.exists(path)) {
            err.println(KeyValueLog.line("warn", "no termination message file, result not written", "path", path));
            return;
        }
        try {
            Files.write(path, json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            err.println(KeyValueLog.line("warn", "cannot write the result", "path", path, "error", e.toString()));
        }
    }

    // Messages come from JDBC drivers and tools we do not control; none should contain the password, and this makes sure.
    private static String redact(String message, Map<String, String> env) {
        String password = env.get("PGPASSWORD");
        if (message == null || password == null || password.isEmpty()) {
            return message;
        }
        return message.replace(password, "****");
    }

    /** A subcommand: its options are picocli fields; it runs once the environment has been read. */
    interface RunnerCommand {
        String name();

        /** Checks the options picocli cannot check, so bad input is reported before anything connects. */
        void validateOptions() throws RunnerException;

        RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, PrintStream err) throws RunnerException;
    }

    @Command(name = "backup", description = "pg_dump -Fc the database into DIR, verify the archive, prune old ones.")
    static final class BackupCommand implements RunnerCommand {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Backup directory (a mounted volume).")
        Path dir;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Owning resource's name; file prefix.")
        String name;

        @Option(names = "--label", required = true, paramLabel = "LABEL", description = "Tag in the file name, e.g. g3.")
        String label;

        @Option(names = "--retain", paramLabel = "N", defaultValue = "5",
                description = "Archives of NAME to keep, the new one included (default: ${DEFAULT-VALUE}).")
        int retain;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return "backup";
        }

        @Override
        public void validateOptions() throws RunnerException {
            request().validate("--dir", "--name", "--label", "--retain");
        }

        private BackupRequest request() {
            return new BackupRequest(dir, name, label, retain);
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, PrintStream err)
                throws RunnerException {
            BackupResult b = Backup.run(settings, tools, request(), clock);
            err.println(KeyValueLog.line("info", "backup written", "file", b.file(), "sizeBytes", b.sizeBytes(),
                    "sha256", b.sha256(), "revision", b.revision(), "verified", b.verified(),
                    "pruned", String.join(",", b.pruned())));
            String message = "backup of database '" + settings.database() + "' at revision " + b.revision()
                    + " written to " + b.file() + " (" + b.sizeBytes() + " bytes, verified"
                    + (b.pruned().isEmpty() ? "" : ", pruned " + b.pruned().size() + " old") + ")";
            return RunnerResult.of(name(), ExitCode.OK, message).withBackup(b);
        }
    }

    @Command(name = "upgrade", description = "alembic upgrade TARGET under the database's migration lock.")
    static final class UpgradeCommand implements RunnerCommand {
        @Option(names = "--migrations", required = true, paramLabel = "DIR", description = "Directory with alembic.ini.")
        Path migrations;

        @Option(names = "--target", required = true, paramLabel = "REV", description = "Alembic revision spec, e.g. head.")
        String target;

        @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "1s",
                description = "PostgreSQL lock_timeout for the migration; 0s for none (default: ${DEFAULT-VALUE}).")
        String lockTimeout;

        @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "5m",
                description = "How long to wait for another migration of the database (default: ${DEFAULT-VALUE}).")
        String lockWait;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return "upgrade";
        }

        @Override
        public void validateOptions() throws RunnerException {
            request().validate();
        }

        private UpgradeRequest request() throws RunnerException {
            RevisionSpec.validate("--target", target);
            return new UpgradeRequest(migrations, target, Durations.parse("--lock-timeout", lockTimeout),
                    Durations.parse("--lock-wait", lockWait));
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, PrintStream err)
                throws RunnerException {
            UpgradeResult u = Upgrade.run(settings, tools, request(), clock, err);
            err.println(KeyValueLog.line("info", "upgrade finished", "from", u.fromRevision(), "to", u.toRevision(),
                    "applied", String.join(",", u.appliedRevisions())));
            String message = u.appliedRevisions().isEmpty() && u.fromRevision().equals(u.toRevision())
                    ? "database '" + settings.database() + "' already at " + u.toRevision() + " (target " + u.target() + ")"
                    : "database '" + settings.database() + "' upgraded from " + u.fromRevision() + " to " + u.toRevision()
                    + (u.appliedRevisions().isEmpty() ? "" : " (applied " + String.join(", ", u.appliedRevisions()) + ")");
            return RunnerResult.of(name(), ExitCode.OK, message).withUpgrade(u);
        }
    }

    @Command(name = "current", description = "Print the database's Alembic revision(s).")
    static final class CurrentCommand implements RunnerCommand {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return "current";
        }

        @Override
        public void validateOptions() {
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, PrintStream err)
                throws RunnerException {
            List<String> revisions;
            try (Connection c = settings.open()) {
                revisions = Revisions.current(c);
            } catch (SQLException e) {
                throw ConnectionSettings.classify(e, "reading the Alembic revision of " + settings.describe());
            }
            return RunnerResult.of(name(), ExitCode.OK, "database '" + settings.database() + "' is at revision "
                    + Revisions.describe(revisions)).withRevisions(revisions);
        }
    }
}
