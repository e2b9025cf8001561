package dev.bulwark.circuit;

import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;

/**
 * How a {@link CircuitBreaker} decides to open and how it recovers. Immutable and thread-safe;
 * build one with {@link #builder()}, or take {@link #defaults()}.
 *
 * <h2>Trip policies</h2>
 * Any combination; the first to fire opens the breaker. Each policy may be set once (setting it
 * again replaces it).
 * <ul>
 *   <li>{@link Builder#failureCount(int, Duration) failureCount(maxMelts, window)}: fuse's
 *       {@code {standard, MaxR, MaxT}}; opens on failure number {@code maxMelts + 1} within a
 *       sliding {@code window}.</li>
 *   <li>{@link Builder#failureRate(double, SlidingWindow, int) failureRate(percent, window, minimumCalls)}:
 *       opens when at least {@code percent} of the calls in the window failed, once the window
 *       holds {@code minimumCalls} calls.</li>
 *   <li>{@link Builder#slowCallRate(Duration, double, SlidingWindow, int) slowCallRate(slowerThan, percent, window, minimumCalls)}:
 *       the same for calls that took longer than {@code slowerThan} (successful or not).</li>
 *   <li>{@link Builder#consecutiveFailures(int) consecutiveFailures(n)}: opens on n failures in a
 *       row.</li>
 * </ul>
 *
 * <h2>Recovery</h2>
 * <ul>
 *   <li>{@link Builder#reset(Duration) reset(d)} (the default, fuse semantics): after {@code d} the
 *       breaker closes again with its history cleared.</li>
 *   <li>{@link Builder#halfOpen(Duration, int, int) halfOpen(d, trialCalls, successThreshold)}: after
 *       {@code d} it admits {@code trialCalls} trial calls; it closes once {@code successThreshold}
 *       of them succeeded and re-opens as soon as that can no longer happen. Trials that do not
 *       conclude within the {@link Builder#trialTimeout(Duration) trial timeout} count as failed.</li>
 * </ul>
 * The open duration can {@link Builder#backoff(double, Duration) back off} exponentially after each
 * failed recovery, up to a cap, with {@link Builder#jitter(double) jitter}.
 *
 * <h2>What counts</h2>
 * A thrown exception is a failure if it matches {@link Builder#recordExceptions(Predicate)} (default:
 * every exception and error) and not {@link Builder#ignoreExceptions(Predicate)}; an exception that
 * is neither counts as a success (the dependency answered). A returned value is a failure if it
 * matches {@link Builder#recordResults(Predicate)}. Ignored outcomes are not counted at all.
 * Interrupts ({@link InterruptedException}) and cancellations
 * ({@link java.util.concurrent.CancellationException}) are always ignored: they are the caller's
 * decision, not the dependency's failure.
 */
public final class CircuitBreakerConfig {

    /** The default number of melts tolerated: the sixth failure within a minute opens, as fuse does by default. */
    public static final int DEFAULT_MAX_MELTS = 5;
    /** The default melt window and reset time. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    /** The default time a half-open breaker waits for its trials before counting them as failed. */
    public static final Duration DEFAULT_TRIAL_TIMEOUT = Duration.ofSeconds(60);

    static final Duration MAX_DURATION = Durations.MAX;
    static final int MAX_MELTS = 100_000;
    static final int MAX_TRIAL_CALLS = 10_000;

    private static final CircuitBreakerConfig DEFAULTS =
            builder().failureCount(DEFAULT_MAX_MELTS, DEFAULT_WINDOW).reset(DEFAULT_WINDOW).build();

    /** Fuse's counting policy: opens on melt number {@code maxMelts + 1} within {@code window}. */
    public record FailureCount(int maxMelts, Duration window) {
        public FailureCount {
            if (maxMelts < 0 || maxMelts > MAX_MELTS) {
                throw new IllegalArgumentException("maxMelts must be between 0 and " + MAX_MELTS + ", was " + maxMelts);
            }
            requirePositive("failureCount window", window);
        }

