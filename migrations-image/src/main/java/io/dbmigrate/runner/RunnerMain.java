package io.dbmigrate.runner;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code dbmigrate-runner backup | rehearse | upgrade | plan | stamp | current}: the entrypoint of the migrations image.
 *
 * <p>The connection comes from libpq's environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD,
 * PGSSLMODE); the password is never an option, so it never shows in a pod spec's args or in {@code ps}. Every command
 * writes a {@link RunnerResult} as JSON to {@code $DBMIGRATE_RESULT_PATH} (default {@code /dev/termination-log}),
 * prints one summary line on stdout, logs {@code key=value} lines on stderr and exits with its {@link ExitCode}.
 * {@code rehearse} also writes it to {@code $DBMIGRATE_REHEARSAL_FILE} (default {@value #DEFAULT_REHEARSAL_FILE}),
 * where {@code upgrade --window-closes-at} in the next container of the same pod finds the step's measured duration,
 * and {@code backup} to {@code $DBMIGRATE_BACKUP_FILE} (default {@value #DEFAULT_BACKUP_FILE}), where
 * {@code upgrade --expect-backup} finds the revision the backup was taken at.
 */
@Command(name = "dbmigrate-runner",
        description = "Backs up and migrates one PostgreSQL database with Alembic. Connection from PG* variables.",
        subcommands = {RunnerMain.BackupCommand.class, RunnerMain.RehearseCommand.class,
                RunnerMain.UpgradeCommand.class, RunnerMain.PlanCommand.class, RunnerMain.StampCommand.class,
                RunnerMain.CurrentCommand.class})
public final class RunnerMain {

    public static final String DEFAULT_RESULT_PATH = "/dev/termination-log";
    /** The pod's containers share /tmp (an emptyDir): rehearse writes its result here, upgrade reads it. */
    public static final String DEFAULT_REHEARSAL_FILE = "/tmp/dbmigrate-rehearsal.json";
    public static final String REHEARSAL_FILE_VARIABLE = "DBMIGRATE_REHEARSAL_FILE";
    /** Likewise for backup's result: upgrade --expect-backup reads the revision the backup was taken at. */
    public static final String DEFAULT_BACKUP_FILE = "/tmp/dbmigrate-backup.json";
    public static final String BACKUP_FILE_VARIABLE = "DBMIGRATE_BACKUP_FILE";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

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
                throw new RunnerException(ExitCode.BAD_INPUT,
                        "a command is required: backup, rehearse, upgrade, plan, stamp or current");
            }
            RunnerCommand selected = (RunnerCommand) parsed.subcommand().commandSpec().userObject();
            command = selected.name();
            selected.validateOptions();
            ConnectionSettings settings = ConnectionSettings.fromEnvironment(env);
            Tools tools = Tools.fromEnvironment(env);
            err.println(KeyValueLog.line("info", "starting", "command", command, "database", settings.database(),
                    "host", settings.host(), "port", settings.port(), "user", settings.user()));
            result = selected.run(settings, tools, clock, env, out, err);
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
        report(result, env, out, err);
        return result.exitCode();
    }

    private static void report(RunnerResult result, Map<String, String> env, PrintStream out, PrintStream err) {
        String json = RunnerJson.write(result);
        writeResult(json, env, err);
        if (RehearseCommand.NAME.equals(result.command())) {
            writePodFile(rehearsalFile(env), "rehearsal", json, err);
        }
        if (BackupCommand.NAME.equals(result.command())) {
            writePodFile(backupFile(env), "backup", json, err);
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

    /**
     * In a pod, /tmp is the emptyDir its containers share. Where TMPDIR names another folder (a process on a host, as
     * the test kubelet runs containers), the file goes there: a host's /tmp is shared by everything on it, and a
     * rehearsal of one pod must never be read by another.
     */
    static Path rehearsalFile(Map<String, String> env) {
        return podFile(env, REHEARSAL_FILE_VARIABLE, DEFAULT_REHEARSAL_FILE);
    }

    /** Where backup leaves its result for upgrade --expect-backup; chosen as {@link #rehearsalFile}. */
    static Path backupFile(Map<String, String> env) {
        return podFile(env, BACKUP_FILE_VARIABLE, DEFAULT_BACKUP_FILE);
    }

    private static Path podFile(Map<String, String> env, String variable, String fallback) {
        String configured = env.get(variable);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String tmp = env.get("TMPDIR");
        return tmp == null || tmp.isBlank() ? Path.of(fallback)
                : Path.of(tmp.trim()).resolve(Path.of(fallback).getFileName());
    }

    /** Also after a failure: the file then says why, and holds nothing the upgrade could use. */
    private static void writePodFile(Path path, String what, String json, PrintStream err) {
        try {
            Files.write(path, json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            err.println(KeyValueLog.line("warn", "cannot write the " + what + " file", "path", path,
                    "error", e.toString()));
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

        /**
         * @param out for what the command prints besides its summary line (plan's SQL); the summary comes after it
         */
        RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                         PrintStream out, PrintStream err) throws RunnerException;
    }

    /**
     * The lock-safety options' defaults, from {@link LockSafety}'s constants, so the help text and the behaviour
     * cannot drift apart.
     */
    static final class SafetyDefaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (!(argSpec instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--lock-timeout" -> Durations.format(LockSafety.DEFAULT_LOCK_TIMEOUT);
                case "--lock-retries" -> Integer.toString(LockSafety.DEFAULT_LOCK_RETRIES);
                case "--statement-timeout" -> Durations.format(LockSafety.DEFAULT_STATEMENT_TIMEOUT);
                case "--lock-wait" -> Durations.format(LockSafety.DEFAULT_LOCK_WAIT);
                case "--on-failure" -> OnFailure.HALT.name().toLowerCase(Locale.ROOT);
                default -> null;
            };
        }
    }

    @Command(name = "backup", description = "pg_dump -Fc the database into DIR, verify the archive, prune old ones.")
    static final class BackupCommand implements RunnerCommand {
        static final String NAME = "backup";

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Backup directory (a mounted volume).")
        Path dir;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Owning resource's name; file prefix.")
        String name;

        @Option(names = "--label", required = true, paramLabel = "LABEL", description = "Tag in the file name, e.g. g3.")
        String label;

        @Option(names = "--retain", paramLabel = "N", defaultValue = "5",
                description = "Archives of NAME to keep, the new one included (default: ${DEFAULT-VALUE}).")
        int retain;

        @Option(names = "--migrations", paramLabel = "DIR",
                description = "With --target: directory with alembic.ini, whose revisions --target is checked against.")
        Path migrations;

        @Option(names = "--target", paramLabel = "REV",
                description = "With --migrations: the revision the upgrade after this backup goes to. One the scripts"
                        + " do not have is exit 2 InvalidInput before anything is dumped.")
        String target;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public void validateOptions() throws RunnerException {
            request().validate("--dir", "--name", "--label", "--retain");
            if ((migrations == null) != (target == null)) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--migrations and --target go together");
            }
            if (target != null) {
                RevisionSpec.validate("--target", target);
            }
        }

        private BackupRequest request() {
            return new BackupRequest(dir, name, label, retain);
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
            if (target != null) {
                // A dump taken for an upgrade that cannot run is time (and a retained slot) lost: refuse first.
                RevisionGraph.checkTarget(tools, Upgrade.migrationsDirectory(migrations), target,
                        line -> err.println("alembic: " + settings.redact(line)));
            }
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

    @Command(name = RehearseCommand.NAME, defaultValueProvider = SafetyDefaults.class,
            description = {"Restore the newest archive of NAME labelled LABEL in DIR into a scratch database on the"
                    + " server in PG* (PGDATABASE is only the maintenance database; the user needs CREATEDB), run the"
                    + " upgrade there as upgrade would (same options, verification included), with --round-trip"
                    + " downgrade back and upgrade again, then drop the copy. Production is not touched. Exit 26"
                    + " RehearsalFailed when the step fails on the copy."})
    static final class RehearseCommand implements RunnerCommand {
        static final String NAME = "rehearse";

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Backup directory (a mounted volume).")
        Path dir;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Owning resource's name; file prefix.")
        String name;

        @Option(names = "--label", required = true, paramLabel = "LABEL",
                description = "The label of the archive to restore, as backup --label wrote it (the newest one).")
        String label;

        @Mixin
        UpgradeOptions upgrade = new UpgradeOptions();

        @Option(names = "--round-trip",
                description = "After the upgrade, downgrade the copy back to where it started and upgrade it again.")
        boolean roundTrip;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public void validateOptions() throws RunnerException {
            request().validate("--dir", "--name", "--label");
        }

        /** The copy is thrown away: nothing to take back after a failure (halt), and no window. */
        RehearsalRequest request() throws RunnerException {
            return new RehearsalRequest(null, dir, name, label, upgrade.request(OnFailure.HALT), roundTrip);
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
            RehearsalResult r = Rehearsal.run(settings, tools, request(), clock, err);
            return RunnerResult.of(name(), ExitCode.OK, Rehearsal.summary(r)).withRehearsal(r);
        }
    }

    /** The options upgrade and rehearse share: what to migrate to, how patiently, and what must hold afterwards. */
    static final class UpgradeOptions {
        @Option(names = "--migrations", required = true, paramLabel = "DIR", description = "Directory with alembic.ini.")
        Path migrations;

        @Option(names = "--target", required = true, paramLabel = "REV", description = "Alembic revision spec, e.g. head.")
        String target;

        @Option(names = "--lock-timeout", paramLabel = "DURATION",
                description = "PostgreSQL lock_timeout for the migration's statements; 0s for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String lockTimeout;

        @Option(names = "--lock-retries", paramLabel = "N",
                description = "Runs of the migration again after a lock timeout, with jittered exponential backoff"
                        + " from 100ms up to 10s; 0 to 100 (default: ${DEFAULT-VALUE}).")
        int lockRetries;

        @Option(names = "--statement-timeout", paramLabel = "DURATION",
                description = "PostgreSQL statement_timeout for the migration's statements; 0s for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String statementTimeout;

        @Option(names = "--lock-wait", paramLabel = "DURATION",
                description = "How long to wait for another migration of the database (default: ${DEFAULT-VALUE}).")
        String lockWait;

        @Option(names = "--verify", paramLabel = "NAME=SQL",
                description = "A query that must return one row with true after the upgrade, run read-only;"
                        + " repeatable, run in order. Split at the first '='.")
        List<String> verify = new ArrayList<>();

        @Option(names = "--allow-downgrade",
                description = "Allow a TARGET below the current revision (alembic downgrade TARGET).")
        boolean allowDowngrade;

        @Option(names = "--expect-from", paramLabel = "REVS",
                description = "Run only when the database is at exactly these revision(s), as a plan's fromRevision"
                        + " shows them (base, ae1027a6acf, or heads joined with ','); otherwise exit 25 PlanOutdated"
                        + " and run nothing. The operator passes it for a gated step: the revision its approved plan"
                        + " started from.")
        String expectFrom;

        UpgradeRequest request(OnFailure onFailure) throws RunnerException {
            RevisionSpec.validate("--target", target);
            if (lockRetries < 0 || lockRetries > 100) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--lock-retries must be between 0 and 100, got "
                        + lockRetries);
            }
            LockSafety safety = new LockSafety(Durations.parse("--lock-timeout", lockTimeout), lockRetries,
                    Durations.parse("--statement-timeout", statementTimeout), Durations.parse("--lock-wait", lockWait));
            List<VerifyQuery> queries = new ArrayList<>();
            for (String v : verify) {
                queries.add(VerifyQuery.parse("--verify", v));
            }
            if (expectFrom != null) {
                Revisions.parse("--expect-from", expectFrom);
            }
            return new UpgradeRequest(migrations, target, safety, queries, onFailure, allowDowngrade, expectFrom);
        }
    }

    @Command(name = "upgrade", defaultValueProvider = SafetyDefaults.class,
            description = {"alembic upgrade TARGET under the database's migration lock, retrying lock timeouts,"
                    + " then the verification queries. A TARGET below the current revision is an alembic downgrade,"
                    + " refused without --allow-downgrade."})
    static final class UpgradeCommand implements RunnerCommand {
        @Mixin
        UpgradeOptions options = new UpgradeOptions();

        @Option(names = "--on-failure", paramLabel = "halt|downgrade",
                description = "After a failed migration, verification or lock timeout: halt, or downgrade back to"
                        + " the revision the run started from (default: ${DEFAULT-VALUE}).")
        String onFailure;

        @Option(names = "--window-closes-at", paramLabel = "INSTANT",
                description = "When the step's maintenance window closes (ISO-8601, e.g. 2026-11-28T04:00:00Z): with"
                        + " less than the expected duration left before Alembic would start, exit 27 OutsideWindow"
                        + " and run nothing. The expected duration is this pod's rehearsal's"
                        + " ($" + REHEARSAL_FILE_VARIABLE + ", default " + DEFAULT_REHEARSAL_FILE + "), else"
                        + " --expected-duration, else zero.")
        String windowClosesAt;

        @Option(names = "--expected-duration", paramLabel = "DURATION",
                description = "How long the step is expected to take (an earlier run's duration), for"
                        + " --window-closes-at when this pod did not rehearse it.")
        String expectedDuration;

        @Option(names = "--expect-backup",
                description = "Run only when the database is still at the revision this pod's backup was taken at"
                        + " ($" + BACKUP_FILE_VARIABLE + ", default " + DEFAULT_BACKUP_FILE + "), read under the"
                        + " migration lock; otherwise exit 29 BackupOutdated and run nothing. The operator passes it"
                        + " when a backup container precedes the upgrade.")
        boolean expectBackup;

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

        /** The request as the options give it; the window's expected duration is --expected-duration's. */
        UpgradeRequest request() throws RunnerException {
            UpgradeRequest request = options.request(onFailure(onFailure));
            Duration expected = expectedDuration == null ? null
                    : Durations.parse("--expected-duration", expectedDuration);
            Instant closesAt = MaintenanceWindow.closesAt("--window-closes-at", windowClosesAt);
            return closesAt == null ? request : request.withinWindow(closesAt, expected);
        }

        /**
         * The revision this pod's backup was taken at, from the file the backup container wrote. Without it the
         * upgrade cannot know it starts from the backup, so it does not start (a new pod backs up again).
         */
        static String backupRevision(Map<String, String> env, PrintStream err) throws RunnerException {
            Path file = backupFile(env);
            BackupResult backup = null;
            try {
                RunnerResult written = RunnerJson.read(Files.readString(file));
                backup = written.exitCode() == ExitCode.OK.code() ? written.backup() : null;
            } catch (IOException | IllegalArgumentException e) {
                err.println(KeyValueLog.line("warn", "cannot read the backup file", "file", file,
                        "error", e.getMessage()));
            }
            if (backup == null || backup.revision() == null) {
                throw new RunnerException(ExitCode.UNEXPECTED, "--expect-backup: " + file + " holds no backup of this"
                        + " pod (the backup container writes it; set " + BACKUP_FILE_VARIABLE + " when /tmp is not"
                        + " shared between the containers); nothing was run");
            }
            err.println(KeyValueLog.line("info", "expected revision: this pod's backup", "file", file,
                    "revision", backup.revision(), "archive", backup.file()));
            return backup.revision();
        }

        static OnFailure onFailure(String value) throws RunnerException {
            for (OnFailure o : OnFailure.values()) {
                if (o.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return o;
                }
            }
            throw new RunnerException(ExitCode.BAD_INPUT, "--on-failure '" + value + "' must be halt or downgrade");
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
            UpgradeRequest request = request();
            if (expectBackup) {
                request = request.expectingBackup(backupRevision(env, err));
            }
            String source = null;
            if (request.windowClosesAt() != null) {
                MaintenanceWindow.Expected expected = MaintenanceWindow.expected(request, rehearsalFile(env), err);
                request = request.withinWindow(request.windowClosesAt(), expected.duration());
                source = expected.source();
            }
            UpgradeResult u = Upgrade.run(settings, tools, request, clock, err, source);
            err.println(KeyValueLog.line("info", "upgrade finished", "direction", u.direction(), "from",
                    u.fromRevision(), "to", u.toRevision(), "applied", String.join(",", u.appliedRevisions()),
                    "lockAttempts", u.lockAttempts(), "verified", String.join(",", u.verified())));
            return RunnerResult.of(name(), ExitCode.OK, summary(settings.database(), u)).withUpgrade(u);
        }

        static String summary(String database, UpgradeResult u) {
            StringBuilder sb = new StringBuilder("database '").append(database).append("' ");
            boolean downgrade = UpgradeResult.DOWNGRADE.equals(u.direction());
            if (u.appliedRevisions().isEmpty() && u.fromRevision().equals(u.toRevision())) {
                sb.append("already at ").append(u.toRevision()).append(" (target ").append(u.target()).append(')');
            } else {
                sb.append(downgrade ? "downgraded" : "upgraded").append(" from ").append(u.fromRevision())
                        .append(" to ").append(u.toRevision());
                if (!u.appliedRevisions().isEmpty()) {
                    sb.append(downgrade ? " (undid " : " (applied ").append(String.join(", ", u.appliedRevisions()))
                            .append(')');
                }
            }
            if (u.lockAttempts() != null && u.lockAttempts() > 1) {
                sb.append(" on attempt ").append(u.lockAttempts()).append(" (lock_timeout retried)");
            }
            if (!u.verified().isEmpty()) {
                sb.append("; verified ").append(String.join(", ", u.verified()));
            }
            return sb.toString();
        }
    }

    @Command(name = "plan",
            description = {"What upgrade would do, without doing it: the database's revision, the revisions pending"
                    + " and their SQL from Alembic's offline mode (--sql), printed in full on stdout before the"
                    + " summary line. Takes no lock, writes nothing."})
    static final class PlanCommand implements RunnerCommand {
        @Option(names = "--migrations", required = true, paramLabel = "DIR", description = "Directory with alembic.ini.")
        Path migrations;

        @Option(names = "--target", required = true, paramLabel = "REV", description = "Alembic revision spec, e.g. head.")
        String target;

        @Option(names = "--allow-downgrade",
                description = "Plan a TARGET below the current revision as a downgrade instead of refusing it.")
        boolean allowDowngrade;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return "plan";
        }

        @Override
        public void validateOptions() throws RunnerException {
            RevisionSpec.validate("--target", target);
            request().validate();
        }

        private PlanRequest request() {
            return new PlanRequest(migrations, target, allowDowngrade);
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
            PlanResult p = Plan.run(settings, tools, request(), err, out);
            err.println(KeyValueLog.line("info", "plan made", "direction", p.direction(), "from", p.fromRevision(),
                    "pending", String.join(",", p.pendingRevisions()), "sqlBytes", p.sqlBytes() == null ? 0 : p.sqlBytes(),
                    "sqlUnavailable", p.sqlUnavailable() == null ? "" : p.sqlUnavailable()));
            return RunnerResult.of(name(), ExitCode.OK, summary(settings.database(), p)).withPlan(p);
        }

        static String summary(String database, PlanResult p) {
            StringBuilder sb = new StringBuilder("database '").append(database).append("' is at ")
                    .append(p.fromRevision());
            if (PlanResult.NONE.equals(p.direction())) {
                return sb.append(": nothing to do for target ").append(p.target()).toString();
            }
            boolean downgrade = UpgradeResult.DOWNGRADE.equals(p.direction());
            sb.append("; ").append(p.direction()).append(" to ").append(p.target())
                    .append(downgrade ? " would undo " : " would apply ").append(String.join(", ", p.pendingRevisions()));
            if (p.sqlUnavailable() != null) {
                sb.append(" (no SQL: ").append(p.sqlUnavailable()).append(')');
            } else if (p.sqlBytes() != null) {
                sb.append(" (SQL above, ").append(p.sqlBytes()).append(" bytes)");
            }
            return sb.toString();
        }
    }

    @Command(name = "stamp", defaultValueProvider = SafetyDefaults.class,
            description = {"Set alembic_version to REV without running any migration, under the database's migration"
                    + " lock: alembic stamp --purge REV, replacing whatever alembic_version names. With --adopt"
                    + " (spec.baseline) only a database without alembic_version, or with an empty one, is stamped"
                    + " (alembic stamp REV); one already at REV or past it is left as it is, any other is refused"
                    + " (exit 28 BaselineRefused)."})
    static final class StampCommand implements RunnerCommand {
        @Option(names = "--migrations", required = true, paramLabel = "DIR", description = "Directory with alembic.ini.")
        Path migrations;

        @Option(names = "--revision", required = true, paramLabel = "REV",
                description = "Alembic revision to stamp, e.g. ae1027a6acf or head; several heads joined with ','.")
        String revision;

        @Option(names = "--adopt",
                description = "Stamp only a database without revisions (spec.baseline); see above.")
        boolean adopt;

        @Option(names = "--lock-wait", paramLabel = "DURATION",
                description = "How long to wait for another migration of the database (default: ${DEFAULT-VALUE}).")
        String lockWait;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public String name() {
            return "stamp";
        }

        @Override
        public void validateOptions() throws RunnerException {
            request().revisions("--revision");
            request().validate();
            lockWait();
        }

        StampRequest request() {
            return new StampRequest(migrations, revision, adopt);
        }

        Duration lockWait() throws RunnerException {
            return Durations.parse("--lock-wait", lockWait);
        }

        @Override
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
            StampResult s = Stamp.run(settings, tools, request(), lockWait(), clock, err);
            err.println(KeyValueLog.line("info", "stamp finished", "from", s.fromRevision(), "to", s.toRevision(),
                    "adopt", s.adopt(), "stamped", s.stamped()));
            return RunnerResult.of(name(), ExitCode.OK, summary(settings.database(), s)).withStamp(s);
        }

        static String summary(String database, StampResult s) {
            if (!s.stamped()) {
                return "database '" + database + "' is already versioned at " + s.fromRevision()
                        + ", which includes baseline " + s.revision() + "; nothing was stamped";
            }
            return "database '" + database + "' stamped " + s.revision() + (s.adopt() ? " as its baseline" : "")
                    + ": alembic_version went from " + s.fromRevision() + " to " + s.toRevision()
                    + "; no migration ran";
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
        public RunnerResult run(ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                                PrintStream out, PrintStream err) throws RunnerException {
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
