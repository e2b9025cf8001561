package dev.bulwark.pool;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How a {@link Pool} (or each key of a {@link KeyedPool}) sizes, waits, checks and reports its
 * resources. An immutable value: equal configurations compare equal (the {@code poisonedBy}
 * rule compares by exception types when given as types, by identity when given as a predicate).
 * docs/pools.md has the table of settings with their defaults.
 *
 * <pre>{@code
 * PoolConfig config = PoolConfig.builder()
 *         .maxSize(8).maxOverflow(4).overflowLinger(Duration.ofSeconds(30))
 *         .maxWaiters(32).checkoutTimeout(Duration.ofMillis(250))
 *         .validateOnBorrow(true).evictIdleAfter(Duration.ofMinutes(5))
 *         .leakThreshold(Duration.ofSeconds(10))
 *         .poisonedBy(java.io.IOException.class)
 *         .build();
 * }</pre>
 */
public final class PoolConfig {

    private static final PoolConfig DEFAULTS = builder().build();

    private final int maxSize;
    private final int maxOverflow;
    private final Duration overflowLinger;
    private final int maxWaiters;
    private final Duration checkoutTimeout;
    private final boolean validateOnBorrow;
    private final Duration validateWhileIdle;
    private final Duration evictIdleAfter;
    private final Duration leakThreshold;
    private final Duration maintenanceInterval;
    private final CircuitBreakerConfig breaker;
    private final List<Class<? extends Throwable>> poisonTypes;
    private final Predicate<? super Throwable> poisonPredicate;
    private final boolean critical;

    private PoolConfig(Builder b) {
        this.maxSize = b.maxSize;
        this.maxOverflow = b.maxOverflow;
        this.overflowLinger = b.overflowLinger;
        this.maxWaiters = b.maxWaiters;
        this.checkoutTimeout = b.checkoutTimeout;
        this.validateOnBorrow = b.validateOnBorrow;
        this.validateWhileIdle = b.validateWhileIdle;
        this.evictIdleAfter = b.evictIdleAfter;
        this.leakThreshold = b.leakThreshold;
        this.maintenanceInterval = b.maintenanceInterval;
        this.breaker = b.breaker;
        this.poisonTypes = b.poisonTypes;
        this.poisonPredicate = b.poisonPredicate;
        this.critical = b.critical;
    }

