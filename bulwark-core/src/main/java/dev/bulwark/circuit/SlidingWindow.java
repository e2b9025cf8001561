package dev.bulwark.circuit;

import java.time.Duration;
import java.util.Objects;

/**
 * The span of history a rate policy looks at: the last N calls, or the calls of the last T.
 *
 * <p>A time window is kept as {@value #SLICES} slices of {@code T / }{@value #SLICES}: an outcome
 * leaves the window between {@code T - T/}{@value #SLICES} and {@code T} after it was recorded
 * (slices are aligned to the moment the breaker last closed). Immutable.
 */
public final class SlidingWindow {

    /** How many slices a time window is divided into. */
    public static final int SLICES = 20;

    static final int MAX_CALLS = 1_000_000;
    static final Duration MIN_DURATION = Duration.ofMillis(1);
    static final Duration MAX_DURATION = Duration.ofDays(1);

    private final int calls;
    private final Duration duration;

    private SlidingWindow(int calls, Duration duration) {
        this.calls = calls;
        this.duration = duration;
    }

    /**
     * The last {@code calls} counted calls (Resilience4j's COUNT_BASED window).
     *
     * @throws IllegalArgumentException if {@code calls} is not between 1 and 1 000 000
     */
    public static SlidingWindow ofCalls(int calls) {
        if (calls < 1 || calls > MAX_CALLS) {
            throw new IllegalArgumentException("window calls must be between 1 and " + MAX_CALLS + ", was " + calls);
        }
        return new SlidingWindow(calls, null);
    }

    /**
     * The calls counted during the last {@code duration} (Resilience4j's TIME_BASED window).
     *
     * @throws IllegalArgumentException if {@code duration} is null, or not between 1 ms and 1 day
     */
    public static SlidingWindow ofDuration(Duration duration) {
        if (duration == null || duration.compareTo(MIN_DURATION) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("window duration must be between 1 ms and 1 day, was " + duration);
        }
        return new SlidingWindow(0, duration);
    }

    /** Whether this is a window of the last N calls (else of the last T). */
    public boolean isCountBased() {
        return duration == null;
    }

    /** The number of calls of a count-based window; 0 for a time-based one. */
    public int calls() {
        return calls;
    }

    /** The duration of a time-based window; null for a count-based one. */
    public Duration duration() {
        return duration;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlidingWindow w && calls == w.calls && Objects.equals(duration, w.duration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(calls, duration);
    }

    @Override
    public String toString() {
        return isCountBased() ? "last " + calls + " calls" : "last " + duration;
    }
}
