package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * A named rate-limit rule: at most {@code limit} units per {@code window}, enforced by an
 * {@link Algorithm} (the sliding window by default). Define rules once and pass them to the
 * limiter instead of repeating numbers at every call site.
 *
 * <pre>{@code
 * static final RateLimit API_CALLS = RateLimit.of("api_calls", 100, Duration.ofMinutes(1));
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class RateLimit {

    private final String name;
    private final long limit;
    private final Duration window;
    private final long windowNanos;
    private final Algorithm algorithm;

    private RateLimit(String name, long limit, Duration window, Algorithm algorithm) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(algorithm, "algorithm");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        this.limit = limit;
        this.window = window;
        this.windowNanos = window.toNanos();
        this.algorithm = algorithm;
    }

    /** A rule with the default algorithm ({@link Algorithm#SLIDING_WINDOW}). */
    public static RateLimit of(String name, long limit, Duration window) {
        return new RateLimit(name, limit, window, Algorithm.SLIDING_WINDOW);
    }

    /**
     * A rule with a chosen algorithm.
     *
     * @throws IllegalArgumentException if {@code limit} is negative or {@code window} not positive
     */
    public static RateLimit of(String name, long limit, Duration window, Algorithm algorithm) {
        return new RateLimit(name, limit, window, algorithm);
    }

    /** An unnamed rule (named {@code "<limit>/<window>"}). */
    public static RateLimit of(long limit, Duration window) {
        return of(limit + "/" + window, limit, window);
    }

    /** An unnamed rule with a chosen algorithm. */
    public static RateLimit of(long limit, Duration window, Algorithm algorithm) {
        return of(limit + "/" + window, limit, window, algorithm);
    }

    public String name() {
        return name;
    }

    /** Units admitted per window; 0 admits nothing. */
    public long limit() {
        return limit;
    }

    public Duration window() {
        return window;
    }

    public long windowNanos() {
        return windowNanos;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** This rule with another algorithm. */
    public RateLimit withAlgorithm(Algorithm other) {
        return new RateLimit(name, limit, window, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RateLimit r && limit == r.limit && windowNanos == r.windowNanos
                && algorithm == r.algorithm && name.equals(r.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, limit, windowNanos, algorithm);
    }

    @Override
    public String toString() {
        return "RateLimit[" + name + ": " + limit + " per " + window + ", " + algorithm + "]";
    }
}