    /** The defaults (see docs/pools.md): 8 resources, no overflow, 64 waiters, 1 s checkout timeout. */
    public static PoolConfig defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxSize = maxSize;
        b.maxOverflow = maxOverflow;
        b.overflowLinger = overflowLinger;
        b.maxWaiters = maxWaiters;
        b.checkoutTimeout = checkoutTimeout;
        b.validateOnBorrow = validateOnBorrow;
        b.validateWhileIdle = validateWhileIdle;
        b.evictIdleAfter = evictIdleAfter;
        b.leakThreshold = leakThreshold;
        b.maintenanceInterval = maintenanceInterval;
        b.breaker = breaker;
        b.poisonTypes = poisonTypes;
        b.poisonPredicate = poisonPredicate;
        b.critical = critical;
        return b;
    }

    /** Resources the pool keeps (created on demand, kept while idle unless evicted). */
    public int maxSize() {
        return maxSize;
    }

    /** Extra resources it may create when all {@link #maxSize()} are checked out. */
    public int maxOverflow() {
        return maxOverflow;
    }

    /** How long an idle resource above {@link #maxSize()} lingers before it is destroyed. */
    public Duration overflowLinger() {
        return overflowLinger;
    }

    /** Callers that may wait at once; one more is refused at once with 7101 ({@code waiters_full}). */
    public int maxWaiters() {
        return maxWaiters;
    }

    /** How long {@link Pool#withResource} and the pool stage wait for a resource (zero: not at all). */
    public Duration checkoutTimeout() {
        return checkoutTimeout;
    }

    /** Whether a resource is validated before it is handed out. */
    public boolean validateOnBorrow() {
        return validateOnBorrow;
    }

    /** How often an idle resource is validated by the maintenance sweep, or null when never. */
    public Duration validateWhileIdle() {
        return validateWhileIdle;
    }

    /** How long a resource may stay idle before the sweep destroys it, or null when never. */
    public Duration evictIdleAfter() {
        return evictIdleAfter;
    }

    /** How long a resource may be held before {@code pool.leak_suspected}, or null when leak detection is off. */
    public Duration leakThreshold() {
        return leakThreshold;
    }

    /** How often the maintenance sweep (linger, eviction, idle validation, leaks) runs on the scheduler. */
    public Duration maintenanceInterval() {
        return maintenanceInterval;
    }

    /** The breaker on creation and validation failures. */
    public CircuitBreakerConfig breaker() {
        return breaker;
    }

    /** Whether the pool's health is DOWN (rather than DEGRADED) while it is exhausted or its breaker is open. */
    public boolean critical() {
        return critical;
    }

    /**
     * Whether {@code failure}, thrown by the work done with a resource, means the resource must be
     * destroyed rather than given back. A rule that throws counts as yes.
     */
    public boolean poisons(Throwable failure) {
        for (Class<? extends Throwable> type : poisonTypes) {
            if (type.isInstance(failure)) {
                return true;
            }
        }
        if (poisonPredicate == null) {
            return false;
        }
        try {
            return poisonPredicate.test(failure);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable ruleFailed) {
            return true;
        }
    }

    /** The exception types that poison a resource. */
    public List<Class<? extends Throwable>> poisonTypes() {
        return poisonTypes;
    }

    /** The predicate that poisons a resource, or null. */
    public Predicate<? super Throwable> poisonPredicate() {
        return poisonPredicate;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolConfig c
                && maxSize == c.maxSize
                && maxOverflow == c.maxOverflow
                && overflowLinger.equals(c.overflowLinger)
                && maxWaiters == c.maxWaiters
                && checkoutTimeout.equals(c.checkoutTimeout)
                && validateOnBorrow == c.validateOnBorrow
                && Objects.equals(validateWhileIdle, c.validateWhileIdle)
                && Objects.equals(evictIdleAfter, c.evictIdleAfter)
                && Objects.equals(leakThreshold, c.leakThreshold)
                && maintenanceInterval.equals(c.maintenanceInterval)
                && breaker.equals(c.breaker)
                && poisonTypes.equals(c.poisonTypes)
                && poisonPredicate == c.poisonPredicate
                && critical == c.critical;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxSize, maxOverflow, overflowLinger, maxWaiters, checkoutTimeout, validateOnBorrow,
                validateWhileIdle, evictIdleAfter, leakThreshold, maintenanceInterval, breaker, poisonTypes,
                System.identityHashCode(poisonPredicate), critical);
    }

    @Override
    public String toString() {
        return "PoolConfig[maxSize=" + maxSize + ", maxOverflow=" + maxOverflow + ", overflowLinger=" + overflowLinger
                + ", maxWaiters=" + maxWaiters + ", checkoutTimeout=" + checkoutTimeout
                + ", validateOnBorrow=" + validateOnBorrow + ", validateWhileIdle=" + validateWhileIdle
                + ", evictIdleAfter=" + evictIdleAfter + ", leakThreshold=" + leakThreshold
                + ", maintenanceInterval=" + maintenanceInterval + ", poisonTypes=" + poisonTypes
                + ", poisonPredicate=" + (poisonPredicate == null ? "none" : "custom") + ", critical=" + critical + "]";
    }

    /**
     * Builds a {@link PoolConfig}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} naming the setting and the
     * value; {@link #build()} checks the whole. Not thread-safe.
     */
    public static final class Builder {
        /** The largest size and overflow a pool may have. */
        public static final int MAX_RESOURCES = 1_000_000;

        private int maxSize = 8;
        private int maxOverflow = 0;
        private Duration overflowLinger = Duration.ofSeconds(30);
        private int maxWaiters = 64;
        private Duration checkoutTimeout = Duration.ofSeconds(1);
        private boolean validateOnBorrow;
        private Duration validateWhileIdle;
        private Duration evictIdleAfter;
        private Duration leakThreshold;
        private Duration maintenanceInterval = Duration.ofSeconds(1);
        private CircuitBreakerConfig breaker = CircuitBreakerConfig.builder()
                .consecutiveFailures(5)
                .halfOpen(Duration.ofSeconds(5), 1, 1)
                .build();
        private List<Class<? extends Throwable>> poisonTypes = List.of();
        private Predicate<? super Throwable> poisonPredicate;
        private boolean critical;

        private Builder() {
        }

        /** @throws IllegalArgumentException if {@code maxSize} is not between 1 and 1 000 000 */
        public Builder maxSize(int maxSize) {
            this.maxSize = requireInRange("maxSize", maxSize, 1);
            return this;
        }

        /** @throws IllegalArgumentException if {@code maxOverflow} is not between 0 and 1 000 000 */
        public Builder maxOverflow(int maxOverflow) {
            this.maxOverflow = requireInRange("maxOverflow", maxOverflow, 0);
            return this;
        }

        /** @throws IllegalArgumentException if {@code linger} is not positive (or longer than 365 days) */
        public Builder overflowLinger(Duration linger) {
            this.overflowLinger = Durations.requirePositive("overflowLinger", linger);
            return this;
        }

        /** @throws IllegalArgumentException if {@code maxWaiters} is negative (0: never wait, fail fast) */
        public Builder maxWaiters(int maxWaiters) {
            if (maxWaiters < 0) {
                throw new IllegalArgumentException("maxWaiters must be >= 0, was " + maxWaiters);
            }
            this.maxWaiters = maxWaiters;
            return this;
        }

        /** @throws IllegalArgumentException if {@code timeout} is negative (or longer than 365 days) */
        public Builder checkoutTimeout(Duration timeout) {
            this.checkoutTimeout = Durations.requireNonNegative("checkoutTimeout", timeout);
            return this;
        }

        /** Validates every resource before handing it out (default false). */
        public Builder validateOnBorrow(boolean validate) {
            this.validateOnBorrow = validate;
            return this;
        }

        /**
         * Validates idle resources in the maintenance sweep once {@code interval} has passed since
         * they were last validated (or created).
         *
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Builder validateWhileIdle(Duration interval) {
            this.validateWhileIdle = Durations.requirePositive("validateWhileIdle", interval);
            return this;
        }

        /** @throws IllegalArgumentException if {@code idle} is not positive */
        public Builder evictIdleAfter(Duration idle) {
            this.evictIdleAfter = Durations.requirePositive("evictIdleAfter", idle);
            return this;
        }

        /**
         * Turns leak detection on: a resource held longer than {@code threshold} is reported once
         * ({@code pool.leak_suspected}, with the stack of the thread that checked it out, captured at
         * checkout; the capture costs a stack walk per checkout, so it is off by default).
         *
         * @throws IllegalArgumentException if {@code threshold} is not positive
         */
        public Builder leakThreshold(Duration threshold) {
            this.leakThreshold = Durations.requirePositive("leakThreshold", threshold);
            return this;
        }

        /** @throws IllegalArgumentException if {@code interval} is not positive */
        public Builder maintenanceInterval(Duration interval) {
            this.maintenanceInterval = Durations.requirePositive("maintenanceInterval", interval);
            return this;
        }

        /**
         * The breaker on creation and validation failures (default: opens after 5 failures in a
         * row, half-open after 5 s with one trial).
         *
         * @throws NullPointerException if {@code breaker} is null
         */
        public Builder breaker(CircuitBreakerConfig breaker) {
            this.breaker = Objects.requireNonNull(breaker, "breaker must not be null");
            return this;
        }

        /**
         * Exceptions thrown by the work that mean the resource is broken: it is destroyed instead of
         * given back (default: none). Replaces earlier types.
         *
         * @throws NullPointerException if {@code types} or one of them is null
         */
        @SafeVarargs
        public final Builder poisonedBy(Class<? extends Throwable>... types) {
            Objects.requireNonNull(types, "poisonedBy types must not be null");
            for (int i = 0; i < types.length; i++) {
                if (types[i] == null) {
                    throw new NullPointerException("poisonedBy types[" + i + "] must not be null");
                }
            }
            this.poisonTypes = List.of(types);
            return this;
        }

        /**
         * A rule on the work's exceptions that says the resource is broken, in addition to the
         * types of {@link #poisonedBy(Class[])}; compared by identity.
         *
         * @throws NullPointerException if {@code rule} is null
         */
        public Builder poisonedBy(Predicate<? super Throwable> rule) {
            this.poisonPredicate = Objects.requireNonNull(rule, "poisonedBy rule must not be null");
            return this;
        }

        /** Whether the pool's health is DOWN (not DEGRADED) while it is exhausted or its breaker open. */
        public Builder critical(boolean critical) {
            this.critical = critical;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException if {@code maxSize + maxOverflow} exceeds 1 000 000
         */
        public PoolConfig build() {
            if ((long) maxSize + maxOverflow > MAX_RESOURCES) {
                throw new IllegalArgumentException("maxSize + maxOverflow must be at most " + MAX_RESOURCES + ", was "
                        + maxSize + " + " + maxOverflow);
            }
            return new PoolConfig(this);
        }

        private static int requireInRange(String name, int value, int min) {
            if (value < min || value > MAX_RESOURCES) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + MAX_RESOURCES
                        + ", was " + value);
            }
            return value;
        }
    }
}
