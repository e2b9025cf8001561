package dev.bulwark.pipeline;

/**
 * Caps retries as a share of calls, so that retries cannot multiply the load on a dependency
 * that is already failing (the retry storm). Token-based, in the manner of gRPC's retry
 * throttling and Finagle's retry budgets:
 *
 * <ul>
 *   <li>the budget starts full, with {@link #burst()} tokens, and never holds more;</li>
 *   <li>each call (a first attempt) deposits {@link #retryRatio()} tokens;</li>
 *   <li>each retry withdraws one token; when less than one token is left, the retry is refused
 *       and the call ends with error 7004 (RETRY_BUDGET_EXHAUSTED).</li>
 * </ul>
 *
 * Hence over any run, retries ≤ {@code burst + retryRatio × calls}: with a ratio of 0.1, a
 * dependency sees at most 10 % more attempts than calls once the burst is spent, however many
 * attempts each call may make. Immutable and thread-safe; the tokens live in the {@link Retry}.
 */
public final class RetryBudget {

    private final double retryRatio;
    private final int burst;

    private RetryBudget(double retryRatio, int burst) {
        this.retryRatio = retryRatio;
        this.burst = burst;
    }

    /**
     * A budget that allows {@code retryRatio} retries per call, plus a burst of {@code burst}.
     *
     * @throws IllegalArgumentException if {@code retryRatio} is not in (0, 10] or {@code burst} is negative
     */
    public static RetryBudget of(double retryRatio, int burst) {
        if (!(retryRatio > 0 && retryRatio <= 10)) {
            throw new IllegalArgumentException("retryRatio must be in (0, 10], was " + retryRatio);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("burst must be >= 0, was " + burst);
        }
        return new RetryBudget(retryRatio, burst);
    }

    /** Retries allowed per call once the burst is spent. */
    public double retryRatio() {
        return retryRatio;
    }

    /** Tokens the budget starts with and never exceeds. */
    public int burst() {
        return burst;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryBudget b && b.retryRatio == retryRatio && b.burst == burst;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(retryRatio) * 31 + burst;
    }

    @Override
    public String toString() {
        return "RetryBudget[ratio=" + retryRatio + ", burst=" + burst + "]";
    }
}
