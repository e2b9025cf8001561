package dev.bulwark.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of a rate-limit check, for its <em>deciding rule</em>: when allowed, the rule with
 * the fewest units remaining; when denied, the denying rule with the longest wait (see
 * {@link LimitStore} for the exact rules and tie-breaks).
 *
 * @param allowed         whether the request was admitted (and its cost recorded against every rule)
 * @param limit           the limit of the deciding rule ({@code rule.limit()})
 * @param remaining       units of the deciding rule that one request could still take right after
 *                        this decision, {@code 0 <= remaining <= limit}
 * @param retryAfterNanos 0 when allowed; when denied, the exact wait (at least 1 ns) after which the
 *                        same request would be admitted if nothing else were recorded meanwhile, or
 *                        {@link #NEVER} when it can never be (limit 0, cost above the limit)
 * @param resetAfterNanos time until the deciding rule is back to its full limit if nothing else is recorded
 * @param rule            the deciding rule
 * @param reason          null for the rule's own verdict; for a denial the store made without asking
 *                        the rule, why: {@link #KEY_BOUND} (the store holds as many keys as it may and
 *                        this key is new) or {@link #HASH_FLOOD} (too many keys collide with this one)
 */
public record Decision(boolean allowed, long limit, long remaining, long retryAfterNanos, long resetAfterNanos,
                       RateLimit rule, String reason) {

    /** {@link #retryAfterNanos()} of a request that no wait can admit: limit 0, or cost above the limit. */
    public static final long NEVER = Long.MAX_VALUE;
    /** {@link #reason()} of a new key refused because the store is at its bound on live keys. */
    public static final String KEY_BOUND = "key_bound";
    /** {@link #reason()} of a new key refused because too many keys collide with its hash. */
    public static final String HASH_FLOOD = "hash_flood";

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if the limit differs from the rule's, remaining is outside
     *                                  {@code [0, limit]}, resetAfter is negative, an allowed decision
     *                                  has a wait or a denied one has none
     */
    public Decision {
        Objects.requireNonNull(rule, "rule");
        if (limit != rule.limit()) {
            throw new IllegalArgumentException("limit " + limit + " differs from the rule's " + rule);
        }
        if (remaining < 0 || remaining > limit) {
            throw new IllegalArgumentException("remaining must be in [0, " + limit + "], was " + remaining);
        }
        if (resetAfterNanos < 0) {
            throw new IllegalArgumentException("resetAfterNanos must be >= 0, was " + resetAfterNanos);
        }
        if (allowed ? retryAfterNanos != 0 : retryAfterNanos < 1) {
            throw new IllegalArgumentException((allowed ? "an allowed" : "a denied") + " decision cannot have retryAfterNanos "
                    + retryAfterNanos);
        }
        if (allowed && reason != null) {
            throw new IllegalArgumentException("an allowed decision cannot have a reason, was '" + reason + "'");
        }
    }

    /** A decision of the rule itself (no {@link #reason()}). */
    public Decision(boolean allowed, long limit, long remaining, long retryAfterNanos, long resetAfterNanos, RateLimit rule) {
        this(allowed, limit, remaining, retryAfterNanos, resetAfterNanos, rule, null);
    }

    /** An admission of {@code rule}. */
    public static Decision allowed(RateLimit rule, long remaining, long resetAfterNanos) {
        java.util.Objects.requireNonNull(rule, "rule");
        return new Decision(true, rule.limit(), remaining, 0, resetAfterNanos, rule);
    }

    /** A denial by {@code rule}; {@code retryAfterNanos} is at least 1, or {@link #NEVER}. */
    public static Decision denied(RateLimit rule, long remaining, long retryAfterNanos, long resetAfterNanos) {
        java.util.Objects.requireNonNull(rule, "rule");
        return new Decision(false, rule.limit(), remaining, retryAfterNanos, resetAfterNanos, rule);
    }

    /**
     * A denial the store made without asking the rule (a new key at the key bound, a hash flood):
     * nothing remaining, and {@code waitNanos} both as the wait and the reset time.
     */
    public static Decision refused(RateLimit rule, long waitNanos, String reason) {
        Objects.requireNonNull(rule, "rule");
        return new Decision(false, rule.limit(), 0, waitNanos, waitNanos, rule, Objects.requireNonNull(reason, "reason"));
    }

    /** Units of the deciding rule in use: {@code limit - remaining}. */
    public long used() {
        return limit - remaining;
    }

    /** Whether waiting can help: allowed, or denied with a finite {@link #retryAfterNanos()}. */
    public boolean canSucceedLater() {
        return retryAfterNanos != NEVER;
    }

    /** {@link #retryAfterNanos()} as a {@link Duration} ({@code Duration.ofNanos(NEVER)}, about 292 years, for never). */
    public Duration retryAfter() {
        return Duration.ofNanos(retryAfterNanos);
    }

    /** {@link #resetAfterNanos()} as a {@link Duration}. */
    public Duration resetAfter() {
        return Duration.ofNanos(resetAfterNanos);
    }
}
