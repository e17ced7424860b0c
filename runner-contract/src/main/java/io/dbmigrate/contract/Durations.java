package io.dbmigrate.contract;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Kubernetes users write them (Go's {@code time.ParseDuration}): {@code 500ms}, {@code 1s},
 * {@code 2m}, {@code 1h}, {@code 1m30s}, {@code 1.5s}. Negative durations are refused: every duration we take is a
 * timeout or a wait.
 */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String field, String text) throws RunnerException {
        if (text == null || text.isBlank()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " is required (a duration such as 1s, 500ms or 5m)");
        }
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO; // Go accepts a bare 0
        }
        if (t.length() > 64 || !WHOLE.matcher(t).matches()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + t
                    + "' is not a duration (use a number with a unit: ms, s, m, h; e.g. 500ms, 1s, 1m30s)");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
        }
        try {
            // Whole nanoseconds, like Go; a fraction of a nanosecond is dropped.
            return Duration.ofNanos(nanos.toBigInteger().longValueExact());
        } catch (ArithmeticException e) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + t + "' is too long a duration");
        }
    }

    private static long nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    /** Go-style text that {@link #parse} reads back: {@code 0s}, {@code 200ms}, {@code 1s}, {@code 1m30s}, {@code 1.5s}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            long nanos = d.toNanos();
            if (nanos % 1_000_000 == 0) {
                return nanos / 1_000_000 + "ms";
            }
            if (nanos % 1_000 == 0) {
                return nanos / 1_000 + "us";
            }
            return nanos + "ns";
        }
        StringBuilder sb = new StringBuilder();
        long hours = d.toHours();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        int minutes = d.toMinutesPart();
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        int seconds = d.toSecondsPart();
        int nanos = d.toNanosPart();
        sb.append(seconds);
        if (nanos > 0) {
            sb.append('.').append(String.format("%09d", nanos).replaceAll("0+$", ""));
        }
        return sb.append('s').toString();
    }

    /**
     * Milliseconds for a PostgreSQL setting such as {@code lock_timeout}: {@code 1000ms}. A positive duration below one
     * millisecond becomes {@code 1ms}, because {@code 0} would mean "no timeout", the opposite of what was asked.
     */
    public static String toPostgres(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + d);
        }
        long ms = d.toMillis();
        if (ms == 0 && !d.isZero()) {
            ms = 1;
        }
        return ms + "ms";
    }
}
