package dev.bulwark.pipeline;

import dev.bulwark.time.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AdaptiveConcurrency} limit adapts: its algorithm, where it starts, its floor and
 * ceiling, the sample window it learns from and how much latency above the unloaded latency it
 * tolerates. Immutable, with value equality; built by {@link #builder()}, whose setters validate
 * at once. See docs/adaptive-concurrency.md.
 *
 * <p>Defaults: {@link Algorithm#GRADIENT}, initial limit 20, floor 1, ceiling 1000, windows of
 * 1 s holding at least 20 samples, tolerance 1.25 (latency up to 25 % above the unloaded latency
 * is not congestion), AIMD backoff 0.9, slow start on, a baseline probe every 30 windows.
 */
public final class AdaptiveConcurrencyConfig {

    /** The control law applied at the end of each window once slow start is over. */
    public enum Algorithm {
        /**
         * Additive increase, multiplicative decrease: +1 per window while the limit is used and
         * the latency is within tolerance; × {@link #backoffRatio()} on congestion (latency above
         * tolerance × baseline, or a timed-out call).
         */
        AIMD,
        /**
         * The gradient of Netflix's Gradient2: the limit is multiplied by
         * {@code min(1, tolerance × baseline / latency)} (at least 0.5; 0.5 on a timed-out call),
         * and grows by √limit only while that gradient is 1 and the limit is used.
         */
        GRADIENT;

        /** The name in events and status: {@code aimd} or {@code gradient}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Algorithm algorithm;
    private final int initialLimit;
    private final int minLimit;
    private final int maxLimit;
    private final Duration window;
    private final int minSamples;
    private final double tolerance;
    private final double backoffRatio;
    private final boolean slowStart;
    private final int probeInterval;

    private AdaptiveConcurrencyConfig(Builder b) {
        this.algorithm = b.algorithm;
        this.initialLimit = b.initialLimit;
        this.minLimit = b.minLimit;
        this.maxLimit = b.maxLimit;
        this.window = b.window;
        this.minSamples = b.minSamples;
        this.tolerance = b.tolerance;
        this.backoffRatio = b.backoffRatio;
        this.slowStart = b.slowStart;
        this.probeInterval = b.probeInterval;
    }

    /** The default configuration. */
    public static AdaptiveConcurrencyConfig defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.algorithm = algorithm;
        b.initialLimit = initialLimit;
        b.minLimit = minLimit;
        b.maxLimit = maxLimit;
        b.window = window;
        b.minSamples = minSamples;
        b.tolerance = tolerance;
        b.backoffRatio = backoffRatio;
        b.slowStart = slowStart;
        b.probeInterval = probeInterval;
        return b;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The limit before anything was measured. */
    public int initialLimit() {
        return initialLimit;
    }

    /** The floor: the limit never goes below it. */
    public int minLimit() {
        return minLimit;
    }

    /** The ceiling: the limit never goes above it. */
    public int maxLimit() {
        return maxLimit;
    }

    /** The length of a sample window: the limit changes at most once per window. */
    public Duration window() {
        return window;
    }

    /** Samples a window must hold to count; a window with fewer is dropped whole. */
    public int minSamples() {
        return minSamples;
    }

    /** The latency, as a multiple of the unloaded latency, below which there is no congestion. */
    public double tolerance() {
        return tolerance;
    }

    /** AIMD's multiplicative decrease. */
    public double backoffRatio() {
        return backoffRatio;
    }

    /** Whether the limit doubles per window until the first congestion. */
    public boolean slowStart() {
        return slowStart;
    }

    /** Windows between two probes of the unloaded latency (0: never probe). */
    public int probeInterval() {
        return probeInterval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdaptiveConcurrencyConfig c && c.algorithm == algorithm && c.initialLimit == initialLimit
                && c.minLimit == minLimit && c.maxLimit == maxLimit && c.window.equals(window)
                && c.minSamples == minSamples && Double.compare(c.tolerance, tolerance) == 0
                && Double.compare(c.backoffRatio, backoffRatio) == 0 && c.slowStart == slowStart
                && c.probeInterval == probeInterval;
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, initialLimit, minLimit, maxLimit, window, minSamples, tolerance, backoffRatio,
                slowStart, probeInterval);
    }

    @Override
    public String toString() {
        return "AdaptiveConcurrencyConfig[" + algorithm.label() + ", limit " + initialLimit + " in [" + minLimit + ", "
                + maxLimit + "], window=" + window + " (>= " + minSamples + " samples), tolerance=" + tolerance
                + (algorithm == Algorithm.AIMD ? ", backoff=" + backoffRatio : "") + ", slowStart=" + slowStart
                + ", probeInterval=" + probeInterval + "]";
    }

    /** Builds an {@link AdaptiveConcurrencyConfig}; not thread-safe. */
    public static final class Builder {
        private Algorithm algorithm = Algorithm.GRADIENT;
        private int initialLimit = 20;
        private int minLimit = 1;
        private int maxLimit = 1000;
        private Duration window = Duration.ofSeconds(1);
        private int minSamples = 20;
        private double tolerance = 1.25;
        private double backoffRatio = 0.9;
        private boolean slowStart = true;
        private int probeInterval = 30;

        private Builder() {
        }

        public Builder algorithm(Algorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /**
         * @throws IllegalArgumentException if {@code initialLimit} is below 1
         */
        public Builder initialLimit(int initialLimit) {
            if (initialLimit < 1) {
                throw new IllegalArgumentException("initialLimit must be >= 1, was " + initialLimit);
            }
            this.initialLimit = initialLimit;
            return this;
        }

        /**
         * The floor and the ceiling of the limit.
         *
         * @throws IllegalArgumentException if {@code min} is below 1 or {@code max} below {@code min}
         */
        public Builder limits(int min, int max) {
            if (min < 1) {
                throw new IllegalArgumentException("minLimit must be >= 1, was " + min);
            }
            if (max < min) {
                throw new IllegalArgumentException("maxLimit (" + max + ") must be >= minLimit (" + min + ")");
            }
            this.minLimit = min;
            this.maxLimit = max;
            return this;
        }

        /**
         * The sample window; choose several times the dependency's latency.
         *
         * @throws IllegalArgumentException if {@code window} is not positive or longer than 365 days
         */
        public Builder window(Duration window) {
            this.window = Durations.requirePositive("window", window);
            return this;
        }

        /**
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
         * @throws IllegalArgumentException if {@code tolerance} is not in (1, 4]
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance > 1 && tolerance <= 4)) {
                throw new IllegalArgumentException("tolerance must be in (1, 4], was " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * @throws IllegalArgumentException if {@code ratio} is not in [0.5, 1)
         */
        public Builder backoffRatio(double ratio) {
            if (!(ratio >= 0.5 && ratio < 1)) {
                throw new IllegalArgumentException("backoffRatio must be in [0.5, 1), was " + ratio);
            }
            this.backoffRatio = ratio;
            return this;
        }

        /** Whether the limit doubles per window until the first sign of congestion (default true). */
        public Builder slowStart(boolean slowStart) {
            this.slowStart = slowStart;
            return this;
        }

        /**
         * Windows between two probes of the unloaded latency; 0 never probes after the first.
         *
         * @throws IllegalArgumentException if {@code windows} is negative
         */
        public Builder probeInterval(int windows) {
            if (windows < 0) {
                throw new IllegalArgumentException("probeInterval must be >= 0, was " + windows);
            }
            this.probeInterval = windows;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the initial limit lies outside the floor and the ceiling
         */
        public AdaptiveConcurrencyConfig build() {
            if (initialLimit < minLimit || initialLimit > maxLimit) {
                throw new IllegalArgumentException("initialLimit (" + initialLimit + ") must lie within [" + minLimit
                        + ", " + maxLimit + "]");
            }
            return new AdaptiveConcurrencyConfig(this);
        }
    }
}