        @Override
        public String toString() {
            return "failureCount(" + maxMelts + ", " + window + ")";
        }
    }

    /** Opens when {@code thresholdPercent} or more of the window's calls failed, given {@code minimumCalls}. */
    public record FailureRate(double thresholdPercent, SlidingWindow window, int minimumCalls) {
        public FailureRate {
            requirePercent("failureRate thresholdPercent", thresholdPercent);
            requireMinimumCalls("failureRate", window, minimumCalls);
        }

        @Override
        public String toString() {
            return "failureRate(" + thresholdPercent + "% of " + window + ", minimumCalls " + minimumCalls + ")";
        }
    }

    /** Opens when {@code thresholdPercent} or more of the window's calls took longer than {@code slowerThan}. */
    public record SlowCallRate(Duration slowerThan, double thresholdPercent, SlidingWindow window, int minimumCalls) {
        public SlowCallRate {
            requirePositive("slowCallRate slowerThan", slowerThan);
            requirePercent("slowCallRate thresholdPercent", thresholdPercent);
            requireMinimumCalls("slowCallRate", window, minimumCalls);
        }

        @Override
        public String toString() {
            return "slowCallRate(slower than " + slowerThan + ", " + thresholdPercent + "% of " + window
                    + ", minimumCalls " + minimumCalls + ")";
        }
    }

    /** How an open breaker comes back. */
    public enum RecoveryMode {
        /** Straight back to closed after the open duration, history cleared (fuse). */
        RESET,
        /** Through half-open trial calls after the open duration. */
        HALF_OPEN
    }

    /**
     * The recovery of an open breaker.
     *
     * @param mode             reset or half-open
     * @param openDuration     how long the breaker stays open (before backoff and jitter)
     * @param trialCalls       half-open only: trial calls admitted (1 for reset)
     * @param successThreshold half-open only: trial successes needed to close (1 for reset)
     * @param trialTimeout     half-open only: how long trials may take before they count as failed
     */
    public record Recovery(RecoveryMode mode, Duration openDuration, int trialCalls, int successThreshold,
                           Duration trialTimeout) {
        public Recovery {
            Objects.requireNonNull(mode, "mode");
            requirePositive("open duration", openDuration);
            if (trialCalls < 1 || trialCalls > MAX_TRIAL_CALLS) {
                throw new IllegalArgumentException("trialCalls must be between 1 and " + MAX_TRIAL_CALLS + ", was " + trialCalls);
            }
            if (successThreshold < 1 || successThreshold > trialCalls) {
                throw new IllegalArgumentException("successThreshold must be between 1 and trialCalls (" + trialCalls
                        + "), was " + successThreshold);
            }
            requirePositive("trialTimeout", trialTimeout);
        }

        @Override
        public String toString() {
            return mode == RecoveryMode.RESET ? "reset(" + openDuration + ")"
                    : "halfOpen(" + openDuration + ", trialCalls " + trialCalls + ", successThreshold "
                    + successThreshold + ", trialTimeout " + trialTimeout + ")";
        }
    }

    /**
     * How the open duration grows after failed recoveries: open duration number {@code n} (0 for
     * the first opening since the breaker last recovered) is
     * {@code min(openDuration * multiplier^n, maxOpenDuration)}, then scaled by a random factor in
     * {@code [1 - jitter, 1 + jitter]}.
     */
    public record Backoff(double multiplier, Duration maxOpenDuration, double jitter) {
        public Backoff {
            if (!(multiplier >= 1.0) || multiplier > 100.0) {
                throw new IllegalArgumentException("backoff multiplier must be between 1.0 and 100.0, was " + multiplier);
            }
            requirePositive("backoff maxOpenDuration", maxOpenDuration);
            if (!(jitter >= 0.0) || jitter >= 1.0) {
                throw new IllegalArgumentException("jitter must be >= 0.0 and < 1.0, was " + jitter);
            }
        }

        @Override
        public String toString() {
            return "backoff(x" + multiplier + " up to " + maxOpenDuration + ", jitter " + jitter + ")";
        }
    }

