package dev.bulwark;

import dev.bulwark.circuit.Stats;
import dev.bulwark.pipeline.BulkheadStats;
import dev.bulwark.pipeline.FallbackStats;
import dev.bulwark.pipeline.RetryStats;
import dev.bulwark.pipeline.ShedStage;
import dev.bulwark.pipeline.TimeoutStats;
import dev.bulwark.ratelimit.RateLimitStatus;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of every stage of a named protection, as of now
 * ({@link Infrastructure#protectionStatus(String)}). Counts are since the protection was first
 * configured (they survive a reconfiguration).
 *
 * @param key       the protection's key
 * @param config    the configuration in force
 * @param parts     the slots present, in pipeline order
 * @param calls     calls through the protection that have finished (the sum of the next three)
 * @param successes calls that succeeded without the fallback
 * @param fallbacks calls answered by the fallback
 * @param failures  calls that ended with an error
 * @param stages    each stage's typed status by slot name, in pipeline order; a stage with nothing to
 *                  report is absent (a breaker not installed yet, a per-caller rate limit, whose
 *                  entities are many)
 */
public record ProtectionStatus(
        String key,
        Protection config,
        List<String> parts,
        long calls,
        long successes,
        long fallbacks,
        long failures,
        Map<String, ComponentStatus> stages) implements ComponentStatus {

    /** The status of the stage in {@code slot}, if it is of {@code type}; else null. */
    public <S extends ComponentStatus> S stage(Slot slot, Class<S> type) {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(type, "type");
        ComponentStatus status = stages.get(slot.name());
        return type.isInstance(status) ? type.cast(status) : null;
    }

    /** The breaker's stats (state, counts, rates), or null. */
    public Stats circuitBreaker() {
        return stage(Slot.CIRCUIT_BREAKER, Stats.class);
    }

    /** The limiter's status of the configured entity and operation, or null. */
    public RateLimitStatus rateLimit() {
        return stage(Slot.RATE_LIMIT, RateLimitStatus.class);
    }

    /** The memory level and the calls shed so far, or null. */
    public ShedStage.Stats shed() {
        return stage(Slot.SHED, ShedStage.Stats.class);
    }

    /** Places in flight, waiting, admitted and rejected, or null. */
    public BulkheadStats bulkhead() {
        return stage(Slot.BULKHEAD, BulkheadStats.class);
    }

    /** Calls and timeouts of the total timeout, or null. */
    public TimeoutStats totalTimeout() {
        return stage(Slot.TOTAL_TIMEOUT, TimeoutStats.class);
    }

    /** Retries, exhaustions and the budget's tokens, or null. */
    public RetryStats retry() {
        return stage(Slot.RETRY, RetryStats.class);
    }

    /** Calls and timeouts of the attempt timeout, or null. */
    public TimeoutStats attemptTimeout() {
        return stage(Slot.ATTEMPT_TIMEOUT, TimeoutStats.class);
    }

    /** Fallback answers and the age of the last good value, or null. */
    public FallbackStats fallback() {
        return stage(Slot.FALLBACK, FallbackStats.class);
    }
}
