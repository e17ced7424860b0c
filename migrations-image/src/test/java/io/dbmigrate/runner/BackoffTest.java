package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final double JUST_BELOW_ONE = Math.nextDown(1.0);

    private static Backoff fixed(double random, List<Duration> slept) {
        return new Backoff(Backoff.FIRST, Backoff.CAP, () -> random, slept::add);
    }

    @Test
    void ceilingDoublesFrom100msAndStopsAt10s() {
        Backoff b = fixed(0, new ArrayList<>());
        assertEquals(Duration.ofMillis(100), b.ceiling(1));
        assertEquals(Duration.ofMillis(200), b.ceiling(2));
        assertEquals(Duration.ofMillis(400), b.ceiling(3));
        assertEquals(Duration.ofMillis(6_400), b.ceiling(7));
        assertEquals(Duration.ofSeconds(10), b.ceiling(8));
        assertEquals(Duration.ofSeconds(10), b.ceiling(100));
        assertEquals(Duration.ofSeconds(10), b.ceiling(Integer.MAX_VALUE));
    }

    @Test
    void jitterSpansTheUpperHalf() {
        assertEquals(Duration.ofMillis(50), fixed(0, new ArrayList<>()).delay(1));
        assertEquals(Duration.ofMillis(75), fixed(0.5, new ArrayList<>()).delay(1));
        assertEquals(Duration.ofMillis(99), fixed(JUST_BELOW_ONE, new ArrayList<>()).delay(1));
        assertEquals(Duration.ofMillis(300), fixed(0.5, new ArrayList<>()).delay(3));
        assertEquals(Duration.ofSeconds(5), fixed(0, new ArrayList<>()).delay(20));
        assertEquals(Duration.ofMillis(9_999), fixed(JUST_BELOW_ONE, new ArrayList<>()).delay(20));
    }

    @Test
    void pauseSleepsTheDelayItReturns() throws InterruptedException {
        List<Duration> slept = new ArrayList<>();
        Backoff b = fixed(0.5, slept);
        assertEquals(Duration.ofMillis(75), b.pause(1));
        assertEquals(Duration.ofMillis(150), b.pause(2));
        assertEquals(List.of(Duration.ofMillis(75), Duration.ofMillis(150)), slept);
    }

    @Test
    void badArgumentsAreRefused() {
        Backoff b = fixed(0, new ArrayList<>());
        assertThrows(IllegalArgumentException.class, () -> b.delay(0));
        assertThrows(IllegalStateException.class, () -> fixed(1.0, new ArrayList<>()).delay(1));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Backoff.CAP, () -> 0, d -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(11), Backoff.CAP, () -> 0, d -> { }));
    }
}
