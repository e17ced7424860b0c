package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code dbmigrate-runner backup | rehearse | upgrade | plan | stamp | current}: the entrypoint of the migrations image.
 *
 * <p>The connection comes from libpq's environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD,
 * PGSSLMODE); the password is never an option, so it never shows in a pod spec's args or in {@code ps}. Every command
 * writes a {@link RunnerResult} as JSON to {@code $DBMIGRATE_RESULT_PATH} (default {@value #DEFAULT_RESULT_PATH}),
 * prints one summary line on stdout, logs {@code key=value} lines on stderr and exits with its {@link ExitCode}.
 * rehearse and backup also leave it in their {@link PodFile} for the upgrade in the next container. Each command is a
 * {@link RunnerCommand}; this class parses the command line, runs the command and reports its result.
 */
@Command(name = "dbmigrate-runner", mixinStandardHelpOptions = true, version = "dbmigrate-runner 0.1.0",
        scope = ScopeType.INHERIT, // every command has the standard --help and --version
        description = "Backs up and migrates one PostgreSQL database with Alembic. Connection from PG* variables.",
        subcommands = {BackupCommand.class, RehearseCommand.class, UpgradeCommand.class, PlanCommand.class,
                StampCommand.class, CurrentCommand.class})
public final class RunnerMain {

    public static final String DEFAULT_RESULT_PATH = "/dev/termination-log";

    public static void main(String[] args) {
        int code;
        // SIGINT/SIGTERM: the hook stops the children and waits for execute to report Interrupted, then exits 130.
        try (Interruption interruption = Interruption.install(Thread.currentThread())) {
            code = execute(args, System.getenv(), System.out, System.err);
            System.out.flush();
            System.err.flush();
        }
        System.exit(code);
    }

    /** Everything {@link #main} does except exiting: returns the exit code. */
    public static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        // A backup's first step is its connection, 0.1-0.2 s in a fresh JVM; picocli's model of the commands, built
        // next, costs about 0.1 s too. Opened from here on a thread of its own, the two overlap. The connection is only
        // used once the input has been checked, and closed here when it was not (see EarlyConnection).
        try (EarlyConnection connection = EarlyConnection.beforeParsing(args, env)) {
            return execute(args, env, out, err, connection);
        }
    }

    private static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err,
                               EarlyConnection connection) {
        CommandLine commandLine = new CommandLine(new RunnerMain());
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        String command = null;
        RunnerCommand selected = null;
        RunnerResult result;
        try {
            ParseResult parsed;
            try {
                parsed = commandLine.parseArgs(args);
            } catch (ParameterException e) {
                CommandLine failing = e.getCommandLine();
                if (failing != null && failing != commandLine) {
                    command = failing.getCommandName();
                    selected = failing.getCommand();
                }
                throw new RunnerException(ExitCode.BAD_INPUT, e.getMessage()
                        + " (see dbmigrate-runner " + (command == null ? "" : command + " ") + "--help)");
            }
            if (CommandLine.printHelpIfRequested(parsed)) {
                commandLine.getOut().flush();
                return ExitCode.OK.code(); // usage went to stdout; nothing happened, nothing to report
            }
            if (!parsed.hasSubcommand()) {
                throw new RunnerException(ExitCode.BAD_INPUT,
                        "a command is required: backup, rehearse, upgrade, plan, stamp or current");
            }
            CommandSpec spec = parsed.subcommand().commandSpec();
            command = spec.name();
            selected = (RunnerCommand) spec.userObject();
            selected.validateOptions();
            ConnectionSettings settings = ConnectionSettings.fromEnvironment(env);
            Tools tools = Tools.fromEnvironment(env);
            err.println(KeyValueLog.line("info", "starting", "command", command, "database", settings.database(),
                    "host", settings.host(), "port", settings.port(), "user", settings.user()));
            result = selected.run(new RunnerCommand.Invocation(command, settings, tools, Clock.systemUTC(), env,
                    out, err, connection));
        } catch (RunnerException e) {
            result = e.result(command).withMessage(redact(e.getMessage(), env));
        } catch (RuntimeException | Error e) {
            String message = e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            result = RunnerResult.of(command, ExitCode.UNEXPECTED, redact(message, env));
        }
        // An interrupt left pending would make the result file's (interruptible) channel refuse to write.
        Thread.interrupted();
        if (Interruption.requested() && result.exitCode() != ExitCode.OK.code()) {
            // Whatever failed, failed because the process was told to stop; what finished before stays as it was.
            result = result.as(ExitCode.INTERRUPTED);
        }
        report(result, selected == null ? null : selected.podFile(env), env, out, err);
        return result.exitCode();
    }

    private static void report(RunnerResult result, PodFile podFile, Map<String, String> env, PrintStream out,
                               PrintStream err) {
        String json = RunnerJson.write(result);
        writeResult(json, env, err);
        if (podFile != null) {
            podFile.write(json, err);
        }
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
}
