package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RehearsalResult;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.Truncation;
import io.dbmigrate.contract.UpgradeRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The window rule of {@link Upgrade}: a step starts only when its expected duration still fits before its maintenance
 * window closes. The expectation is this pod's rehearsal when it passed (the same migrations on a copy of the database
 * as it is now), else an earlier run's duration, else zero.
 */
final class MaintenanceWindow {

    /** Where the expected duration came from, in the words of an OutsideWindow message. */
    static final String FROM_REHEARSAL = "its rehearsal";
    static final String FROM_EARLIER_RUN = "an earlier run";

    private MaintenanceWindow() {
    }

    /** @param source null when the duration is unknown (zero is assumed) */
    record Expected(Duration duration, String source) {
    }

    /** {@code --window-closes-at}'s value; null without one. */
    static Instant closesAt(String option, String value) throws RunnerException {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new RunnerException(ExitCode.BAD_INPUT, option + " '" + Truncation.truncate(value, 64)
                    + "' is not an ISO-8601 instant such as 2026-11-28T04:00:00Z");
        }
    }

    /**
     * The expected duration for the window and where it comes from: the upgrade of this pod's own rehearsal, which the
     * rehearse container wrote to {@code rehearsalFile} just before, wins over the request's expected duration, a
     * measurement of some earlier run.
     */
    static Expected expected(UpgradeRequest request, Path rehearsalFile, PrintStream err) {
        if (Files.isRegularFile(rehearsalFile)) {
            try {
                RehearsalResult rehearsal = RunnerJson.read(Files.readString(rehearsalFile)).rehearsal();
                if (rehearsal != null && rehearsal.passed() && rehearsal.upgradeMillis() != null) {
                    Duration measured = Duration.ofMillis(rehearsal.upgradeMillis());
                    err.println(KeyValueLog.line("info", "expected duration: this pod's rehearsal", "file",
                            rehearsalFile, "expectedDuration", Durations.format(measured)));
                    return new Expected(measured, FROM_REHEARSAL);
                }
                err.println(KeyValueLog.line("warn", "the rehearsal file holds no passed rehearsal; not used",
                        "file", rehearsalFile));
            } catch (IOException | IllegalArgumentException e) {
                err.println(KeyValueLog.line("warn", "cannot read the rehearsal file; not used", "file",
                        rehearsalFile, "error", e.getMessage()));
            }
        }
        if (request.expectedDuration() != null) {
            return new Expected(request.expectedDuration(), FROM_EARLIER_RUN);
        }
        return new Expected(null, null);
    }

    /**
     * Why a run with {@code expected} (null: unknown, taken as zero) still to go may not start at {@code now} in a
     * window closing at {@code closesAt}; null when it may.
     *
     * @param source where the expected duration comes from ("its rehearsal"), or null
     */
    static String outside(Instant closesAt, Instant now, Duration expected, String source) {
        Duration left = Duration.between(now, closesAt);
        Duration needed = expected == null ? Duration.ZERO : expected;
        if (!left.isNegative() && !left.isZero() && left.compareTo(needed) >= 0) {
            return null;
        }
        if (left.isNegative() || left.isZero()) {
            return "the maintenance window closed at " + closesAt + ", " + roughly(left.negated()) + " ago";
        }
        return "the maintenance window closes at " + closesAt + ", in " + roughly(left)
                + "; the step is expected to take " + roughly(needed) + (source == null ? "" : " (" + source + ")");
    }

    // Whole seconds read better in a message; below a second, milliseconds.
    private static String roughly(Duration d) {
        return Durations.format(d.compareTo(Duration.ofSeconds(1)) >= 0 ? d.truncatedTo(ChronoUnit.SECONDS)
                : d.truncatedTo(ChronoUnit.MILLIS));
    }
}
