package dev.bulwark;

import dev.bulwark.circuit.Stats;
import dev.bulwark.ratelimit.RateLimitStatus;
import dev.bulwark.pipeline.BulkheadStats;
import dev.bulwark.pipeline.FallbackStats;
import dev.bulwark.pipeline.RetryStats;
import dev.bulwark.pipeline.TimeoutStats;
import java.util.List;

/**
 * The state of every part of a named protection, as of now
 * ({@link Infrastructure#protectionStatus(String)}). A part that the protection does not have is
 * null. Counts are since the protection was first configured (they survive a reconfiguration that
 * keeps the part).
 *
 * @param key            the protection's key
 * @param config         the configuration in force
 * @param parts          the parts present, in pipeline order
 * @param calls          calls through the protection that have finished (the sum of the next three)
 * @param successes      calls that succeeded without the fallback
 * @param fallbacks      calls answered by the fallback
 * @param failures       calls that ended with an error
 * @param circuitBreaker the breaker's stats (state, counts, rates), or null (also while it is not installed)
 * @param rateLimit      the limiter's status of the configured entity and operation, or null
 *                       (also for a per-caller limit, whose entities are many)
 * @param bulkhead       places in flight, waiting, admitted and rejected
 * @param totalTimeout   calls and timeouts of the total timeout
 * @param retry          retries, exhaustions and the budget's tokens
 * @param attemptTimeout calls and timeouts of the attempt timeout
 * @param fallback       fallback answers and the age of the last good value
 */
public record ProtectionStatus(
        String key,
        Protection config,
        List<String> parts,
        long calls,
        long successes,
        long fallbacks,
        long failures,
        Stats circuitBreaker,
        RateLimitStatus rateLimit,
        BulkheadStats bulkhead,
        TimeoutStats totalTimeout,
        RetryStats retry,
        TimeoutStats attemptTimeout,
        FallbackStats fallback) {
}
