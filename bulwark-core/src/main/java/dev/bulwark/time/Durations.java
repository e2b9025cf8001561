package dev.bulwark.time;

import java.time.Duration;

/**
 * The one rule for the durations Bulwark is configured with: timeouts, waits, backoffs, open
 * durations, trial timeouts, sweep intervals, the Redis store's timeouts. Each is checked when it
 * is set, and none may be longer than {@link #MAX} (365 days), so that every duration a component
 * holds fits in a {@code long} of nanoseconds with room for the arithmetic done on it. A longer one
 * (a {@code Duration} of 10 000 years does not fit in nanoseconds at all) is refused at once with
 * an {@link IllegalArgumentException} naming the setting and the value, instead of failing with an
 * {@link ArithmeticException} when it is first used.
 *
 * <p>Rate-limit windows have their own, documented bound ({@code RateLimit.MAX_WINDOW}, 366 days,
 * for yearly limits with a leap day) and breaker sliding windows theirs (1 day); both are within
 * the same reach of a {@code long}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Durations {

    /** The longest configurable duration: 365 days. */
    public static final Duration MAX = Duration.ofDays(365);

    private Durations() {
    }

    /**
     * {@code value}, if it is positive and at most {@link #MAX}.
     *
     * @param name the setting's name, quoted in the message
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is zero, negative or longer than {@link #MAX}
     */
    public static Duration requirePositive(String name, Duration value) {
        requireNonNull(name, value);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return requireAtMostMax(name, value);
    }

    /**
     * {@code value}, if it is zero or positive and at most {@link #MAX}.
     *
     * @param name the setting's name, quoted in the message
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is negative or longer than {@link #MAX}
     */
    public static Duration requireNonNegative(String name, Duration value) {
        requireNonNull(name, value);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        return requireAtMostMax(name, value);
    }

    private static void requireNonNull(String name, Duration value) {
        java.util.Objects.requireNonNull(name, "name");
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    private static Duration requireAtMostMax(String name, Duration value) {
        if (value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(name + " must be at most 365 days (" + MAX + "), was " + value);
        }
        return value;
    }
}
