package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;
import java.time.Duration;

/**
 * A snapshot of a {@link Hedge}'s counters since it was created.
 *
 * @param calls          calls run through the hedge
 * @param hedgedCalls    calls for which at least one extra attempt started
 * @param extraAttempts  attempts started after the first (each passed the breaker once)
 * @param wonByHedge     calls answered by an extra attempt rather than the first
 * @param budgetRefusals extra attempts refused by the hedge budget
 * @param allFailed      calls of more than one attempt that all failed (error 7301)
 * @param delay          the delay in force now (a percentile delay's current estimate)
 * @param budgetTokens   extra attempts the budget would allow now
 */
public record HedgeStats(long calls, long hedgedCalls, long extraAttempts, long wonByHedge, long budgetRefusals,
                         long allFailed, Duration delay, double budgetTokens) implements ComponentStatus {
}