    private final FailureCount failureCount;
    private final FailureRate failureRate;
    private final SlowCallRate slowCallRate;
    private final int consecutiveFailures;
    private final Recovery recovery;
    private final Backoff backoff;
    private final Predicate<? super Throwable> recordExceptions;
    private final Predicate<? super Throwable> ignoreExceptions;
    private final Predicate<Object> recordResults;
    private final double faultInjectionRate;
    private final Random random;

    private CircuitBreakerConfig(Builder b) {
        this.failureCount = b.failureCount;
        this.failureRate = b.failureRate;
        this.slowCallRate = b.slowCallRate;
        this.consecutiveFailures = b.consecutiveFailures;
        this.recovery = b.recovery;
        this.backoff = b.backoff != null ? b.backoff : new Backoff(1.0, b.recovery.openDuration(), b.jitter);
        this.recordExceptions = b.recordExceptions;
        this.ignoreExceptions = b.ignoreExceptions;
        this.recordResults = b.recordResults;
        this.faultInjectionRate = b.faultInjectionRate;
        this.random = b.random;
    }

    /** Fuse's defaults: failure count 5 melts in 60 s, reset after 60 s (docs/circuit-breakers.md). */
    public static CircuitBreakerConfig defaults() {
        return DEFAULTS;
    }

    /** An empty builder: add at least one trip policy; recovery defaults to {@code reset(60 s)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.failureCount = failureCount;
        b.failureRate = failureRate;
        b.slowCallRate = slowCallRate;
        b.consecutiveFailures = consecutiveFailures;
        b.recovery = recovery;
        b.backoff = backoff;
        b.jitter = backoff.jitter();
        b.recordExceptions = recordExceptions;
        b.ignoreExceptions = ignoreExceptions;
        b.recordResults = recordResults;
        b.faultInjectionRate = faultInjectionRate;
        b.random = random;
        return b;
    }

    /** The fuse counting policy, if set. */
    public Optional<FailureCount> failureCount() {
        return Optional.ofNullable(failureCount);
    }

    /** The failure-rate policy, if set. */
    public Optional<FailureRate> failureRate() {
        return Optional.ofNullable(failureRate);
    }

    /** The slow-call-rate policy, if set. */
    public Optional<SlowCallRate> slowCallRate() {
        return Optional.ofNullable(slowCallRate);
    }

    /** The number of consecutive failures that opens the breaker, or 0 when that policy is not set. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** How the breaker recovers. */
    public Recovery recovery() {
        return recovery;
    }

    /** How the open duration grows and varies (multiplier 1 and jitter 0: a fixed duration). */
    public Backoff backoff() {
        return backoff;
    }

    /** Which thrown exceptions count as failures. */
    public Predicate<? super Throwable> recordExceptions() {
        return recordExceptions;
    }

    /** Which thrown exceptions are not counted at all (null: none besides interrupts and cancellations). */
    public Predicate<? super Throwable> ignoreExceptions() {
        return ignoreExceptions;
    }

    /** Which returned values count as failures (null: none). */
    public Predicate<Object> recordResults() {
        return recordResults;
    }

    /** The probability with which a closed breaker rejects a call on purpose (0: fault injection off). */
    public double faultInjectionRate() {
        return faultInjectionRate;
    }

    /** The source of randomness for jitter and fault injection, or null for {@link java.util.concurrent.ThreadLocalRandom}. */
    public Random random() {
        return random;
    }

