package dev.bulwark.circuit;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;

/**
 * A snapshot of one circuit breaker. Counts are since the breaker was installed (a re-install
 * starts them again); rates are those of the current measurement window.
 *
 * @param name          the breaker's name
 * @param state         its state when the snapshot was taken
 * @param okCount       calls that succeeded
 * @param meltCount     calls counted as failures (fuse's "melts"): thrown exceptions and failed results
 * @param rejectedCount calls refused without running (open, disabled, half-open full, fault injection)
 * @param ignoredCount  calls whose outcome was not counted (ignored exceptions, interrupts, cancellations)
 * @param slowCallCount calls slower than the slow-call threshold (0 without a slow-call policy)
 * @param failureRate   failures per 100 calls in the failure-rate window, or since install when the
 *                      breaker has no rate window; 0 when no call was counted
 * @param slowCallRate  slow calls per 100 calls in the slow-call window; 0 without one
 * @param timeInState   how long the breaker has been in {@code state}
 * @param retryAfter    when open, the time until it admits calls again; otherwise null
 */
public record Stats(
        String name,
        State state,
        long okCount,
        long meltCount,
        long rejectedCount,
        long ignoredCount,
        long slowCallCount,
        double failureRate,
        double slowCallRate,
        Duration timeInState,
        Duration retryAfter) implements ComponentStatus {
}
