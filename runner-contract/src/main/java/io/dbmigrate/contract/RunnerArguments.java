package io.dbmigrate.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The runner's command lines, one method per command: what a Job's containers run. Each is made from the request the
 * runner builds from it again, so a Job and local mode (which hands the requests to the runner in-process) ask for the
 * same thing. {@code migrations} is the folder as the container sees it, written as the resource gives it; the
 * requests' own {@code migrationsDir} (an in-process path) is not written.
 */
public final class RunnerArguments {

    private RunnerArguments() {
    }

    /** {@code backup}: dump to the request's directory and prune to its retain count. */
    public static List<String> backup(BackupRequest request) {
        List<String> args = new ArrayList<>(List.of("backup", "--dir", request.directory().toString(),
                "--name", request.name(), "--label", request.label(), "--retain", Integer.toString(request.retain())));
        if (request.compression() != null) {
            args.addAll(List.of("--compression", request.compression().toString()));
        }
        return args;
    }

    /** {@code backup} that first refuses a target the migrations do not have, before anything is dumped. */
    public static List<String> backup(BackupRequest request, String migrations, String target) {
        List<String> args = backup(request);
        args.addAll(List.of("--migrations", migrations, "--target", target));
        return args;
    }

    /**
     * {@code upgrade}; with {@code expectBackup}, only from the revision the pod's backup container was taken at (it
     * leaves that revision in the pod's /tmp, which the runner reads: in-process it is the request's expectBackup).
     */
    public static List<String> upgrade(String migrations, UpgradeRequest request, boolean expectBackup) {
        List<String> args = new ArrayList<>(List.of("upgrade"));
        args.addAll(targetAndSafety(migrations, request));
        args.addAll(List.of("--on-failure", request.onFailure().name().toLowerCase(Locale.ROOT)));
        if (expectBackup) {
            args.add("--expect-backup");
        }
        args.addAll(checks(request));
        if (request.windowClosesAt() != null) {
            args.addAll(List.of("--window-closes-at", request.windowClosesAt().toString()));
            Duration expected = request.expectedDuration();
            if (expected != null) {
                args.addAll(List.of("--expected-duration", Durations.format(expected)));
            }
        }
        return args;
    }

    /**
     * {@code rehearse}: the request's upgrade, with its safety settings and verification queries, on a copy restored
     * from the newest archive of its name and label in its directory (the pod's backup container just wrote it).
     */
    public static List<String> rehearse(String migrations, RehearsalRequest request) {
        List<String> args = new ArrayList<>(List.of("rehearse", "--dir", request.directory().toString(),
                "--name", request.name(), "--label", request.label()));
        args.addAll(targetAndSafety(migrations, request.upgrade()));
        args.addAll(checks(request.upgrade()));
        if (request.roundTrip()) {
            args.add("--round-trip");
        }
        if (request.lockSampleInterval() != null) {
            args.addAll(List.of("--lock-sample-interval", Durations.format(request.lockSampleInterval())));
        }
        // In the modes' order, so a Job's arguments do not change with a map's iteration order.
        new TreeMap<>(request.maxLockHold()).forEach((mode, budget) ->
                args.addAll(List.of("--max-lock-hold", mode.name() + "=" + Durations.format(budget))));
        return args;
    }

    /** {@code plan}: what an upgrade to the target would do, changing nothing. */
    public static List<String> plan(String migrations, PlanRequest request) {
        List<String> args = new ArrayList<>(List.of("plan", "--migrations", migrations, "--target", request.target()));
        if (request.allowDowngrade()) {
            args.add("--allow-downgrade");
        }
        if (request.lint()) {
            args.add("--lint");
            if (!request.lintIgnore().isEmpty()) {
                args.addAll(List.of("--lint-ignore", String.join(",", request.lintIgnore())));
            }
        }
        return args;
    }

    /** {@code stamp}: set alembic_version; {@code --adopt} for a baseline. */
    public static List<String> stamp(String migrations, StampRequest request) {
        List<String> args = new ArrayList<>(List.of("stamp", "--migrations", migrations,
                "--revision", request.revision()));
        if (request.adopt()) {
            args.add("--adopt");
        }
        return args;
    }

    private static List<String> targetAndSafety(String migrations, UpgradeRequest request) {
        LockSafety safety = request.safety();
        return List.of("--migrations", migrations, "--target", request.target(),
                "--lock-timeout", Durations.format(safety.lockTimeout()),
                "--lock-retries", Integer.toString(safety.lockRetries()),
                "--statement-timeout", Durations.format(safety.statementTimeout()));
    }

    // Verification, downgrade permission and the revision the run must start from: upgrade's and rehearse's alike.
    private static List<String> checks(UpgradeRequest request) {
        List<String> args = new ArrayList<>();
        for (VerifyQuery query : request.verify()) {
            // One argument each, never through a shell: the SQL needs no quoting.
            args.add("--verify");
            args.add(query.name() + "=" + query.sql());
        }
        if (request.allowDowngrade()) {
            args.add("--allow-downgrade");
        }
        if (request.expectFrom() != null) {
            args.add("--expect-from");
            args.add(request.expectFrom());
        }
        return args;
    }
}