    /**
     * Value equality: two configurations are equal when every policy, option and predicate is.
     * Trip policies, recovery and backoff compare by value; predicates given as exception types
     * ({@code recordExceptions(IOException.class)}) compare by their types; other predicates and the
     * {@code random} source compare by identity (the same instance). So re-applying a configuration
     * rebuilt from the same values (a reloaded file) keeps a breaker's state, while one whose lambda
     * was created anew counts as a change.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof CircuitBreakerConfig c
                && Objects.equals(failureCount, c.failureCount)
                && Objects.equals(failureRate, c.failureRate)
                && Objects.equals(slowCallRate, c.slowCallRate)
                && consecutiveFailures == c.consecutiveFailures
                && recovery.equals(c.recovery)
                && backoff.equals(c.backoff)
                && Objects.equals(recordExceptions, c.recordExceptions)
                && Objects.equals(ignoreExceptions, c.ignoreExceptions)
                && Objects.equals(recordResults, c.recordResults)
                && Double.compare(faultInjectionRate, c.faultInjectionRate) == 0
                && random == c.random;
    }

    @Override
    public int hashCode() {
        return Objects.hash(failureCount, failureRate, slowCallRate, consecutiveFailures, recovery, backoff,
                recordExceptions, ignoreExceptions, recordResults, faultInjectionRate, System.identityHashCode(random));
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (failureCount != null) {
            parts.add(failureCount.toString());
        }
        if (failureRate != null) {
            parts.add(failureRate.toString());
        }
        if (slowCallRate != null) {
            parts.add(slowCallRate.toString());
        }
        if (consecutiveFailures > 0) {
            parts.add("consecutiveFailures(" + consecutiveFailures + ")");
        }
        parts.add(recovery.toString());
        if (backoff.multiplier() > 1.0 || backoff.jitter() > 0.0) {
            parts.add(backoff.toString());
        }
        if (faultInjectionRate > 0.0) {
            parts.add("faultInjection(" + faultInjectionRate + ")");
        }
        return "CircuitBreakerConfig[" + String.join(", ", parts) + "]";
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null) {
            throw new IllegalArgumentException(what + " must be positive and at most 365 days, was null");
        }
        Durations.requirePositive(what, d);
    }

    private static void requirePercent(String what, double percent) {
        if (!(percent > 0.0) || percent > 100.0) {
            throw new IllegalArgumentException(what + " must be > 0 and <= 100, was " + percent);
        }
    }

    private static void requireMinimumCalls(String what, SlidingWindow window, int minimumCalls) {
        Objects.requireNonNull(window, what + " window");
        if (minimumCalls < 1) {
            throw new IllegalArgumentException(what + " minimumCalls must be >= 1, was " + minimumCalls);
        }
        if (window.isCountBased() && minimumCalls > window.calls()) {
            throw new IllegalArgumentException(what + " minimumCalls must not exceed the window's " + window.calls()
                    + " calls, was " + minimumCalls);
        }
    }

    /**
     * Builds a {@link CircuitBreakerConfig}. Each setter validates its arguments at once and throws
     * {@link IllegalArgumentException} quoting the bad value; {@link #build()} checks the whole.
     * Setting a policy or option again replaces the earlier value. Not thread-safe.
     */
    public static final class Builder {
        private FailureCount failureCount;
        private FailureRate failureRate;
        private SlowCallRate slowCallRate;
        private int consecutiveFailures;
        private Recovery recovery = new Recovery(RecoveryMode.RESET, DEFAULT_WINDOW, 1, 1, DEFAULT_TRIAL_TIMEOUT);
        private Backoff backoff;
        private double jitter;
        private Predicate<? super Throwable> recordExceptions = ThrowableTypes.ANY;
        private Predicate<? super Throwable> ignoreExceptions;
        private Predicate<Object> recordResults;
        private double faultInjectionRate;
        private Random random;

        private Builder() {
        }

        /**
         * Fuse's counting policy: the breaker opens on failure number {@code maxMelts + 1} within any
         * {@code window} (a failure older than {@code window} no longer counts).
         *
         * @throws IllegalArgumentException if {@code maxMelts} is not between 0 and 100 000, or
         *                                  {@code window} is not positive (or longer than 365 days)
         */
        public Builder failureCount(int maxMelts, Duration window) {
            this.failureCount = new FailureCount(maxMelts, window);
            return this;
        }

        /**
         * Opens when at least {@code thresholdPercent} percent of the calls in {@code window} failed,
         * provided the window holds at least {@code minimumCalls} calls.
         *
         * @throws IllegalArgumentException if the percentage is not in (0, 100], the window is null,
         *                                  or {@code minimumCalls} is below 1 or above a count window's size
         */
        public Builder failureRate(double thresholdPercent, SlidingWindow window, int minimumCalls) {
            this.failureRate = new FailureRate(thresholdPercent, window, minimumCalls);
            return this;
        }

