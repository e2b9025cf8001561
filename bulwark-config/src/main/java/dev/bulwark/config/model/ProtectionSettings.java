package dev.bulwark.config.model;

import dev.bulwark.ratelimit.Algorithm;
import java.time.Duration;

/**
 * {@code protections.<key>}: a named protection. Its stages always run in Bulwark's one order,
 * whatever the order they are written in: fallback → rate limit → bulkhead → total timeout →
 * retry → circuit breaker → attempt timeout → the call.
 *
 * @param fallback       what answers when everything inside fails
 * @param rateLimit      the rate limit of the calls
 * @param bulkhead       at most so many calls at once
 * @param totalTimeout   a bound on the whole call, retries included
 * @param retry          retries of failed attempts
 * @param circuitBreaker the name of a breaker of {@code circuitBreakers}
 * @param attemptTimeout a bound on each attempt
 */
public record ProtectionSettings(
        @Doc("What answers when everything inside fails: the last good value, then a static value.") FallbackSettings fallback,
        @Doc("The rate limit of the calls: a named rule or an inline one, per caller or for one entity.") RateLimitStageSettings rateLimit,
        @Doc("At most so many calls at once.") BulkheadSettings bulkhead,
        @Doc("A bound on the whole call, retries and their waits included.") TimeoutSettings totalTimeout,
        @Doc("Retries of failed attempts.") RetrySettings retry,
        @Doc("The name of a breaker of circuitBreakers; each attempt passes it once.") String circuitBreaker,
        @Doc("A bound on each attempt; a timed-out attempt counts as the breaker's failure.") TimeoutSettings attemptTimeout) {

    /**
     * @param value         a static answer (a string, number, boolean, list or map)
     * @param lastGoodValue answer the last success's value while it is at most this old
     */
    public record FallbackSettings(
            @Doc("A static answer: a string, number, boolean, list or map.") Object value,
            @Doc("Answers the last success's value while it is at most this old; tried before value.") Duration lastGoodValue) {
    }

    /**
     * @param rule      a rule of {@code rateLimits} (or limit and window inline)
     * @param limit     inline: units per window
     * @param window    inline: the window
     * @param algorithm inline: the algorithm
     * @param operation the operation counted; defaults to the protection's key
     * @param entity    one fixed entity for every call; left out, each call names its caller
     */
    public record RateLimitStageSettings(
            @Doc("A rule of rateLimits (instead of limit and window).") String rule,
            @Doc("Inline rule: units admitted per window.") Long limit,
            @Doc("Inline rule: the window length.") Duration window,
            @Doc(value = "Inline rule: the algorithm.", defaultValue = "sliding_window") Algorithm algorithm,
            @Doc("The operation counted; defaults to the protection's key.") String operation,
            @Doc("One entity that every call counts against; left out, each call names its caller.") String entity) {
    }

    /**
     * @param maxConcurrentCalls calls at once
     * @param maxWait            how long a caller may wait for a place (0: none)
     */
    @ScalarForm
    public record BulkheadSettings(
            @Doc("Calls at once.") Integer maxConcurrentCalls,
            @Doc(value = "How long a caller waits for a place; 0 rejects at once.", defaultValue = "0ms") Duration maxWait) {
    }

    /**
     * @param timeout   the bound
     * @param interrupt whether a timed-out call is interrupted (its future cancelled)
     */
    @ScalarForm
    public record TimeoutSettings(
            @Doc("The bound.") Duration timeout,
            @Doc(value = "Whether a timed-out call is interrupted (its future cancelled).", defaultValue = "true") Boolean interrupt) {
    }

    /** How a retry waits. */
    public enum Backoff {
        /** A wait growing by {@code multiplier} from {@code initialDelay} up to {@code maxDelay}. */
        EXPONENTIAL,
        /** The same {@code delay} before every retry. */
        FIXED,
        /** No wait. */
        NONE
    }

    /**
     * @param maxAttempts   attempts in all, the first included
     * @param backoff       exponential, fixed or none
     * @param delay         fixed: the wait
     * @param initialDelay  exponential: the first wait
     * @param maxDelay      exponential: the longest wait
     * @param multiplier    exponential: growth per retry
     * @param jitter        the largest random share by which a wait is shortened
     * @param maxRetryAfter the longest {@code retryAfter} of an error still waited for
     * @param budget        caps retries as a share of calls
     */
    public record RetrySettings(
            @Doc(value = "Attempts in all, the first one included.", defaultValue = "3") Integer maxAttempts,
            @Doc(value = "exponential, fixed (with delay) or none.", defaultValue = "exponential") Backoff backoff,
            @Doc("Fixed backoff: the wait before every retry.") Duration delay,
            @Doc(value = "Exponential backoff: the first wait.", defaultValue = "100ms") Duration initialDelay,
            @Doc(value = "Exponential backoff: the longest wait.", defaultValue = "10s") Duration maxDelay,
            @Doc(value = "Exponential backoff: growth per retry, in [1, 100].", defaultValue = "2") Double multiplier,
            @Doc(value = "The largest random share, in [0, 1], by which a wait is shortened.", defaultValue = "0") Double jitter,
            @Doc(value = "The longest retryAfter of an error (open breaker, rate limit) still waited for.", defaultValue = "30s") Duration maxRetryAfter,
            @Doc("Caps retries as a share of calls.") RetryBudgetSettings budget) {
    }

    /**
     * @param retryRatio retries allowed per call once the burst is spent, in (0, 10]
     * @param burst      tokens the budget starts with
     */
    public record RetryBudgetSettings(
            @Doc("Retries allowed per call once the burst is spent, in (0, 10].") Double retryRatio,
            @Doc(value = "Retries the budget starts with and never exceeds.", defaultValue = "10") Integer burst) {
    }
}
