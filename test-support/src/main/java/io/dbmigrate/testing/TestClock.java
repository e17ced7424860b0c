package io.dbmigrate.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test moves by hand, ticking with real time in between: maintenance windows open and close without
 * anybody waiting for Saturday night.
 */
public final class TestClock extends Clock {
    private volatile Duration offset;

    public TestClock(Instant now) {
        set(now);
    }

    /** From now on, {@link #instant()} is {@code now} plus the real time that passes. */
    public void set(Instant now) {
        offset = Duration.between(Instant.now(), now);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the operator reads instants only");
    }
}
