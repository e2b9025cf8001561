package dev.bulwark.pipeline;

import dev.bulwark.error.InfraError;
import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * How a {@link Retry} retries: how many attempts, how long it waits between them, which errors
 * it retries and under which budget. Immutable; built by {@link #builder()}, whose setters
 * validate at once.
 *
 * <p><b>Which errors.</b> An error is retried only if its {@link InfraError#retryStrategy()} allows
 * it ({@code NO_RETRY} errors — bad input, configuration, programming errors, exhausted retries —
 * never are) and the optional {@link Builder#retryIf predicate} accepts it.
 *
 * <p><b>How long to wait before retry n</b> (n = 1 for the first retry):
 * <ol>
 *   <li>backoff: {@code min(initialDelay × multiplier^(n-1), maxDelay)} — a fixed backoff has
 *       multiplier 1;</li>
 *   <li>jitter: the backoff is reduced by a random share of at most {@code jitter}, so the wait
 *       lies in {@code [backoff × (1 - jitter), backoff]} (jitter 1 is "full jitter");</li>
 *   <li>an error that knows when a retry can succeed ({@link InfraError#retryAfter()}: a rate
 *       limit, an open breaker) is waited for at least that long; if that is longer than
 *       {@code maxRetryAfter}, the error is returned at once rather than waited for;</li>
 *   <li>an error whose strategy is {@code IMMEDIATE} is retried without waiting.</li>
 * </ol>
 *
 * <p>Defaults: 3 attempts, exponential backoff from 100 ms doubling up to 10 s, no jitter,
 * {@code maxRetryAfter} 30 s, no budget, randomness from {@code ThreadLocalRandom}.
 */
public final class RetryConfig {

    private static final RetryConfig DEFAULTS = new Builder().build();

    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final Duration maxRetryAfter;
    private final RetryBudget budget;
    private final Predicate<? super InfraError> retryIf;
    private final RandomGenerator random;

    private RetryConfig(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxRetryAfter = b.maxRetryAfter;
        this.budget = b.budget;
        this.retryIf = b.retryIf;
        this.random = b.random;
    }

    /** The default configuration (see the class comment). */
    public static RetryConfig defaults() {
        return DEFAULTS;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.initialDelay = initialDelay;
        b.maxDelay = maxDelay;
        b.multiplier = multiplier;
        b.jitter = jitter;
        b.maxRetryAfter = maxRetryAfter;
        b.budget = budget;
        b.retryIf = retryIf;
        b.random = random;
        return b;
    }

    /** Attempts in all, the first one included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialDelay() {
        return initialDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** Growth of the backoff per retry; 1 for a fixed backoff. */
    public double multiplier() {
        return multiplier;
    }

    /** The largest share by which a wait is randomly shortened, in [0, 1]. */
    public double jitter() {
        return jitter;
    }

    /** The longest {@code retryAfter} of an error that is still waited for. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** The retry budget, or null when retries are not budgeted. */
    public RetryBudget budget() {
        return budget;
    }

    /** The extra condition on retried errors, or null. */
    public Predicate<? super InfraError> retryIf() {
        return retryIf;
    }

    /** The source of jitter, or null for {@code ThreadLocalRandom}. */
    public RandomGenerator random() {
        return random;
    }

    /**
     * The backoff before retry {@code retry} (1 for the first retry), before jitter and
     * {@code retryAfter}.
     *
     * @throws IllegalArgumentException if {@code retry} is less than 1
     */
    public Duration backoff(int retry) {
        return Duration.ofNanos(backoffNanos(retry));
    }

    long backoffNanos(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry must be >= 1, was " + retry);
        }
        long initial = initialDelay.toNanos();
        long max = maxDelay.toNanos();
        if (multiplier == 1.0 || initial == 0) {
            return Math.min(initial, max);
        }
        double grown = initial * Math.pow(multiplier, retry - 1);
        return grown >= max ? max : (long) grown;
    }

    /**
     * Value equality: every number, duration and the budget compare by value; the {@code retryIf}
     * predicate and the {@code random} source compare by identity (the same instance). So a retry
     * rebuilt from the same values keeps its budget across a reconfiguration.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof RetryConfig c && c.maxAttempts == maxAttempts && c.initialDelay.equals(initialDelay)
                && c.maxDelay.equals(maxDelay) && c.multiplier == multiplier && c.jitter == jitter
                && c.maxRetryAfter.equals(maxRetryAfter) && Objects.equals(c.budget, budget)
                && c.retryIf == retryIf && c.random == random;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialDelay, maxDelay, multiplier, jitter, maxRetryAfter, budget);
    }

    @Override
    public String toString() {
        return "RetryConfig[maxAttempts=" + maxAttempts + ", backoff=" + initialDelay
                + (multiplier == 1.0 ? " fixed" : " x" + multiplier + " up to " + maxDelay)
                + ", jitter=" + jitter + ", maxRetryAfter=" + maxRetryAfter
                + (budget != null ? ", " + budget : "") + (retryIf != null ? ", retryIf=" + retryIf : "") + "]";
    }

    /** Builds a {@link RetryConfig}; not thread-safe. Every setter validates its argument. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(10);
        private double multiplier = 2.0;
        private double jitter;
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private RetryBudget budget;
        private Predicate<? super InfraError> retryIf;
        private RandomGenerator random;

        private Builder() {
        }

        /**
         * Attempts in all, the first one included; 1 never retries.
         *
         * @throws IllegalArgumentException if {@code maxAttempts} is less than 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The same wait before every retry.
         *
         * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link Durations#MAX}
         */
        public Builder fixedBackoff(Duration delay) {
            requireNonNegative("delay", delay);
            this.initialDelay = delay;
            this.maxDelay = delay;
            this.multiplier = 1.0;
            return this;
        }

        /** Retries without waiting (unless an error's {@code retryAfter} says otherwise). */
        public Builder noBackoff() {
            return fixedBackoff(Duration.ZERO);
        }

        /** A wait that doubles from {@code initialDelay} up to {@code maxDelay}. */
        public Builder exponentialBackoff(Duration initialDelay, Duration maxDelay) {
            return exponentialBackoff(initialDelay, maxDelay, 2.0);
        }

        /**
         * A wait that grows by {@code multiplier} from {@code initialDelay} up to {@code maxDelay}.
         *
         * @throws IllegalArgumentException if a delay is negative or longer than {@link Durations#MAX},
         *                                  {@code maxDelay} is less than {@code initialDelay}, or
         *                                  {@code multiplier} is not in [1, 100]
         */
        public Builder exponentialBackoff(Duration initialDelay, Duration maxDelay, double multiplier) {
            requireNonNegative("initialDelay", initialDelay);
            requireNonNegative("maxDelay", maxDelay);
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("maxDelay must be >= initialDelay (" + initialDelay + "), was " + maxDelay);
            }
            if (!(multiplier >= 1.0 && multiplier <= 100.0)) {
                throw new IllegalArgumentException("multiplier must be in [1, 100], was " + multiplier);
            }
            this.initialDelay = initialDelay;
            this.maxDelay = maxDelay;
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Shortens each wait by a random share of at most {@code jitter}: 0 (the default) for
         * exact waits, 1 for "full jitter" (anywhere between zero and the backoff).
         *
         * @throws IllegalArgumentException if {@code jitter} is not in [0, 1]
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * The longest {@code retryAfter} still waited for; an error asking for a longer wait
         * (a breaker open for a minute, say) ends the retries and is returned at once.
         *
         * @throws IllegalArgumentException if {@code maxRetryAfter} is negative or longer than {@link Durations#MAX}
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            requireNonNegative("maxRetryAfter", maxRetryAfter);
            this.maxRetryAfter = maxRetryAfter;
            return this;
        }

        /** Caps retries as a share of calls (null: no budget). */
        public Builder budget(RetryBudget budget) {
            this.budget = budget;
            return this;
        }

        /**
         * An extra condition an error must meet to be retried, on top of its retry strategy
         * (a {@code NO_RETRY} error is never retried, whatever the predicate says).
         */
        public Builder retryIf(Predicate<? super InfraError> retryIf) {
            this.retryIf = Objects.requireNonNull(retryIf, "retryIf");
            return this;
        }

        /**
         * The source of jitter; pass a seeded {@link java.util.Random} for reproducible waits.
         * It is shared by all calls of the retry, so it must be thread-safe ({@code Random} is).
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public RetryConfig build() {
            return new RetryConfig(this);
        }

        private static void requireNonNegative(String what, Duration d) {
            Durations.requireNonNegative(what, d);
        }
    }
}
