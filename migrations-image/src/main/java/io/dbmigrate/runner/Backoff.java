package io.dbmigrate.runner;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before running a migration again after it hit lock_timeout: exponential from {@link #FIRST},
 * doubling, capped at {@link #CAP}, with "equal jitter" (uniform in [d/2, d]) so that two migrations, or a migration
 * and an application retrying the same way, do not collide again in lock step. reshape waits 100 ms doubling with
 * 50% jitter; pgroll 1 s up to 1 min. Pure apart from the injected random source and sleeper.
 */
public final class Backoff {

    public static final Duration FIRST = Duration.ofMillis(100);
    public static final Duration CAP = Duration.ofSeconds(10);

    /** Waits; {@link Thread#sleep} in production, a recorder in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Duration first;
    private final Duration cap;
    private final DoubleSupplier random;
    private final Sleeper sleeper;

    /**
     * @param random values in [0, 1)
     */
    public Backoff(Duration first, Duration cap, DoubleSupplier random, Sleeper sleeper) {
        if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= cap, got " + first + " and " + cap);
        }
        this.first = first;
        this.cap = cap;
        this.random = Objects.requireNonNull(random, "random");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** 100 ms doubling up to 10 s, real randomness, real sleeping. */
    public static Backoff standard() {
        return new Backoff(FIRST, CAP, () -> ThreadLocalRandom.current().nextDouble(), d -> Thread.sleep(d.toMillis()));
    }

    /** The ceiling of the n-th wait (n from 1): first * 2^(n-1), at most the cap. */
    public Duration ceiling(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        // first * 2^62 overflows long nanoseconds anyway; the cap is reached long before.
        int doublings = Math.min(retry - 1, 40);
        long nanos = first.toNanos();
        for (int i = 0; i < doublings && nanos < cap.toNanos(); i++) {
            nanos *= 2;
        }
        return Duration.ofNanos(Math.min(nanos, cap.toNanos()));
    }

    /** The n-th wait: uniform in [ceiling/2, ceiling], rounded down to whole milliseconds. */
    public Duration delay(int retry) {
        long ceiling = ceiling(retry).toNanos();
        double r = random.getAsDouble();
        if (r < 0 || r >= 1) {
            throw new IllegalStateException("random value outside [0, 1): " + r);
        }
        long nanos = ceiling / 2 + (long) (r * (ceiling - ceiling / 2));
        return Duration.ofMillis(Duration.ofNanos(nanos).toMillis());
    }

    /** Waits before the n-th retry and returns how long. */
    public Duration pause(int retry) throws InterruptedException {
        Duration d = delay(retry);
        sleep(d);
        return d;
    }

    /** Waits a {@link #delay} computed earlier (to log it first). */
    public void sleep(Duration delay) throws InterruptedException {
        sleeper.sleep(delay);
    }
}
