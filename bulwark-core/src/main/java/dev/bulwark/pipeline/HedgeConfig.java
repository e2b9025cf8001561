package dev.bulwark.pipeline;

import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Hedge} hedges: how many attempts at most, how long after the previous one each
 * further attempt starts (a fixed delay, or a rolling percentile of the latencies observed), and
 * the budget that caps the extra attempts. Immutable, with value equality; built by
 * {@link #builder()}, whose setters validate at once.
 *
 * <p><b>Only for idempotent operations.</b> Hedging runs the same operation more than once at the
 * same time, and a loser may well have done its work before it is cancelled. {@link Builder#build()}
 * refuses a configuration that was not declared {@link Builder#idempotent() idempotent}: a read, a
 * lookup, a PUT of a whole value, a write carrying an idempotency key — never a plain "append" or
 * "charge the card".
 *
 * <pre>{@code
 * HedgeConfig reads = HedgeConfig.builder()
 *         .idempotent()                                              // required
 *         .delayAtPercentile(95, Duration.ofMillis(20))              // p95 of the last 30 s; 20 ms until known
 *         .maxAttempts(2)
 *         .budget(0.05, 10)                                          // at most 5 % extra attempts (+ a burst of 10)
 *         .build();
 * }</pre>
 *
 * <p>Defaults: 2 attempts; the delay must be chosen ({@link Builder#delay} or
 * {@link Builder#delayAtPercentile}); for a percentile: a window of 30 s, 100 samples before the
 * estimate replaces the initial delay, bounds [0, 365 days]; budget 0.1 extra attempts per call with a
 * burst of 10.
 */
public final class HedgeConfig {

    /** The most attempts a hedge may make (the first and nine hedged ones). */
    public static final int MAX_ATTEMPTS = 10;
    private static final Duration MAX_DURATION = Durations.MAX;

    private final int maxAttempts;
    private final Duration delay;
    private final double percentile;
    private final Duration latencyWindow;
    private final int minSamples;
    private final Duration minDelay;
    private final Duration maxDelay;
    private final double budgetRatio;
    private final int budgetBurst;

    private HedgeConfig(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.delay = b.delay;
        this.percentile = b.percentile;
        this.latencyWindow = b.latencyWindow;
        this.minSamples = b.minSamples;
        this.minDelay = b.minDelay;
        this.maxDelay = b.maxDelay;
        this.budgetRatio = b.budgetRatio;
        this.budgetBurst = b.budgetBurst;
    }

    /** A builder with the defaults; call {@link Builder#idempotent()} and choose a delay. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.idempotent = true;
        b.maxAttempts = maxAttempts;
        b.delay = delay;
        b.percentile = percentile;
        b.latencyWindow = latencyWindow;
        b.minSamples = minSamples;
        b.minDelay = minDelay;
        b.maxDelay = maxDelay;
        b.budgetRatio = budgetRatio;
        b.budgetBurst = budgetBurst;
        return b;
    }

    /** At most this many attempts per call, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Whether the delay follows the observed latency ({@link #percentile()}) rather than being fixed. */
    public boolean isAdaptive() {
        return percentile > 0;
    }

    /**
     * The fixed delay between attempts; with a percentile delay, the initial delay used until the
     * window holds {@link #minSamples()} samples.
     */
    public Duration delay() {
        return delay;
    }

    /** The percentile of observed latency used as the delay, or 0 for a fixed delay. */
    public double percentile() {
        return percentile;
    }

    /** How far back the observed latencies reach (percentile delay). */
    public Duration latencyWindow() {
        return latencyWindow;
    }

    /** Samples the window must hold before its percentile replaces the initial delay. */
    public int minSamples() {
        return minSamples;
    }

    /** The least delay a percentile may give. */
    public Duration minDelay() {
        return minDelay;
    }

    /** The greatest delay a percentile may give. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** Extra attempts allowed per call once the burst is spent. */
    public double budgetRatio() {
        return budgetRatio;
    }

    /** Extra attempts the budget starts with and never holds more of. */
    public int budgetBurst() {
        return budgetBurst;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HedgeConfig c && c.maxAttempts == maxAttempts && c.delay.equals(delay)
                && Double.compare(c.percentile, percentile) == 0 && c.latencyWindow.equals(latencyWindow)
                && c.minSamples == minSamples && c.minDelay.equals(minDelay) && c.maxDelay.equals(maxDelay)
                && Double.compare(c.budgetRatio, budgetRatio) == 0 && c.budgetBurst == budgetBurst;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, delay, percentile, latencyWindow, minSamples, minDelay, maxDelay,
                budgetRatio, budgetBurst);
    }

    @Override
    public String toString() {
        return "HedgeConfig[maxAttempts=" + maxAttempts + ", delay="
                + (isAdaptive() ? "p" + percentile + " of " + latencyWindow + " in [" + minDelay + ", " + maxDelay
                + "], initially " + delay : delay)
                + ", budget=" + budgetRatio + "+" + budgetBurst + ", idempotent]";
    }

    /** Builds a {@link HedgeConfig}; not thread-safe. Every setter validates its argument at once. */
    public static final class Builder {
        private boolean idempotent;
        private int maxAttempts = 2;
        private Duration delay;
        private double percentile;
        private Duration latencyWindow = Duration.ofSeconds(30);
        private int minSamples = 100;
        private Duration minDelay = Duration.ZERO;
        private Duration maxDelay = MAX_DURATION;
        private double budgetRatio = 0.1;
        private int budgetBurst = 10;

        private Builder() {
        }

        /**
         * Declares that the protected operation may run several times concurrently without harm
         * (see the class comment). Required: {@link #build()} fails without it.
         */
        public Builder idempotent() {
            this.idempotent = true;
            return this;
        }

        /**
         * At most {@code maxAttempts} attempts per call, the first included.
         *
         * @throws IllegalArgumentException unless 2 ≤ {@code maxAttempts} ≤ {@value HedgeConfig#MAX_ATTEMPTS}
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 2 || maxAttempts > MAX_ATTEMPTS) {
                throw new IllegalArgumentException("maxAttempts must be between 2 and " + MAX_ATTEMPTS + ", was "
                        + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * A fixed delay: attempt n + 1 starts {@code delay} after attempt n, while no attempt has
         * succeeded.
         *
         * @throws IllegalArgumentException if {@code delay} is negative or longer than 365 days
         */
        public Builder delay(Duration delay) {
            this.delay = checkDuration("delay", delay, true);
            this.percentile = 0;
            return this;
        }

        /**
         * A delay that follows the dependency: the {@code percentile} of the latencies observed over
         * the {@link #latencyWindow latency window}, and {@code initialDelay} until the window holds
         * {@link #minSamples} samples. A percentile of 90 to 99 hedges the slowest 1 to 10 % of calls.
         *
         * @throws IllegalArgumentException if {@code percentile} is not in (0, 100) or {@code initialDelay}
         *                                  is negative or longer than 365 days
         */
        public Builder delayAtPercentile(double percentile, Duration initialDelay) {
            if (!(percentile > 0 && percentile < 100)) {
                throw new IllegalArgumentException("percentile must be in (0, 100), was " + percentile);
            }
            this.delay = checkDuration("initialDelay", initialDelay, true);
            this.percentile = percentile;
            return this;
        }

        /**
         * How far back the observed latencies reach (percentile delay); older samples drop out a
         * quarter of the window at a time.
         *
         * @throws IllegalArgumentException if {@code window} is not positive or longer than 365 days
         */
        public Builder latencyWindow(Duration window) {
            this.latencyWindow = checkDuration("latencyWindow", window, false);
            return this;
        }

        /**
         * Samples the window must hold before its percentile is used.
         *
         * @throws IllegalArgumentException if {@code minSamples} is below 1
         */
        public Builder minSamples(int minSamples) {
            if (minSamples < 1) {
                throw new IllegalArgumentException("minSamples must be >= 1, was " + minSamples);
            }
            this.minSamples = minSamples;
            return this;
        }

        /**
         * Bounds on a percentile delay.
         *
         * @throws IllegalArgumentException if a bound is negative or longer than 365 days, or {@code min > max}
         */
        public Builder delayBounds(Duration min, Duration max) {
            Duration lo = checkDuration("min", min, true);
            Duration hi = checkDuration("max", max, true);
            if (lo.compareTo(hi) > 0) {
                throw new IllegalArgumentException("min (" + min + ") must not exceed max (" + max + ")");
            }
            this.minDelay = lo;
            this.maxDelay = hi;
            return this;
        }

        /**
         * The hedge budget: each call deposits {@code ratio} tokens (up to {@code burst}); each
         * extra attempt takes one, and none starts without one. So over any run, extra attempts ≤
         * {@code burst + ratio × calls}: when the whole dependency is slow, hedging adds at most
         * that share of load, then stops until calls have refilled the budget.
         *
         * @throws IllegalArgumentException if {@code ratio} is not in (0, 1] or {@code burst} is negative
         */
        public Builder budget(double ratio, int burst) {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("budget ratio must be in (0, 1], was " + ratio);
            }
            if (burst < 0) {
                throw new IllegalArgumentException("budget burst must be >= 0, was " + burst);
            }
            this.budgetRatio = ratio;
            this.budgetBurst = burst;
            return this;
        }

        /**
         * @throws IllegalStateException if the operation was not declared {@link #idempotent()} or no
         *                               delay was chosen
         */
        public HedgeConfig build() {
            if (!idempotent) {
                throw new IllegalStateException("hedging runs the operation more than once at the same time: "
                        + "declare it idempotent with HedgeConfig.builder().idempotent() (see docs/hedging.md)");
            }
            if (delay == null) {
                throw new IllegalStateException("choose a delay: delay(Duration) or delayAtPercentile(percentile, initialDelay)");
            }
            return new HedgeConfig(this);
        }

        private static Duration checkDuration(String what, Duration value, boolean zeroAllowed) {
            return zeroAllowed ? Durations.requireNonNegative(what, value) : Durations.requirePositive(what, value);
        }
    }
}
