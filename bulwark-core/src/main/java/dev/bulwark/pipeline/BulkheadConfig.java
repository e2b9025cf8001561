package dev.bulwark.pipeline;

import dev.bulwark.time.Durations;
import java.time.Duration;

/**
 * How many calls a {@link Bulkhead} lets run at once, and how long a caller may wait for a free
 * place (zero: no wait, a full bulkhead rejects at once). Immutable.
 */
public final class BulkheadConfig {

    private final int maxConcurrentCalls;
    private final Duration maxWait;

    private BulkheadConfig(int maxConcurrentCalls, Duration maxWait) {
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.maxWait = maxWait;
    }

    /**
     * At most {@code maxConcurrentCalls} calls at once; a caller that finds the bulkhead full is
     * rejected at once.
     *
     * @throws IllegalArgumentException if {@code maxConcurrentCalls} is less than 1
     */
    public static BulkheadConfig of(int maxConcurrentCalls) {
        if (maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxConcurrentCalls must be >= 1, was " + maxConcurrentCalls);
        }
        return new BulkheadConfig(maxConcurrentCalls, Duration.ZERO);
    }

    /**
     * This bulkhead, where a caller that finds it full waits up to {@code maxWait} for a place.
     *
     * @throws IllegalArgumentException if {@code maxWait} is negative, or longer than
     *                                  {@link Durations#MAX} (365 days)
     */
    public BulkheadConfig withMaxWait(Duration maxWait) {
        return new BulkheadConfig(maxConcurrentCalls, Durations.requireNonNegative("maxWait", maxWait));
    }

    public int maxConcurrentCalls() {
        return maxConcurrentCalls;
    }

    /** How long a caller waits for a place; zero for no wait. */
    public Duration maxWait() {
        return maxWait;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BulkheadConfig c && c.maxConcurrentCalls == maxConcurrentCalls && c.maxWait.equals(maxWait);
    }

    @Override
    public int hashCode() {
        return maxConcurrentCalls * 31 + maxWait.hashCode();
    }

    @Override
    public String toString() {
        return "BulkheadConfig[maxConcurrentCalls=" + maxConcurrentCalls + ", maxWait=" + maxWait + "]";
    }
}
