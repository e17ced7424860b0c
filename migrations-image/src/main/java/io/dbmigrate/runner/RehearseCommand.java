package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RehearsalRequest;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbmigrate-runner rehearse}: the step's dress rehearsal on a restored copy of the backup. */
@Command(name = "rehearse", defaultValueProvider = CommandOptions.SafetyDefaults.class,
        description = {"Restore the newest archive of NAME labelled LABEL in DIR into a scratch database on the"
                + " server in PG* (PGDATABASE is only the maintenance database; the user needs CREATEDB), run the"
                + " upgrade there as upgrade would (same options, verification included), with --round-trip"
                + " downgrade back and upgrade again, then drop the copy. Production is not touched. Exit 26"
                + " RehearsalFailed when the step fails on the copy."})
final class RehearseCommand implements RunnerCommand {

    @Mixin
    CommandOptions.Archives archives = new CommandOptions.Archives();

    @Option(names = "--label", required = true, paramLabel = "LABEL",
            description = "The label of the archive to restore, as backup --label wrote it (the newest one).")
    String label;

    @Mixin
    UpgradeOptions upgrade = new UpgradeOptions();

    @Option(names = "--round-trip",
            description = "After the upgrade, downgrade the copy back to where it started and upgrade it again.")
    boolean roundTrip;

    @Option(names = "--lock-sample-interval", paramLabel = "DURATION",
            description = "How often pg_locks is sampled for Alembic's locks while the copy is upgraded (default 5ms;"
                    + " 0: no lock profile).")
    String lockSampleInterval;

    @Option(names = "--max-lock-hold", paramLabel = "MODE=DURATION",
            description = "The longest Alembic may hold a lock of MODE (AccessShare ... AccessExclusive) on any"
                    + " relation of the copy; modes without their own have the nearest weaker mode's budget. A hold"
                    + " over it fails the rehearsal (LockHoldExceeded). Repeatable.")
    List<String> maxLockHold = new ArrayList<>();

    @Override
    public void validateOptions() throws RunnerException {
        request().validate("--dir", "--name", "--label");
    }

    /** The copy is thrown away: nothing to take back after a failure (halt), and no window. */
    RehearsalRequest request() throws RunnerException {
        return new RehearsalRequest(null, archives.dir, archives.name, label, upgrade.request(OnFailure.HALT),
                roundTrip, lockSampleInterval == null ? null
                : Durations.parse("--lock-sample-interval", lockSampleInterval), budget());
    }

    private Map<LockMode, Duration> budget() throws RunnerException {
        Map<LockMode, Duration> budget = new EnumMap<>(LockMode.class);
        for (String entry : maxLockHold) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            LockMode mode = LockMode.of(name.strip()).orElseThrow(() -> new RunnerException(ExitCode.BAD_INPUT,
                    "--max-lock-hold '" + entry + "': " + name + " is not a lock mode (one of "
                            + Arrays.toString(LockMode.values()) + ")"));
            if (eq < 0 || budget.put(mode, Durations.parse("--max-lock-hold " + name, entry.substring(eq + 1))) != null) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--max-lock-hold '" + entry + "': give MODE=DURATION,"
                        + " each mode once");
            }
        }
        return budget;
    }

    /** Where upgrade --window-closes-at in the next container finds the measured duration. */
    @Override
    public PodFile podFile(Map<String, String> env) {
        return PodFile.rehearsal(env);
    }

    @Override
    public RunnerResult run(Invocation in) throws RunnerException {
        RehearsalResult r = Rehearsal.run(in.settings(), in.tools(), request(), in.clock(), in.err());
        return in.succeeded(Rehearsal.summary(r)).withRehearsal(r);
    }
}
