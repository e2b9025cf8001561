package dev.bulwark.config.model;

import dev.bulwark.ratelimit.Algorithm;
import java.time.Duration;

/**
 * {@code protections.<key>}: a named protection. Its stages always run in Bulwark's one order,
 * whatever the order they are written in: fallback → rate limit → shed → adaptive concurrency →
 * bulkhead → total timeout → retry → hedge → circuit breaker → attempt timeout → the call.
 *
 * @param fallback            what answers when everything inside fails
 * @param rateLimit           the rate limit of the calls
 * @param shed                whether calls are shed by their criticality under memory pressure
 * @param adaptiveConcurrency a concurrency limit that adapts to the measured latency
 * @param bulkhead            at most so many calls at once
 * @param totalTimeout        a bound on the whole call, retries included
 * @param retry               retries of failed attempts
 * @param hedge               hedged attempts of an idempotent call
 * @param circuitBreaker      the name of a breaker of {@code circuitBreakers}
 * @param attemptTimeout      a bound on each attempt
 * @param pool                the name of a pool of {@code pools}: each attempt runs with one of its resources
 */
public record ProtectionSettings(
        @Doc("What answers when everything inside fails: the last good value, then a static value.") FallbackSettings fallback,
        @Doc("The rate limit of the calls: a named rule or an inline one, per caller or for one entity.") RateLimitStageSettings rateLimit,
        @Doc(value = "Sheds calls by their criticality under memory pressure: sheddable ones from ELEVATED, all but critical ones at CRITICAL (7201).",
                defaultValue = "false") Boolean shed,
        @Doc("A concurrency limit that adapts to the measured latency (7202 beyond it).") AdaptiveConcurrencySettings adaptiveConcurrency,
        @Doc("At most so many calls at once.") BulkheadSettings bulkhead,
        @Doc("A bound on the whole call, retries and their waits included.") TimeoutSettings totalTimeout,
        @Doc("Retries of failed attempts.") RetrySettings retry,
        @Doc("Hedged attempts of an idempotent call: another attempt starts when the first is slow.") HedgeSettings hedge,
        @Doc("The name of a breaker of circuitBreakers; each attempt passes it once.") String circuitBreaker,
        @Doc("A bound on each attempt; a timed-out attempt counts as the breaker's failure.") TimeoutSettings attemptTimeout,
        @Doc("The name of a pool of pools: each attempt runs with one of its resources (PooledCall.resource), waiting inside the attempt timeout.")
        String pool) {

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

    /**
     * @param algorithm     the control law: gradient or aimd
     * @param initialLimit  the limit before anything was measured
     * @param minLimit      the floor of the limit
     * @param maxLimit      the ceiling of the limit
     * @param window        the sample window; the limit changes at most once per window
     * @param minSamples    samples a window must hold to count
     * @param tolerance     latency, as a multiple of the unloaded latency, below which there is no congestion
     * @param backoffRatio  aimd: the multiplicative decrease
     * @param slowStart     whether the limit doubles per window until the first congestion
     * @param probeInterval windows between two probes of the unloaded latency (0: never)
     */
    @ScalarForm
    public record AdaptiveConcurrencySettings(
            @Doc(value = "The control law: gradient or aimd.", defaultValue = "gradient") dev.bulwark.pipeline.AdaptiveConcurrencyConfig.Algorithm algorithm,
            @Doc(value = "The limit before anything was measured; within [minLimit, maxLimit].", defaultValue = "20") Integer initialLimit,
            @Doc(value = "The floor: the limit never goes below it.", defaultValue = "1") Integer minLimit,
            @Doc(value = "The ceiling: the limit never goes above it.", defaultValue = "1000") Integer maxLimit,
            @Doc(value = "The sample window: the limit changes at most once per window.", defaultValue = "1s") Duration window,
            @Doc(value = "Samples a window must hold to count; a window with fewer is dropped.", defaultValue = "20") Integer minSamples,
            @Doc(value = "The latency, as a multiple in (1, 4] of the unloaded latency, below which there is no congestion.",
                    defaultValue = "1.25") Double tolerance,
            @Doc(value = "aimd only: the multiplicative decrease on congestion, in [0.5, 1).", defaultValue = "0.9") Double backoffRatio,
            @Doc(value = "Whether the limit doubles per window until the first congestion.", defaultValue = "true") Boolean slowStart,
            @Doc(value = "Windows between two probes of the unloaded latency; 0 never probes again.", defaultValue = "30") Integer probeInterval) {
    }

    /**
     * @param idempotent    the declaration that the operation may run several times at once (required: true)
     * @param maxAttempts   attempts at most, the first included
     * @param delay         a fixed delay between attempts (instead of percentile)
     * @param percentile    the delay follows this percentile of the observed latency (instead of delay)
     * @param initialDelay  with percentile: the delay until the window holds minSamples
     * @param latencyWindow with percentile: how far back the observed latencies reach
     * @param minSamples    with percentile: samples before the percentile is used
     * @param minDelay      with percentile: the least delay
     * @param maxDelay      with percentile: the greatest delay
     * @param budget        caps the extra attempts as a share of calls
     */
    public record HedgeSettings(
            @Doc("Declares the operation idempotent (it may run several times at once without harm); required, true.") Boolean idempotent,
            @Doc(value = "Attempts at most, the first included, in [2, 10].", defaultValue = "2") Integer maxAttempts,
            @Doc("A fixed delay after which the next attempt starts (instead of percentile).") Duration delay,
            @Doc("The delay follows this percentile, in (0, 100), of the observed latency (instead of delay).") Double percentile,
            @Doc("With percentile: the delay until the latency window holds minSamples.") Duration initialDelay,
            @Doc(value = "With percentile: how far back the observed latencies reach.", defaultValue = "30s") Duration latencyWindow,
            @Doc(value = "With percentile: samples the window must hold before its percentile is used.", defaultValue = "100") Integer minSamples,
            @Doc(value = "With percentile: the least delay it may give.", defaultValue = "0ms") Duration minDelay,
            @Doc(value = "With percentile: the greatest delay it may give.", defaultValue = "365d") Duration maxDelay,
            @Doc("Caps the extra attempts as a share of calls.") HedgeBudgetSettings budget) {
    }

    /**
     * @param ratio extra attempts allowed per call once the burst is spent, in (0, 1]
     * @param burst extra attempts the budget starts with
     */
    public record HedgeBudgetSettings(
            @Doc(value = "Extra attempts allowed per call once the burst is spent, in (0, 1].", defaultValue = "0.1") Double ratio,
            @Doc(value = "Extra attempts the budget starts with and never exceeds.", defaultValue = "10") Integer burst) {
    }
}
