package dev.bulwark;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.internal.pipeline.RuntimeCell;
import dev.bulwark.pipeline.AdaptiveConcurrencyConfig;
import dev.bulwark.pipeline.AdaptiveConcurrencyStage;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.BulkheadStage;
import dev.bulwark.pipeline.CircuitBreakerStage;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.FallbackStage;
import dev.bulwark.pipeline.HedgeConfig;
import dev.bulwark.pipeline.HedgeStage;
import dev.bulwark.pipeline.RateLimitStage;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.RetryStage;
import dev.bulwark.pipeline.ShedStage;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.pipeline.TimeoutStage;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.spi.Names;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.StageSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What protects a call: an ordered set of pipeline stages (fallback, rate limit, bulkhead, total
 * timeout, retry, circuit breaker, attempt timeout, and any stage of a module or of your own), run
 * by {@link Infrastructure#executeProtected(Protection, ThrowingSupplier)} or configured under a key
 * with {@link Infrastructure#configureProtection(String, Protection)}.
 *
 * <pre>{@code
 * Protection inventory = Protection.builder()
 *         .name("inventory")
 *         .fallback(FallbackConfig.ofLastGoodValue(Duration.ofMinutes(1)))
 *         .rateLimitPerCaller("inventory.read", 20, Duration.ofSeconds(1))
 *         .bulkhead(BulkheadConfig.of(16))
 *         .totalTimeout(Duration.ofSeconds(2))
 *         .retry(RetryConfig.builder().maxAttempts(3).exponentialBackoff(Duration.ofMillis(50), Duration.ofMillis(400)).jitter(0.5).build())
 *         .circuitBreaker("inventory", CircuitBreakerConfig.defaults())
 *         .attemptTimeout(Duration.ofMillis(500))
 *         .build();
 * Result<Stock> stock = infra.executeProtected(inventory, userId, () -> client.stock(sku));
 * }</pre>
 *
 * <h2>Order</h2>
 * Whatever the order of the builder calls, the stages always nest in the order of their
 * {@link Slot}s, outermost first:
 * <pre>
 * fallback → rate limit → shed → adaptive concurrency → bulkhead → total timeout → retry → hedge
 *          → circuit breaker → attempt timeout → pool → the call
 * </pre>
 * So a rate-limited or bulkhead-rejected call is not retried; each attempt of a retry asks the
 * breaker again and is counted by it once; a retry waits within the total timeout; and the
 * fallback answers whatever error comes out, rejections included. A stage of your own
 * ({@link Builder#stage(StageSpec)}) takes its place by its slot's order (docs/architecture.md).
 *
 * <h2>State</h2>
 * A protection is an immutable description. The circuit breaker and the rate limits keep their
 * state in the infrastructure (the breaker registry by name, the limiter by entity and
 * operation). The other stateful stages — the bulkhead's places, the retry budget, the last good
 * value of the fallback — belong to the named protection, or, for a protection used directly, to
 * this instance: build it once and reuse it (a new {@code Protection} per call gets a new
 * bulkhead each time).
 *
 * <h2>Circuit breaker</h2>
 * {@link Builder#circuitBreaker(String)} uses the breaker installed under that name; a call fails
 * with 5005 while none is. {@link Builder#circuitBreaker(String, CircuitBreakerConfig)} installs it
 * with that configuration when it is missing, or re-installs it when its configuration is another
 * one (which, as fuse does, starts its history afresh; an equal configuration keeps it).
 *
 * <h2>Fallback type</h2>
 * The fallback's value is returned as the call's result: use a protection with a fallback only
 * for calls whose result has the fallback's type.
 *
 * <p>Immutable and thread-safe; {@link #equals} compares the name and every stage's configuration.
 */
public final class Protection {

    /** The names of core's slots, in pipeline order (outermost first), as reported in events and status. */
    public static final List<String> PART_ORDER = Slot.coreSlots().stream().map(Slot::name).toList();

    private final String name;
    /** The stages by slot, in pipeline order. */
    private final TreeMap<Slot, StageSpec> stages;
    private final List<String> parts;

    /** The runtime of this instance when used directly (not under a key); see "State" above. */
    final RuntimeCell directRuntime = new RuntimeCell();

    private Protection(Builder b) {
        this.stages = new TreeMap<>(b.stages);
        List<String> present = new ArrayList<>();
        for (Slot slot : stages.keySet()) {
            present.add(slot.name());
        }
        this.parts = List.copyOf(present);
        CircuitBreakerStage breaker = circuitBreaker();
        RateLimitStage rateLimit = rateLimit();
        this.name = b.name != null ? b.name
                : breaker != null ? breaker.name()
                : rateLimit != null ? rateLimit.operation()
                : "protection";
    }

    /**
     * The first of the two original forms (docs/pipeline.md): the call runs through the circuit breaker installed under {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Protection circuitBreaker(String name) {
        return builder().circuitBreaker(name).build();
    }

    /**
     * The second of the two original forms (docs/pipeline.md): the call runs if {@code entityId} is within {@code limit} calls of
     * {@code operation} per {@code window} (sliding window).
     *
     * @throws IllegalArgumentException if a name is blank, {@code limit} is negative or {@code window} not positive
     */
    public static Protection rateLimit(String entityId, String operation, long limit, Duration window) {
        return builder().rateLimit(entityId, operation, limit, window).build();
    }

    /** A builder with no stage. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with this protection's name and stages, to derive a changed copy: each inherited
     * stage may be replaced once, or removed with {@link Builder#without(Slot)}.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.stages.putAll(stages);
        b.inherited.addAll(stages.keySet());
        return b;
    }

    /**
     * The name reported in events and given to the stages (default: the breaker's name, else the
     * rate-limited operation, else {@code "protection"}); a named protection reports its key.
     */
    public String name() {
        return name;
    }

    /** The names of the slots present, in pipeline order. */
    public List<String> parts() {
        return parts;
    }

    /** The stages, in pipeline order (outermost first). */
    public List<StageSpec> stages() {
        return List.copyOf(stages.values());
    }

    /** The stage in {@code slot}, or null. */
    public StageSpec stage(Slot slot) {
        return stages.get(Objects.requireNonNull(slot, "slot"));
    }

    /** The fallback's configuration, or null. */
    public FallbackConfig<?> fallback() {
        return stage(Slot.FALLBACK) instanceof FallbackStage f ? f.config() : null;
    }

    /** The rate limit stage, or null. */
    public RateLimitStage rateLimit() {
        return stage(Slot.RATE_LIMIT) instanceof RateLimitStage r ? r : null;
    }

    /** The bulkhead's configuration, or null. */
    public BulkheadConfig bulkhead() {
        return stage(Slot.BULKHEAD) instanceof BulkheadStage b ? b.config() : null;
    }

    /** The total timeout, or null. */
    public TimeoutConfig totalTimeout() {
        return stage(Slot.TOTAL_TIMEOUT) instanceof TimeoutStage t ? t.config() : null;
    }

    /** The retry's configuration, or null. */
    public RetryConfig retry() {
        return stage(Slot.RETRY) instanceof RetryStage r ? r.config() : null;
    }

    /** The circuit breaker stage, or null. */
    public CircuitBreakerStage circuitBreaker() {
        return stage(Slot.CIRCUIT_BREAKER) instanceof CircuitBreakerStage c ? c : null;
    }

    /** The attempt timeout, or null. */
    public TimeoutConfig attemptTimeout() {
        return stage(Slot.ATTEMPT_TIMEOUT) instanceof TimeoutStage t ? t.config() : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Protection p && name.equals(p.name) && stages.equals(p.stages);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + stages.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Protection[").append(name);
        for (Map.Entry<Slot, StageSpec> e : stages.entrySet()) {
            sb.append(", ").append(e.getKey().name()).append('=').append(e.getValue());
        }
        return sb.append(']').toString();
    }

    private static String requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must be non-blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    /**
     * Builds a {@link Protection}; not thread-safe. Each slot may be set once (setting it again
     * throws, quoting what it was set to); the order of the calls does not matter. Every setter
     * validates its arguments at once.
     */
    public static final class Builder {
        private String name;
        private final TreeMap<Slot, StageSpec> stages = new TreeMap<>();
        /** Slots copied by {@link Protection#toBuilder()}: each may be replaced once. */
        private final java.util.Set<Slot> inherited = new java.util.HashSet<>();

        private Builder() {
        }

        /**
         * The name reported in events (see {@link Protection#name()}).
         *
         * @throws IllegalArgumentException if it is not a valid name ({@link Names}: not blank, at most 255
         *                                  characters, no control characters)
         */
        public Builder name(String name) {
            this.name = Names.require("protection name", name);
            return this;
        }

        /**
         * Adds a stage: one of core's (the methods below are shorthands) or a module's or your own.
         *
         * @throws IllegalStateException if its slot already holds a stage
         * @throws IllegalArgumentException if another stage holds a slot of the same order
         */
        public Builder stage(StageSpec stage) {
            Objects.requireNonNull(stage, "stage");
            Slot slot = Objects.requireNonNull(stage.slot(), "stage.slot()");
            StageSpec earlier = stages.get(slot);
            if (earlier != null && !inherited.remove(slot)) {
                throw new IllegalStateException(slot.name() + " was already set to " + earlier);
            }
            for (Slot taken : stages.keySet()) {
                if (taken.order() == slot.order() && !taken.equals(slot)) {
                    throw new IllegalArgumentException("slot " + slot + " has the order of " + taken + ", set to "
                            + stages.get(taken));
                }
            }
            stages.put(slot, stage);
            return this;
        }

        /** Removes the stage in {@code slot}, if any (to derive a copy without it). */
        public Builder without(Slot slot) {
            stages.remove(Objects.requireNonNull(slot, "slot"));
            inherited.remove(slot);
            return this;
        }

        /** Graceful degradation: what answers when everything inside fails. */
        public Builder fallback(FallbackConfig<?> fallback) {
            return stage(new FallbackStage(Objects.requireNonNull(fallback, "fallback")));
        }

        /** At most {@code limit} calls of {@code operation} by {@code entityId} per {@code window} (sliding window). */
        public Builder rateLimit(String entityId, String operation, long limit, Duration window) {
            return rateLimit(entityId, operation, RateLimit.of(limit, window));
        }

        /** {@code entityId}'s calls of {@code operation} within {@code rule}. */
        public Builder rateLimit(String entityId, String operation, RateLimit rule) {
            return stage(new RateLimitStage(requireText("entityId", entityId), operation, rule));
        }

        /**
         * A limit per caller: each call names its entity
         * ({@link Infrastructure#executeProtected(Protection, String, ThrowingSupplier)}).
         */
        public Builder rateLimitPerCaller(String operation, long limit, Duration window) {
            return rateLimitPerCaller(operation, RateLimit.of(limit, window));
        }

        /** A limit per caller with a given rule. */
        public Builder rateLimitPerCaller(String operation, RateLimit rule) {
            return stage(RateLimitStage.perCaller(operation, rule));
        }

        /** A concurrency limit that adapts to the latency measured (rejections: 7202). */
        public Builder adaptiveConcurrency(AdaptiveConcurrencyConfig limit) {
            return stage(new AdaptiveConcurrencyStage(Objects.requireNonNull(limit, "limit")));
        }

        /**
         * Load shedding under memory pressure ({@link ShedStage}): at ELEVATED pressure sheddable
         * calls are rejected (7201), at CRITICAL all but critical ones. Give a call's criticality
         * with {@link Infrastructure#executeProtected(String, String, dev.bulwark.pipeline.Criticality, ThrowingSupplier)}.
         */
        public Builder shed() {
            return stage(new ShedStage());
        }

        /** At most so many calls at once. */
        public Builder bulkhead(BulkheadConfig bulkhead) {
            return stage(new BulkheadStage(Objects.requireNonNull(bulkhead, "bulkhead")));
        }

        /** A bound on the whole call, retries and their waits included. */
        public Builder totalTimeout(Duration timeout) {
            return totalTimeout(TimeoutConfig.of(timeout));
        }

        /** A bound on the whole call, retries and their waits included. */
        public Builder totalTimeout(TimeoutConfig timeout) {
            return stage(TimeoutStage.total(Objects.requireNonNull(timeout, "timeout")));
        }

        /** Retries of failed attempts. */
        public Builder retry(RetryConfig retry) {
            return stage(new RetryStage(Objects.requireNonNull(retry, "retry")));
        }

        /**
         * Hedged attempts of an idempotent call (inside the retry, outside the breaker): the config
         * carries the caller's declaration that the operation is idempotent (see docs/hedging.md).
         */
        public Builder hedge(HedgeConfig hedge) {
            return stage(new HedgeStage(Objects.requireNonNull(hedge, "hedge")));
        }

        /** The breaker installed under {@code name}; calls fail with 5005 while none is. */
        public Builder circuitBreaker(String name) {
            return stage(new CircuitBreakerStage(name, null));
        }

        /** The breaker {@code name}, installed with {@code config} when missing or configured otherwise. */
        public Builder circuitBreaker(String name, CircuitBreakerConfig config) {
            return stage(new CircuitBreakerStage(name, Objects.requireNonNull(config, "config")));
        }

        /** A bound on each attempt (inside the breaker: a timed-out attempt counts as its failure). */
        public Builder attemptTimeout(Duration timeout) {
            return attemptTimeout(TimeoutConfig.of(timeout));
        }

        /** A bound on each attempt. */
        public Builder attemptTimeout(TimeoutConfig timeout) {
            return stage(TimeoutStage.attempt(Objects.requireNonNull(timeout, "timeout")));
        }

        /**
         * @throws IllegalStateException    if no stage was set
         * @throws IllegalArgumentException if the attempt timeout is longer than the total timeout
         */
        public Protection build() {
            if (stages.isEmpty()) {
                throw new IllegalStateException("a protection needs at least one stage");
            }
            if (stages.get(Slot.TOTAL_TIMEOUT) instanceof TimeoutStage total
                    && stages.get(Slot.ATTEMPT_TIMEOUT) instanceof TimeoutStage attempt
                    && attempt.config().timeout().compareTo(total.config().timeout()) > 0) {
                throw new IllegalArgumentException("attemptTimeout (" + attempt.config().timeout()
                        + ") must not be longer than totalTimeout (" + total.config().timeout() + ")");
            }
            return new Protection(this);
        }
    }
}
