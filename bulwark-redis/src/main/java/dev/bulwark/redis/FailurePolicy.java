package dev.bulwark.redis;

/**
 * What a {@link RedisLimitStore} answers when Redis cannot decide: it is unreachable, slower than
 * the command timeout, or the store's circuit breaker is open because it recently was.
 *
 * <p>Whichever policy applies, the store emits {@code rate_limiter.backend_failure} with the policy
 * and the reason, and goes back to Redis by itself once Redis answers again.
 */
public enum FailurePolicy {

    /**
     * Admit the request. Availability over protection: during an outage nothing is limited.
     * The decision is {@code allowed} for the rule with the smallest limit, as if its state were
     * empty (nothing is counted). A request that no wait could ever admit (a limit of 0, a cost
     * above the limit) is still denied with {@link dev.bulwark.ratelimit.Decision#NEVER}.
     */
    FAIL_OPEN,

    /**
     * Refuse the request: {@code acquire} throws a
     * {@link dev.bulwark.ratelimit.LimitStoreUnavailableException}, which the rate limiter reports
     * as {@code RATE_LIMITER_UNAVAILABLE} (6010); {@code acquireAsync} completes exceptionally with
     * it. Protection over availability.
     */
    FAIL_CLOSED,

    /**
     * Decide with a local in-memory store instead: every process limits on its own, so a fleet of
     * N processes admits up to N times the limit until Redis is back. The local state starts empty
     * and is not merged back into Redis.
     */
    FALLBACK_LOCAL
}
