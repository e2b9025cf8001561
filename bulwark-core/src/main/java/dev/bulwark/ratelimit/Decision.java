package dev.bulwark.ratelimit;

import java.time.Duration;

/**
 * The answer of a rate-limit check.
 *
 * @param allowed         whether the request was admitted (and its cost recorded)
 * @param limit           the limit of the deciding rule (the most restrictive one when several apply)
 * @param remaining       units still available in the deciding rule after this decision
 * @param retryAfterNanos when denied, the exact wait until the same request could be admitted; 0 when allowed
 * @param resetAfterNanos time until the deciding rule is back to its full limit
 * @param rule            the deciding rule (for a denial, the rule that denied)
 */
public record Decision(boolean allowed, long limit, long remaining, long retryAfterNanos, long resetAfterNanos,
                       RateLimit rule) {

    /** {@link #retryAfterNanos()} as a {@link Duration}. */
    public Duration retryAfter() {
        return Duration.ofNanos(retryAfterNanos);
    }

    /** {@link #resetAfterNanos()} as a {@link Duration}. */
    public Duration resetAfter() {
        return Duration.ofNanos(resetAfterNanos);
    }
}
