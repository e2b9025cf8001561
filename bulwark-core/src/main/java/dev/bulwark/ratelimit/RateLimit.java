package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A rate-limit rule: at most {@code limit} units per {@code window}, enforced by an
 * {@link Algorithm} (the sliding window by default). Define rules once and pass them to the
 * limiter instead of repeating numbers at every call site.
 *
 * <pre>{@code
 * static final RateLimit API_CALLS = RateLimit.of("api_calls", 100, Duration.ofMinutes(1));
 * static final RateLimit LOGIN = RateLimit.of("login", 5, Duration.ofMinutes(15), Algorithm.GCRA);
 * }</pre>
 *
 * <p><b>Identity of state.</b> Under one key ({@code entityId}, {@code operation}) a store keeps
 * one state per distinct ({@link #limit()}, {@link #window()}, {@link #algorithm()}); the
 * {@link #name()} is only a label (it names the rule in decisions, errors, events and the
 * {@code RateLimit-Policy} header). {@link #sameState(RateLimit)} tells whether two rules share
 * state.
 *
 * <p><b>Bounds.</b> {@code 0 <= limit <=} {@link #MAX_LIMIT} and
 * {@code 1 ns <= window <=} {@link #MAX_WINDOW}; a limit of 0 admits nothing.
 *
 * <p>Immutable and thread-safe.
 */
public final class RateLimit {

    /** The largest limit: {@value} units per window (2<sup>31</sup> − 1). */
    public static final long MAX_LIMIT = Integer.MAX_VALUE;

    /** The longest window: 366 days. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);

    /** Dense ids of distinct (limit, window, algorithm) triples; in-memory stores index their tables by it. */
    private static final ConcurrentHashMap<StateKey, Integer> STATE_IDS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_STATE_ID = new AtomicInteger();

    private final String name;
    private final long limit;
    private final Duration window;
    private final long windowNanos;
    private final Algorithm algorithm;
    private final int stateId;

    private RateLimit(String name, long limit, Duration window, Algorithm algorithm) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(algorithm, "algorithm");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ", was " + limit);
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        if (window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("window must be at most " + MAX_WINDOW + ", was " + window);
        }
        this.name = name;
        this.limit = limit;
        this.window = window;
        this.windowNanos = window.toNanos();
        this.algorithm = algorithm;
        this.stateId = STATE_IDS.computeIfAbsent(new StateKey(limit, windowNanos, algorithm),
                k -> NEXT_STATE_ID.getAndIncrement());
    }

    /**
     * A rule with the default algorithm ({@link Algorithm#SLIDING_WINDOW}).
     *
     * @throws IllegalArgumentException if the name is blank, the limit is outside
     *                                  {@code [0, MAX_LIMIT]} or the window outside {@code (0, MAX_WINDOW]}
     * @throws NullPointerException     if the name or the window is null
     */
    public static RateLimit of(String name, long limit, Duration window) {
        return new RateLimit(name, limit, window, Algorithm.SLIDING_WINDOW);
    }

    /**
     * A rule with a chosen algorithm.
     *
     * @throws IllegalArgumentException if the name is blank, the limit is outside
     *                                  {@code [0, MAX_LIMIT]} or the window outside {@code (0, MAX_WINDOW]}
     * @throws NullPointerException     if an argument is null
     */
    public static RateLimit of(String name, long limit, Duration window, Algorithm algorithm) {
        return new RateLimit(name, limit, window, algorithm);
    }

    /**
     * An unnamed rule with the default algorithm, labelled {@code "<limit>/<window>"} (e.g. {@code 100/PT1M}).
     *
     * @throws IllegalArgumentException as {@link #of(String, long, Duration)}
     */
    public static RateLimit of(long limit, Duration window) {
        return of(limit, window, Algorithm.SLIDING_WINDOW);
    }

    /**
     * An unnamed rule with a chosen algorithm.
     *
     * @throws IllegalArgumentException as {@link #of(String, long, Duration)}
     */
    public static RateLimit of(long limit, Duration window, Algorithm algorithm) {
        Objects.requireNonNull(window, "window");
        return new RateLimit(limit + "/" + window, limit, window, algorithm);
    }

    /** {@code limit} per second, default algorithm. */
    public static RateLimit perSecond(long limit) {
        return of(limit, Duration.ofSeconds(1));
    }

    /** {@code limit} per minute, default algorithm. */
    public static RateLimit perMinute(long limit) {
        return of(limit, Duration.ofMinutes(1));
    }

    /** {@code limit} per hour, default algorithm. */
    public static RateLimit perHour(long limit) {
        return of(limit, Duration.ofHours(1));
    }

    /** The label of this rule. */
    public String name() {
        return name;
    }

    /** Units admitted per window; 0 admits nothing. */
    public long limit() {
        return limit;
    }

    /** The window length. */
    public Duration window() {
        return window;
    }

    /** The window length in nanoseconds. */
    public long windowNanos() {
        return windowNanos;
    }

    /** The algorithm enforcing this rule. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /**
     * The emission interval of {@link Algorithm#GCRA} and {@link Algorithm#LEAKY_BUCKET}:
     * {@code ceil(window / limit)} nanoseconds per unit (0 when the limit is 0).
     */
    public long emissionIntervalNanos() {
        return limit == 0 ? 0 : (windowNanos + limit - 1) / limit;
    }

    /** This rule with another algorithm (same name, limit and window). */
    public RateLimit withAlgorithm(Algorithm algorithm) {
        return new RateLimit(name, limit, window, Objects.requireNonNull(algorithm, "algorithm"));
    }

    /** This rule with another name. */
    public RateLimit named(String name) {
        return new RateLimit(Objects.requireNonNull(name, "name"), limit, window, algorithm);
    }

    /** Whether {@code other} has the same limit, window and algorithm, and so shares state under a key. */
    public boolean sameState(RateLimit other) {
        return stateId == Objects.requireNonNull(other, "other").stateId;
    }

    /**
     * A dense, JVM-wide id of this rule's (limit, window, algorithm); equal ids mean
     * {@link #sameState(RateLimit) shared state}. Used by in-memory stores to index their tables.
     */
    int stateId() {
        return stateId;
    }

    /** Equal when name, limit, window and algorithm are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RateLimit r && stateId == r.stateId && name.equals(r.name);
    }

    @Override
    public int hashCode() {
        return 31 * stateId + name.hashCode();
    }

    @Override
    public String toString() {
        return "RateLimit[" + name + ": " + limit + " per " + window + ", " + algorithm + "]";
    }

    private record StateKey(long limit, long windowNanos, Algorithm algorithm) {
    }
}
