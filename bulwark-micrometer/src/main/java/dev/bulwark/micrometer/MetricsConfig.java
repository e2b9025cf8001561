package dev.bulwark.micrometer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How {@link BulwarkMetrics} names and bounds its series.
 *
 * <p><b>Cardinality.</b> Each tag key of each component (the {@code name} of breakers, the
 * {@code operation} of rate limits, the {@code key} of protections...) takes at most
 * {@link #maxTagValues(String) maxTagValues} distinct values; a value beyond the bound is reported
 * under {@link #overflowValue()} ({@code other} by default) and counted in
 * {@code bulwark.micrometer.tag_overflows}. A value is given back when its component is removed
 * (a breaker uninstalled, a protection removed). So whatever callers do, a meter has at most the
 * product of its tags' bounds (+1 each) series; entity ids are never tags at all.
 *
 * <p><b>Latency.</b> {@code bulwark.protection.calls} is by default a timer of count and total
 * time (what a rate and a mean latency need, at the cost of two adds per call); asking for
 * {@link Builder#protectionPercentiles percentiles} or a {@link Builder#protectionHistogram
 * histogram} makes it a full Micrometer timer with those distribution statistics and a max.
 *
 * <p>Immutable, thread-safe, with value equality.
 */
public final class MetricsConfig {

    /** The default bound of distinct values per tag key. */
    public static final int DEFAULT_MAX_TAG_VALUES = 100;

    private final int maxTagValues;
    private final Map<String, Integer> maxTagValuesByKey;
    private final String overflowValue;
    private final double[] protectionPercentiles;
    private final boolean protectionHistogram;

    private MetricsConfig(Builder b) {
        this.maxTagValues = b.maxTagValues;
        this.maxTagValuesByKey = java.util.Collections.unmodifiableMap(new TreeMap<>(b.maxTagValuesByKey));
        this.overflowValue = b.overflowValue;
        this.protectionPercentiles = b.protectionPercentiles.clone();
        this.protectionHistogram = b.protectionHistogram;
    }

    /** The defaults: 100 values per tag key, overflow value {@code other}, no percentiles, no histogram. */
    public static MetricsConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound of distinct values of tag {@code tagKey} (the key's own bound, or the general one). */
    public int maxTagValues(String tagKey) {
        return maxTagValuesByKey.getOrDefault(tagKey, maxTagValues);
    }

    /** The general bound of distinct values per tag key. */
    public int maxTagValues() {
        return maxTagValues;
    }

    /** The bounds set for particular tag keys. */
    public Map<String, Integer> maxTagValuesByKey() {
        return maxTagValuesByKey;
    }

    /** The tag value that stands for every value beyond a tag's bound. */
    public String overflowValue() {
        return overflowValue;
    }

    /** The percentiles published by {@code bulwark.protection.calls} (empty: none). */
    public double[] protectionPercentiles() {
        return protectionPercentiles.clone();
    }

    /** Whether {@code bulwark.protection.calls} publishes a percentile histogram. */
    public boolean protectionHistogram() {
        return protectionHistogram;
    }

    /** Whether {@code bulwark.protection.calls} is a full timer (percentiles or histogram asked for). */
    boolean protectionDistribution() {
        return protectionHistogram || protectionPercentiles.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricsConfig other && maxTagValues == other.maxTagValues
                && maxTagValuesByKey.equals(other.maxTagValuesByKey) && overflowValue.equals(other.overflowValue)
                && Arrays.equals(protectionPercentiles, other.protectionPercentiles)
                && protectionHistogram == other.protectionHistogram;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxTagValues, maxTagValuesByKey, overflowValue, Arrays.hashCode(protectionPercentiles),
                protectionHistogram);
    }

    @Override
    public String toString() {
        return "MetricsConfig[maxTagValues=" + maxTagValues + ", maxTagValuesByKey=" + maxTagValuesByKey
                + ", overflowValue=" + overflowValue + ", protectionPercentiles=" + Arrays.toString(protectionPercentiles)
                + ", protectionHistogram=" + protectionHistogram + "]";
    }

    /** Builds a {@link MetricsConfig}, validating each setting as it is given; not thread-safe. */
    public static final class Builder {
        private int maxTagValues = DEFAULT_MAX_TAG_VALUES;
        private final Map<String, Integer> maxTagValuesByKey = new LinkedHashMap<>();
        private String overflowValue = "other";
        private double[] protectionPercentiles = new double[0];
        private boolean protectionHistogram;

        private Builder() {
        }

        /**
         * The bound of distinct values of every tag key.
         *
         * @throws IllegalArgumentException if {@code max} is not positive
         */
        public Builder maxTagValues(int max) {
            this.maxTagValues = requirePositive("maxTagValues", max);
            return this;
        }

        /**
         * The bound of distinct values of tag {@code tagKey} (e.g. {@code name} for breakers), over
         * the general one.
         *
         * @throws IllegalArgumentException if {@code tagKey} is blank or {@code max} is not positive
         */
        public Builder maxTagValues(String tagKey, int max) {
            if (tagKey == null || tagKey.isBlank()) {
                throw new IllegalArgumentException("tagKey must be non-blank, was " + (tagKey == null ? "null" : "'" + tagKey + "'"));
            }
            maxTagValuesByKey.put(tagKey, requirePositive("maxTagValues(" + tagKey + ")", max));
            return this;
        }

        /**
         * The tag value standing for values beyond a bound.
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder overflowValue(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("overflowValue must be non-blank, was " + (value == null ? "null" : "'" + value + "'"));
            }
            this.overflowValue = value;
            return this;
        }

        /**
         * Percentiles for {@code bulwark.protection.calls}, e.g. {@code 0.5, 0.99}.
         *
         * @throws IllegalArgumentException if one is not in [0, 1]
         */
        public Builder protectionPercentiles(double... percentiles) {
            Objects.requireNonNull(percentiles, "percentiles");
            for (double p : percentiles) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("a percentile is in [0, 1], was " + p);
                }
            }
            this.protectionPercentiles = percentiles.clone();
            return this;
        }

        /** Whether {@code bulwark.protection.calls} publishes a percentile histogram (buckets, for Prometheus). */
        public Builder protectionHistogram(boolean enabled) {
            this.protectionHistogram = enabled;
            return this;
        }

        public MetricsConfig build() {
            return new MetricsConfig(this);
        }

        private static int requirePositive(String what, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, was " + value);
            }
            return value;
        }
    }
}
