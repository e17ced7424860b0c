package io.dbmigrate.decide;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.RunnerException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A recurring maintenance window: it opens at every time a 5-field Unix cron schedule names and stays open for a
 * duration. Pure: {@code now} is always a parameter.
 *
 * <p>The schedule is read on the wall clock of the window's time zone, so {@code 0 2 * * *} in Europe/Berlin opens at
 * 02:00 local time all year (01:00Z in winter, 00:00Z in summer). Daylight saving time, the way ISC cron handles it: on
 * the spring-forward day a local time the clock skips (02:00-02:59 in Europe/Berlin) opens at the jump (03:00 CEST,
 * 01:00Z); on the fall-back day a local time that happens twice opens once, at its first occurrence (so an hourly or
 * finer schedule has no openings in the repeated hour: only windows opened before it last into it). cron-utils
 * evaluated in the zone would drop the skipped opening and is not consistent about the repeated one (its
 * lastExecution sees the second 02:30, its nextExecution does not; {@code *}{@code /15 2 * * *} fires in both passes),
 * so the schedule is evaluated here on local date-times (cron-utils in UTC, which has no DST) and each local opening
 * is mapped to an instant by the two rules above.
 *
 * <p>Day of month and day of week both restricted means either, as in Unix cron ({@code 0 0 30 2 1}: Mondays in
 * February). The macros {@code @yearly @annually @monthly @weekly @daily @midnight @hourly} are accepted here:
 * cron-utils' Unix definition refuses them ("Nicknames not supported!"), Kubernetes CronJobs take them.
 *
 * <p>Windows that overlap or touch merge: with {@code 0 * * * *} and 90m the window never closes. A merged window is
 * followed until it closes or lasts {@link #MAX_DURATION} past now: then the close reported is that of the openings
 * followed so far, a lower bound (the loop costs a few cron lookups per merged opening).
 */
public final class MaintenanceWindow {
    /** The longest window: a week (a weekly window that long is always open; a longer one would mean nothing more). */
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    // Any time does: whether some date matches a schedule does not depend on the year (29 February comes every 4).
    private static final Instant NEVER_PROBE = Instant.EPOCH;

    private final String schedule;
    private final String durationText;
    private final ExecutionTime executions;
    private final Duration duration;
    private final ZoneId zone;
    private final ZoneRules rules;

    /** A window that contains now: its latest opening at or before now, and its close (overlapping windows merged). */
    public record Opening(Instant opensAt, Instant closesAt) {
    }

    /**
     * Whether a step may start now.
     *
     * @param open        the window is open now and has at least the expected duration left
     * @param closesAt    when the window that contains now closes (set even when too little is left); null when closed
     * @param nextOpensAt when the next window opens after the current one (or after now, when closed); null when the
     *                    schedule never fires again
     * @param reason      a sentence for status: open until when, or why not and when next
     */
    public record Verdict(boolean open, Instant closesAt, Instant nextOpensAt, String reason) {
    }

    private MaintenanceWindow(String schedule, String durationText, Cron cron, Duration duration, ZoneId zone) {
        this.schedule = schedule;
        this.durationText = durationText;
        this.executions = ExecutionTime.forCron(cron);
        this.duration = duration;
        this.zone = zone;
        this.rules = zone.getRules();
    }

    /**
     * @param schedule a 5-field Unix cron expression or a macro such as {@code @daily}
     * @param duration how long each window stays open, Go-style: {@code 2h}, {@code 90m}, {@code 1h30m}
     * @param timeZone an IANA zone such as {@code Europe/Berlin}; UTC when null or blank
     * @throws IllegalArgumentException naming every problem, as {@link #problems} does
     */
    public static MaintenanceWindow parse(String schedule, String duration, String timeZone) {
        List<String> problems = problems(schedule, duration, timeZone);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new MaintenanceWindow(schedule.trim(), duration.trim(), cron(schedule), duration(duration), zone(timeZone));
    }

    /** Every problem of the three fields, each naming its field (gate.window.*); empty when they make a window. */
    public static List<String> problems(String schedule, String duration, String timeZone) {
        List<String> problems = new ArrayList<>();
        Cron cron = null;
        try {
            cron = cron(schedule);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            duration(duration);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            zone(timeZone);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (cron != null && ExecutionTime.forCron(cron).nextExecution(NEVER_PROBE.atZone(ZoneOffset.UTC)).isEmpty()) {
            problems.add("gate.window.schedule '" + schedule.trim() + "' never opens: no date matches it");
        }
        return problems;
    }

    private static Cron cron(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            throw new IllegalArgumentException("gate.window.schedule is required (a 5-field cron expression such as "
                    + "'0 2 * * 6': minute, hour, day of month, month, day of week)");
        }
        String s = schedule.trim();
        try {
            Cron cron = UNIX.parse(MACROS.getOrDefault(s, s));
            cron.validate();
            return cron;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gate.window.schedule '" + s + "' is not a cron expression: " + e.getMessage()
                    + " (use 5 fields: minute, hour, day of month, month, day of week, e.g. '0 2 * * 6')");
        }
    }

    private static Duration duration(String text) {
        Duration d;
        try {
            d = Durations.parse("gate.window.duration", text);
        } catch (RunnerException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (d.isZero() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("gate.window.duration '" + text.trim() + "' must be more than 0 and at most "
                    + "168h (7 days)");
        }
        return d;
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timeZone.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("gate.window.timeZone '" + timeZone.trim() + "' is not a time zone: "
                    + e.getMessage() + " (use an IANA name such as Europe/Berlin or UTC)");
        }
    }

    /** The window that contains now, if any. Windows are [opening, opening + duration): the opening instant is in. */
    public Optional<Opening> current(Instant now) {
        Optional<LocalDateTime> latest = atOrBefore(now);
        if (latest.isEmpty() || !instant(latest.get()).plus(duration).isAfter(now)) {
            return Optional.empty();
        }
        // Follow openings that start before (or as) this window closes: they extend it.
        Instant horizon = now.plus(MAX_DURATION);
        LocalDateTime last = latest.get();
        Instant closes = instant(last).plus(duration);
        while (closes.isBefore(horizon)) {
            Optional<LocalDateTime> later = atOrBefore(closes);
            if (later.isEmpty() || !later.get().isAfter(last)) {
                break;
            }
            last = later.get();
            closes = instant(last).plus(duration);
        }
        return Optional.of(new Opening(instant(latest.get()), closes));
    }

    /** The next opening strictly after now; while a window is open, the one after its opening. Empty if none. */
    public Optional<Instant> nextOpening(Instant now) {
        return nextAfter(now).map(this::instant);
    }

    /** Whether a step expected to take {@code expected} (null: no estimate) may start now. */
    public Verdict check(Instant now, Duration expected) {
        Duration needed = expected == null ? Duration.ZERO : expected;
        Optional<Opening> current = current(now);
        if (current.isEmpty()) {
            Instant next = nextOpening(now).orElse(null);
            return new Verdict(false, null, next, next == null
                    ? "the maintenance window " + describe() + " never opens again"
                    : "the maintenance window " + describe() + " opens at " + rfc3339(next));
        }
        Instant closes = current.get().closesAt();
        Instant next = nextOpening(closes).orElse(null);
        Duration left = Duration.between(now, closes);
        if (left.compareTo(needed) >= 0) {
            return new Verdict(true, closes, next, "the maintenance window " + describe() + " is open until "
                    + rfc3339(closes));
        }
        return new Verdict(false, closes, next, "only " + human(left) + " left in the maintenance window " + describe()
                + " that closes at " + rfc3339(closes) + ", the step is expected to take " + human(needed)
                + (next == null ? "; the window never opens again" : "; the next one opens at " + rfc3339(next)));
    }

    /** How long each window stays open. */
    public Duration duration() {
        return duration;
    }

    /** {@code (0 2 * * 6, 2h, Europe/Berlin)}: the window as the user wrote it. */
    public String describe() {
        return "(" + schedule + ", " + durationText + ", " + zone.getId() + ")";
    }

    /** RFC 3339 UTC to the second, as status shows times: {@code 2026-11-28T01:00:00Z}. */
    public static String rfc3339(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // The first local opening whose instant is after t. Instants grow with local times (see instant), so searching from
    // t's wall clock finds it, but in the second pass of a fall-back hour the wall clock shows times whose (first)
    // instants are already past: skip those.
    private Optional<LocalDateTime> nextAfter(Instant t) {
        LocalDateTime local = LocalDateTime.ofInstant(t, zone);
        while (true) {
            Optional<LocalDateTime> next =
                    executions.nextExecution(local.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
            if (next.isEmpty() || instant(next.get()).isAfter(t)) {
                return next;
            }
            local = next.get();
        }
    }

    // The latest local opening whose instant is at or before t: the one before the first after t.
    private Optional<LocalDateTime> atOrBefore(Instant t) {
        return nextAfter(t).flatMap(next -> executions.lastExecution(next.atZone(ZoneOffset.UTC)))
                .map(ZonedDateTime::toLocalDateTime);
    }

    /** When a local opening happens: in a gap (spring forward) at the jump, in an overlap (fall back) the first time. */
    private Instant instant(LocalDateTime local) {
        ZoneOffsetTransition transition = rules.getTransition(local);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        return ZonedDateTime.ofLocal(local, zone, null).toInstant(); // no preferred offset: the earlier one
    }

    // 12m, 1h30m, 45s: the largest units that are not zero, to the second.
    private static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        StringBuilder sb = new StringBuilder();
        if (s >= 3600) {
            sb.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            sb.append(s % 3600 / 60).append('m');
        }
        if (s % 60 > 0 || sb.length() == 0) {
            sb.append(s % 60).append('s');
        }
        return sb.toString();
    }
}
