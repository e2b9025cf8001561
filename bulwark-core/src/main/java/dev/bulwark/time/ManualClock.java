package dev.bulwark.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for tests: {@code advance(Duration.ofSeconds(60))}
 * makes a minute pass for every component built on it, instantly and deterministically.
 *
 * <p>Monotonic time starts at an arbitrary non-zero value (so code cannot assume zero) and wall
 * time at a fixed instant; both move together. Thread-safe.
 */
public final class ManualClock implements Clock {

    /** The default start of wall time: 2025-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private static final long NANO_ORIGIN = 1_000_000_000_000L;

    private final AtomicLong elapsedNanos = new AtomicLong();
    private final long wallStartMillis;

    /** A clock whose wall time starts at {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /** A clock whose wall time starts at {@code wallStart}. */
    public ManualClock(Instant wallStart) {
        this.wallStartMillis = wallStart.toEpochMilli();
    }

    @Override
    public long nanoTime() {
        return NANO_ORIGIN + elapsedNanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return wallStartMillis + elapsedNanos.get() / 1_000_000L;
    }

    /**
     * Moves time forward.
     *
     * @throws IllegalArgumentException if {@code amount} is negative (monotonic time never goes back)
     */
    public ManualClock advance(Duration amount) {
        return advanceNanos(amount.toNanos());
    }

    /** Moves time forward by {@code millis} milliseconds. */
    public ManualClock advanceMillis(long millis) {
        return advanceNanos(Math.multiplyExact(millis, 1_000_000L));
    }

    /** Moves time forward by {@code nanos} nanoseconds. */
    public ManualClock advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a clock cannot go back: amount was " + nanos + " ns");
        }
        elapsedNanos.addAndGet(nanos);
        return this;
    }

    /** Time elapsed since this clock was created. */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos.get());
    }

    @Override
    public String toString() {
        return "ManualClock[elapsed=" + elapsed() + "]";
    }
}
