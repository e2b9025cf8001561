package dev.bulwark.time;

import java.time.Instant;

/**
 * The source of time for every Bulwark component: a monotonic nanosecond counter for measuring
 * durations and deciding windows, and a wall clock for timestamps.
 *
 * <p>Components never call {@link System#nanoTime()} themselves; pass a {@link ManualClock} to
 * {@code Infrastructure.builder().clock(..)} to drive time from a test. Implementations must be
 * thread-safe.
 */
public interface Clock {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** Wall-clock time in milliseconds since the epoch. */
    long currentTimeMillis();

    /** Wall-clock time as an {@link Instant}. */
    default Instant instant() {
        return Instant.ofEpochMilli(currentTimeMillis());
    }

    /** The system clock: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
