package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;

/**
 * A snapshot of a {@link Retry}'s counters since it was created.
 *
 * @param retries          retries made (attempts after the first)
 * @param exhausted        calls that used every attempt and still failed (error 7003)
 * @param budgetRejections retries refused by the budget (error 7004)
 * @param budgetTokens     tokens left in the budget, or {@code Double.NaN} without a budget
 */
public record RetryStats(long retries, long exhausted, long budgetRejections, double budgetTokens)
        implements ComponentStatus {
}
