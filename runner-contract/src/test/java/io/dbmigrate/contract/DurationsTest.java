package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesKubernetesStyleDurations() throws RunnerException {
        assertEquals(Duration.ofMillis(500), Durations.parse("f", "500ms"));
        assertEquals(Duration.ofSeconds(1), Durations.parse("f", "1s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("f", "2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("f", "1h"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("f", "1m30s"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("f", "1.5s"));
        assertEquals(Duration.ofSeconds(3723), Durations.parse("f", "1h2m3s"));
        assertEquals(Duration.ofNanos(1500), Durations.parse("f", "1us500ns"));
        assertEquals(Duration.ZERO, Durations.parse("f", "0s"));
        assertEquals(Duration.ZERO, Durations.parse("f", "0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1", "10", "-1s", "1 s", "s", "1d", "1.s", ".5s", "abc", "1h-1m", "1S", "1sec",
            "9999999999999h"})
    void refusesOtherText(String text) {
        BadInput.assertRefused("--lock-wait", () -> Durations.parse("--lock-wait", text));
    }

    @Test
    void formatsTheWayGoDoes() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
        assertEquals("200ms", Durations.format(Duration.ofMillis(200)));
        assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("5m0s", Durations.format(Duration.ofMinutes(5)));
        assertEquals("1h0m0s", Durations.format(Duration.ofHours(1)));
        assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
        assertEquals("15us", Durations.format(Duration.ofNanos(15_000)));
    }

    @Test
    void formatReadsBack() throws RunnerException {
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1500),
                Duration.ofSeconds(61), Duration.ofHours(26).plusMillis(7), Duration.ofNanos(123)}) {
            assertEquals(d, Durations.parse("f", Durations.format(d)), Durations.format(d));
        }
    }

    @Test
    void postgresMilliseconds() {
        assertEquals("1000ms", Durations.toPostgres(Duration.ofSeconds(1)));
        assertEquals("200ms", Durations.toPostgres(Duration.ofMillis(200)));
        assertEquals("0ms", Durations.toPostgres(Duration.ZERO));
        // Not 0ms, which PostgreSQL reads as "no timeout".
        assertEquals("1ms", Durations.toPostgres(Duration.ofNanos(10)));
    }
}