        /**
         * Opens when at least {@code thresholdPercent} percent of the calls in {@code window} took
         * longer than {@code slowerThan}, provided the window holds at least {@code minimumCalls} calls.
         * Slow calls count whether they succeeded or failed. In half-open state, a slow trial counts
         * as a failed trial.
         *
         * @throws IllegalArgumentException if {@code slowerThan} is not positive, the percentage is not
         *                                  in (0, 100], or {@code minimumCalls} is out of range
         */
        public Builder slowCallRate(Duration slowerThan, double thresholdPercent, SlidingWindow window, int minimumCalls) {
            this.slowCallRate = new SlowCallRate(slowerThan, thresholdPercent, window, minimumCalls);
            return this;
        }

        /**
         * Opens on {@code failures} counted failures in a row (a success resets the count).
         *
         * @throws IllegalArgumentException if {@code failures} is below 1
         */
        public Builder consecutiveFailures(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("consecutiveFailures must be >= 1, was " + failures);
            }
            this.consecutiveFailures = failures;
            return this;
        }

        /**
         * Fuse recovery (the default, with 60 s): after {@code after} the breaker closes again and
         * its history is cleared.
         *
         * @throws IllegalArgumentException if {@code after} is not positive
         */
        public Builder reset(Duration after) {
            this.recovery = new Recovery(RecoveryMode.RESET, after, 1, 1, recovery.trialTimeout());
            return this;
        }

        /**
         * Half-open recovery: after {@code after} the breaker admits {@code trialCalls} trial calls;
         * it closes once {@code successThreshold} of them succeeded and re-opens as soon as more than
         * {@code trialCalls - successThreshold} failed.
         *
         * @throws IllegalArgumentException if {@code after} is not positive, {@code trialCalls} is not
         *                                  between 1 and 10 000, or {@code successThreshold} is not
         *                                  between 1 and {@code trialCalls}
         */
        public Builder halfOpen(Duration after, int trialCalls, int successThreshold) {
            this.recovery = new Recovery(RecoveryMode.HALF_OPEN, after, trialCalls, successThreshold, recovery.trialTimeout());
            return this;
        }

        /**
         * How long half-open trials may stay unfinished before they count as failed and the breaker
         * re-opens (default 60 s). This is what keeps a breaker from staying half-open when a caller
         * never reports its trial's outcome.
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder trialTimeout(Duration timeout) {
            this.recovery = new Recovery(recovery.mode(), recovery.openDuration(), recovery.trialCalls(),
                    recovery.successThreshold(), timeout);
            return this;
        }

        /**
         * Exponential backoff of the open duration: each failed recovery multiplies it by
         * {@code multiplier}, up to {@code maxOpenDuration}. A recovery fails when a half-open trial
         * fails, or, with reset recovery, when the breaker trips again before any call succeeded.
         *
         * @throws IllegalArgumentException if {@code multiplier} is not between 1 and 100, or
         *                                  {@code maxOpenDuration} is not positive
         */
        public Builder backoff(double multiplier, Duration maxOpenDuration) {
            this.backoff = new Backoff(multiplier, maxOpenDuration, jitter);
            return this;
        }

        /**
         * Randomises every open duration by a factor in {@code [1 - factor, 1 + factor]}, so that
         * many breakers opened together do not retry together.
         *
         * @throws IllegalArgumentException if {@code factor} is not in {@code [0, 1)}
         */
        public Builder jitter(double factor) {
            if (!(factor >= 0.0) || factor >= 1.0) {
                throw new IllegalArgumentException("jitter must be >= 0.0 and < 1.0, was " + factor);
            }
            this.jitter = factor;
            if (backoff != null) {
                backoff = new Backoff(backoff.multiplier(), backoff.maxOpenDuration(), factor);
            }
            return this;
        }

