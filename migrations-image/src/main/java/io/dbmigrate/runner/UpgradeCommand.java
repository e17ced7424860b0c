package io.dbmigrate.runner;

import io.dbmigrate.contract.BackupResult;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import io.dbmigrate.contract.UpgradeRequest;
import io.dbmigrate.contract.UpgradeResult;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbmigrate-runner upgrade}: the migration itself, the main container of a migration Job. */
@Command(name = "upgrade", defaultValueProvider = CommandOptions.SafetyDefaults.class,
        description = {"alembic upgrade TARGET under the database's migration lock, retrying lock timeouts,"
                + " then the verification queries. A TARGET below the current revision is an alembic downgrade,"
                + " refused without --allow-downgrade."})
final class UpgradeCommand implements RunnerCommand {

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
                    + " ($" + PodFile.REHEARSAL_FILE_VARIABLE + ", default " + PodFile.DEFAULT_REHEARSAL_FILE
                    + "), else --expected-duration, else zero.")
    String windowClosesAt;

    @Option(names = "--expected-duration", paramLabel = "DURATION",
            description = "How long the step is expected to take (an earlier run's duration), for"
                    + " --window-closes-at when this pod did not rehearse it.")
    String expectedDuration;

    @Option(names = "--expect-backup",
            description = "Run only when the database is still at the revision this pod's backup was taken at"
                    + " ($" + PodFile.BACKUP_FILE_VARIABLE + ", default " + PodFile.DEFAULT_BACKUP_FILE + "), read"
                    + " under the migration lock; otherwise exit 29 BackupOutdated and run nothing. The operator"
                    + " passes it when a backup container precedes the upgrade.")
    boolean expectBackup;

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

    static OnFailure onFailure(String value) throws RunnerException {
        for (OnFailure o : OnFailure.values()) {
            if (o.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return o;
            }
        }
        throw new RunnerException(ExitCode.BAD_INPUT, "--on-failure '" + value + "' must be halt or downgrade");
    }

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        UpgradeRequest request = request();
        if (expectBackup) {
            request = request.expectingBackup(backupRevision(in.env(), in.err()));
        }
        String source = null;
        if (request.windowClosesAt() != null) {
            MaintenanceWindow.Expected expected = MaintenanceWindow.expected(request,
                    PodFile.rehearsal(in.env()).path(), in.err());
            request = request.withinWindow(request.windowClosesAt(), expected.duration());
            source = expected.source();
        }
        UpgradeResult u = Upgrade.run(in.settings(), in.tools(), request, in.clock(), in.err(), source);
        in.log("upgrade finished", "direction", u.direction(), "from", u.fromRevision(), "to", u.toRevision(),
                "applied", String.join(",", u.appliedRevisions()), "lockAttempts", u.lockAttempts(),
                "verified", String.join(",", u.verified()));
        return in.succeeded(summary(in.settings().database(), u)).withUpgrade(u);
    }

    /**
     * The revision this pod's backup was taken at, from the file the backup container wrote. Without it the upgrade
     * cannot know it starts from the backup, so it does not start (a new pod backs up again).
     */
    static String backupRevision(Map<String, String> env, PrintStream err) throws RunnerException {
        PodFile file = PodFile.backup(env);
        BackupResult backup = null;
        try {
            RunnerResult written = file.read();
            backup = written.exitCode() == ExitCode.OK.code() ? written.backup() : null;
        } catch (IOException | IllegalArgumentException e) {
            err.println(KeyValueLog.line("warn", "cannot read the backup file", "file", file.path(),
                    "error", e.getMessage()));
        }
        if (backup == null || backup.revision() == null) {
            throw new RunnerException(ExitCode.UNEXPECTED, "--expect-backup: " + file.path() + " holds no backup of"
                    + " this pod (the backup container writes it; set " + PodFile.BACKUP_FILE_VARIABLE + " when /tmp"
                    + " is not shared between the containers); nothing was run");
        }
        err.println(KeyValueLog.line("info", "expected revision: this pod's backup", "file", file.path(),
                "revision", backup.revision(), "archive", backup.file()));
        return backup.revision();
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
