package dev.bulwark;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.pipeline.BulkheadConfig;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.RetryConfig;
import dev.bulwark.pipeline.TimeoutConfig;
import dev.bulwark.ratelimit.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What protects a call: any combination of fallback, rate limit, bulkhead, total timeout, retry,
 * circuit breaker and attempt timeout, run by {@link Infrastructure#executeProtected(Protection, ThrowingSupplier)}
 * or configured under a key with {@link Infrastructure#configureProtection(String, Protection)}.
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
 * Whatever the order of the builder calls, the parts always nest in this order, outermost first
 * (DESIGN §7):
 * <pre>
 * fallback → rate limit → bulkhead → total timeout → retry → circuit breaker → attempt timeout → the call
 * </pre>
 * So a rate-limited or bulkhead-rejected call is not retried; each attempt of a retry asks the
 * breaker again and is counted by it once; a retry waits within the total timeout; and the
 * fallback answers whatever error comes out, rejections included.
 *
 * <h2>State</h2>
 * A protection is an immutable description. The circuit breaker and the rate limits keep their
 * state in the infrastructure (the breaker registry by name, the limiter by entity and
 * operation). The other stateful parts — the bulkhead's places, the retry budget, the last good
 * value of the fallback — belong to the named protection, or, for a protection used directly, to
 * this instance: build it once and reuse it (a new {@code Protection} per call gets a new
 * bulkhead each time).
 *
 * <h2>Circuit breaker</h2>
 * {@link Builder#circuitBreaker(String)} uses the breaker installed under that name; a call fails
 * with 5005 while none is. {@link Builder#circuitBreaker(String, CircuitBreakerConfig)} installs it
 * with that configuration when it is missing, or re-installs it when its configuration is another
 * one (which, as fuse does, starts its history afresh).
 *
 * <h2>Fallback type</h2>
 * The fallback's value is returned as the call's result: use a protection with a fallback only
 * for calls whose result has the fallback's type.
 *
 * <p>Immutable and thread-safe; {@link #equals} compares the configuration of every part.
 */
public final class Protection {

    /** The part names, in pipeline order (outermost first), as reported in events and status. */
    public static final List<String> PART_ORDER = List.of("fallback", "rate_limit", "bulkhead", "total_timeout",
            "retry", "circuit_breaker", "attempt_timeout");

    /**
     * A rate limit part.
     *
     * @param entityId  the entity limited, or null when each call names it (per-caller limits)
     * @param operation the operation limited
     * @param rule      the limit
     */
    public record RateLimitPart(String entityId, String operation, RateLimit rule) {
        public RateLimitPart {
            Objects.requireNonNull(rule, "rule");
            requireText("operation", operation);
            if (entityId != null) {
                requireText("entityId", entityId);
            }
        }
    }

    /**
     * A circuit breaker part.
     *
     * @param name   the breaker's name in the registry
     * @param config the configuration to install it with, or null to use the installed breaker
     */
    public record CircuitBreakerPart(String name, CircuitBreakerConfig config) {
        public CircuitBreakerPart {
            requireText("circuit breaker name", name);
        }
    }

    private final String name;
    private final FallbackConfig<?> fallback;
    private final RateLimitPart rateLimit;
    private final BulkheadConfig bulkhead;
    private final TimeoutConfig totalTimeout;
    private final RetryConfig retry;
    private final CircuitBreakerPart circuitBreaker;
    private final TimeoutConfig attemptTimeout;
    private final List<String> parts;

    /** The runtime of this instance when used directly (not under a key); see "State" above. */
    volatile Object directRuntime;

    private Protection(Builder b) {
        this.fallback = b.fallback;
        this.rateLimit = b.rateLimit;
        this.bulkhead = b.bulkhead;
        this.totalTimeout = b.totalTimeout;
        this.retry = b.retry;
        this.circuitBreaker = b.circuitBreaker;
        this.attemptTimeout = b.attemptTimeout;
        List<String> present = new ArrayList<>();
        Object[] inOrder = {fallback, rateLimit, bulkhead, totalTimeout, retry, circuitBreaker, attemptTimeout};
        for (int i = 0; i < inOrder.length; i++) {
            if (inOrder[i] != null) {
                present.add(PART_ORDER.get(i));
            }
        }
        this.parts = List.copyOf(present);
        this.name = b.name != null ? b.name
                : circuitBreaker != null ? circuitBreaker.name()
                : rateLimit != null ? rateLimit.operation()
                : "protection";
    }

    /**
     * The seed's first form: the call runs through the circuit breaker installed under {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Protection circuitBreaker(String name) {
        return builder().circuitBreaker(name).build();
    }

    /**
     * The seed's second form: the call runs if {@code entityId} is within {@code limit} calls of
     * {@code operation} per {@code window} (sliding window).
     *
     * @throws IllegalArgumentException if a name is blank, {@code limit} is negative or {@code window} not positive
     */
    public static Protection rateLimit(String entityId, String operation, long limit, Duration window) {
        return builder().rateLimit(entityId, operation, limit, window).build();
    }

    /** A builder with no part. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with this protection's parts, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.fallback = fallback;
        b.rateLimit = rateLimit;
        b.bulkhead = bulkhead;
        b.totalTimeout = totalTimeout;
        b.retry = retry;
        b.circuitBreaker = circuitBreaker;
        b.attemptTimeout = attemptTimeout;
        return b;
    }

    /**
     * The name reported in events and given to the parts (default: the breaker's name, else the
     * rate-limited operation, else {@code "protection"}); a named protection reports its key.
     */
    public String name() {
        return name;
    }

    /** The names of the parts present, in pipeline order (a sublist of {@link #PART_ORDER}). */
    public List<String> parts() {
        return parts;
    }

    public FallbackConfig<?> fallback() {
        return fallback;
    }

    public RateLimitPart rateLimit() {
        return rateLimit;
    }

    public BulkheadConfig bulkhead() {
        return bulkhead;
    }

    public TimeoutConfig totalTimeout() {
        return totalTimeout;
    }

    public RetryConfig retry() {
        return retry;
    }

    public CircuitBreakerPart circuitBreaker() {
        return circuitBreaker;
    }

    public TimeoutConfig attemptTimeout() {
        return attemptTimeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Protection p && name.equals(p.name) && Objects.equals(fallback, p.fallback)
                && Objects.equals(rateLimit, p.rateLimit) && Objects.equals(bulkhead, p.bulkhead)
                && Objects.equals(totalTimeout, p.totalTimeout) && Objects.equals(retry, p.retry)
                && Objects.equals(circuitBreaker, p.circuitBreaker) && Objects.equals(attemptTimeout, p.attemptTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, rateLimit, bulkhead, totalTimeout, retry, circuitBreaker, attemptTimeout);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Protection[").append(name);
        if (fallback != null) {
            sb.append(", fallback=").append(fallback);
        }
        if (rateLimit != null) {
            sb.append(", rateLimit=").append(rateLimit.entityId() == null ? "<caller>" : rateLimit.entityId())
                    .append('/').append(rateLimit.operation()).append(' ').append(rateLimit.rule());
        }
        if (bulkhead != null) {
            sb.append(", bulkhead=").append(bulkhead);
        }
        if (totalTimeout != null) {
            sb.append(", totalTimeout=").append(totalTimeout.timeout());
        }
        if (retry != null) {
            sb.append(", retry=").append(retry);
        }
        if (circuitBreaker != null) {
            sb.append(", circuitBreaker=").append(circuitBreaker.name());
        }
        if (attemptTimeout != null) {
            sb.append(", attemptTimeout=").append(attemptTimeout.timeout());
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
     * Builds a {@link Protection}; not thread-safe. Each part may be set once; the order of the
     * calls does not matter. Every setter validates its arguments at once.
     */
    public static final class Builder {
        private String name;
        private FallbackConfig<?> fallback;
        private RateLimitPart rateLimit;
        private BulkheadConfig bulkhead;
        private TimeoutConfig totalTimeout;
        private RetryConfig retry;
        private CircuitBreakerPart circuitBreaker;
        private TimeoutConfig attemptTimeout;

        private Builder() {
        }

        /** The name reported in events (see {@link Protection#name()}). */
        public Builder name(String name) {
            this.name = requireText("name", name);
            return this;
        }

        /** Graceful degradation: what answers when everything inside fails. */
        public Builder fallback(FallbackConfig<?> fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        /** At most {@code limit} calls of {@code operation} by {@code entityId} per {@code window} (sliding window). */
        public Builder rateLimit(String entityId, String operation, long limit, Duration window) {
            return rateLimit(entityId, operation, RateLimit.of(limit, window));
        }

        /** {@code entityId}'s calls of {@code operation} within {@code rule}. */
        public Builder rateLimit(String entityId, String operation, RateLimit rule) {
            this.rateLimit = new RateLimitPart(requireText("entityId", entityId), operation, rule);
            return this;
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
            this.rateLimit = new RateLimitPart(null, operation, rule);
            return this;
        }

        /** At most so many calls at once. */
        public Builder bulkhead(BulkheadConfig bulkhead) {
            this.bulkhead = Objects.requireNonNull(bulkhead, "bulkhead");
            return this;
        }

        /** A bound on the whole call, retries and their waits included. */
        public Builder totalTimeout(Duration timeout) {
            return totalTimeout(TimeoutConfig.of(timeout));
        }

        public Builder totalTimeout(TimeoutConfig timeout) {
            this.totalTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Retries of failed attempts. */
        public Builder retry(RetryConfig retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The breaker installed under {@code name}; calls fail with 5005 while none is. */
        public Builder circuitBreaker(String name) {
            this.circuitBreaker = new CircuitBreakerPart(name, null);
            return this;
        }

        /** The breaker {@code name}, installed with {@code config} when missing or configured otherwise. */
        public Builder circuitBreaker(String name, CircuitBreakerConfig config) {
            this.circuitBreaker = new CircuitBreakerPart(name, Objects.requireNonNull(config, "config"));
            return this;
        }

        /** A bound on each attempt (inside the breaker: a timed-out attempt counts as its failure). */
        public Builder attemptTimeout(Duration timeout) {
            return attemptTimeout(TimeoutConfig.of(timeout));
        }

        public Builder attemptTimeout(TimeoutConfig timeout) {
            this.attemptTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @throws IllegalStateException if no part was set
         */
        public Protection build() {
            if (fallback == null && rateLimit == null && bulkhead == null && totalTimeout == null && retry == null
                    && circuitBreaker == null && attemptTimeout == null) {
                throw new IllegalStateException("a protection needs at least one part");
            }
            return new Protection(this);
        }
    }
}