        /** Thrown exceptions that count as failures (default: all); others count as successes. */
        public Builder recordExceptions(Predicate<? super Throwable> predicate) {
            this.recordExceptions = Objects.requireNonNull(predicate, "recordExceptions predicate");
            return this;
        }

        /**
         * Thrown exceptions of these types (or subtypes) count as failures; others count as successes.
         *
         * @throws IllegalArgumentException if no type is given or one is not a {@link Throwable}
         */
        public Builder recordExceptions(Class<?>... types) {
            return recordExceptions(instanceOfAny("recordExceptions", types));
        }

        /** Thrown exceptions that are not counted at all (takes precedence over {@link #recordExceptions}). */
        public Builder ignoreExceptions(Predicate<? super Throwable> predicate) {
            this.ignoreExceptions = Objects.requireNonNull(predicate, "ignoreExceptions predicate");
            return this;
        }

        /**
         * Thrown exceptions of these types (or subtypes) are not counted at all.
         *
         * @throws IllegalArgumentException if no type is given or one is not a {@link Throwable}
         */
        public Builder ignoreExceptions(Class<?>... types) {
            return ignoreExceptions(instanceOfAny("ignoreExceptions", types));
        }

        /** Returned values that count as failures (e.g. an HTTP 503 response). The value is still returned to the caller. */
        public Builder recordResults(Predicate<Object> predicate) {
            this.recordResults = Objects.requireNonNull(predicate, "recordResults predicate");
            return this;
        }

        /**
         * Fault injection (fuse's {@code fault_injection}): a closed breaker rejects each call with
         * probability {@code rate}, code 5004, reason {@code fault_injected}.
         *
         * @throws IllegalArgumentException if {@code rate} is not between 0 and 1
         */
        public Builder faultInjection(double rate) {
            if (!(rate >= 0.0) || rate > 1.0) {
                throw new IllegalArgumentException("fault injection rate must be between 0.0 and 1.0, was " + rate);
            }
            this.faultInjectionRate = rate;
            return this;
        }

        /**
         * The source of randomness for jitter and fault injection; pass a seeded {@code new Random(seed)}
         * for reproducible tests. Default: {@link java.util.concurrent.ThreadLocalRandom}.
         */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException if no trip policy is set, or the backoff cap is shorter
         *                                  than the open duration
         */
        public CircuitBreakerConfig build() {
            if (failureCount == null && failureRate == null && slowCallRate == null && consecutiveFailures == 0) {
                throw new IllegalArgumentException("a circuit breaker needs at least one trip policy: failureCount, "
                        + "failureRate, slowCallRate or consecutiveFailures");
            }
            if (backoff != null && backoff.maxOpenDuration().compareTo(recovery.openDuration()) < 0) {
                throw new IllegalArgumentException("backoff maxOpenDuration (" + backoff.maxOpenDuration()
                        + ") must not be shorter than the open duration (" + recovery.openDuration() + ")");
            }
            return new CircuitBreakerConfig(this);
        }

        private static Predicate<Throwable> instanceOfAny(String what, Class<?>[] types) {
            Objects.requireNonNull(types, what + " types");
            if (types.length == 0) {
                throw new IllegalArgumentException(what + " needs at least one exception type");
            }
            List<Class<?>> copy = new ArrayList<>(types.length);
            for (int i = 0; i < types.length; i++) {
                Class<?> type = Objects.requireNonNull(types[i], what + " types[" + i + "]");
                if (!Throwable.class.isAssignableFrom(type)) {
                    throw new IllegalArgumentException(what + " types must be Throwable types, was " + type.getName());
                }
                copy.add(type);
            }
            return new ThrowableTypes(List.copyOf(copy));
        }
    }

    /** A predicate matching instances of any of {@code types}; equal when the types are. */
    private record ThrowableTypes(List<Class<?>> types) implements Predicate<Throwable> {
        static final ThrowableTypes ANY = new ThrowableTypes(List.of(Throwable.class));

        @Override
        public boolean test(Throwable t) {
            for (Class<?> type : types) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return types.stream().map(Class::getSimpleName).toList().toString();
        }
    }
}
