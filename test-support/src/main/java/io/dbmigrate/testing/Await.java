package io.dbmigrate.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. For tests waiting on state another process or thread
 * produces (an API object's status, a database row), where there is no event to block on.
 */
public final class Await {

    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    /** Waits until {@code condition} is true; fails with {@code what} (evaluated only then) after {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        value(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, what);
    }

    /** Waits until {@code probe} returns non-null and returns that value. */
    public static <T> T value(Duration timeout, Supplier<T> probe, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what.get());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get(), e);
            }
        }
    }
}
