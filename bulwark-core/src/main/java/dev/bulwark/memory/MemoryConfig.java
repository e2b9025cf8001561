package dev.bulwark.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * The thresholds of a {@link MemoryMonitor}, as shares of the heap in use after collection:
 * <ul>
 *   <li>{@link #elevatedAt()} (default {@value #DEFAULT_ELEVATED}) and {@link #criticalAt()}
 *       (default {@value #DEFAULT_CRITICAL}): a reading at or above one enters that level;</li>
 *   <li>{@link #hysteresis()} (default {@value #DEFAULT_HYSTERESIS}): a level is left only once a
 *       reading falls below its threshold minus this much (ELEVATED at 80 % is left below 75 %), so
 *       a heap hovering at a threshold does not flap between levels;</li>
 *   <li>{@link #criticalGracePeriod()} (default 60 s): how long CRITICAL may last before liveness
 *       reports the process DOWN (a heap that stays full after collections does not recover);</li>
 *   <li>{@link #pollInterval()} (default 1 s, real time): how often the monitor reads besides
 *       after each collection.</li>
 * </ul>
 *
 * <p>Immutable; equal when every setting is equal.
 */
public final class MemoryConfig {

    public static final double DEFAULT_ELEVATED = 0.80;
    public static final double DEFAULT_CRITICAL = 0.90;
    public static final double DEFAULT_HYSTERESIS = 0.05;

    private static final MemoryConfig DEFAULTS = builder().build();

    private final double elevatedAt;
    private final double criticalAt;
    private final double hysteresis;
    private final Duration criticalGracePeriod;
    private final Duration pollInterval;

    private MemoryConfig(Builder b) {
        this.elevatedAt = b.elevatedAt;
        this.criticalAt = b.criticalAt;
        this.hysteresis = b.hysteresis;
        this.criticalGracePeriod = b.criticalGracePeriod;
        this.pollInterval = b.pollInterval;
    }

    /** Elevated at 80 %, critical at 90 %, hysteresis 5 points, grace 60 s, poll every second. */
    public static MemoryConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double elevatedAt() {
        return elevatedAt;
    }

    public double criticalAt() {
        return criticalAt;
    }

    public double hysteresis() {
        return hysteresis;
    }

    public Duration criticalGracePeriod() {
        return criticalGracePeriod;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * The level after a reading of {@code occupancy} when the level was {@code current}: entering
     * a level takes its threshold, leaving it takes its threshold minus the hysteresis.
     */
    public MemoryPressure levelAfter(MemoryPressure current, double occupancy) {
        Objects.requireNonNull(current, "current");
        if (occupancy >= criticalAt || (current == MemoryPressure.CRITICAL && occupancy >= criticalAt - hysteresis)) {
            return MemoryPressure.CRITICAL;
        }
        if (occupancy >= elevatedAt || (current != MemoryPressure.NORMAL && occupancy >= elevatedAt - hysteresis)) {
            return MemoryPressure.ELEVATED;
        }
        return MemoryPressure.NORMAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryConfig c && Double.compare(elevatedAt, c.elevatedAt) == 0
                && Double.compare(criticalAt, c.criticalAt) == 0 && Double.compare(hysteresis, c.hysteresis) == 0
                && criticalGracePeriod.equals(c.criticalGracePeriod) && pollInterval.equals(c.pollInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(elevatedAt, criticalAt, hysteresis, criticalGracePeriod, pollInterval);
    }

    @Override
    public String toString() {
        return "MemoryConfig[elevatedAt=" + elevatedAt + ", criticalAt=" + criticalAt + ", hysteresis=" + hysteresis
                + ", criticalGracePeriod=" + criticalGracePeriod + ", pollInterval=" + pollInterval + "]";
    }

    /** Builds a {@link MemoryConfig}; not thread-safe. {@link #build()} checks the thresholds together. */
    public static final class Builder {
        private double elevatedAt = DEFAULT_ELEVATED;
        private double criticalAt = DEFAULT_CRITICAL;
        private double hysteresis = DEFAULT_HYSTERESIS;
        private Duration criticalGracePeriod = Duration.ofSeconds(60);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {
        }

        /** The share of the heap in use after collection from which the level is ELEVATED. */
        public Builder elevatedAt(double share) {
            this.elevatedAt = share(share, "elevatedAt");
            return this;
        }

        /** The share from which the level is CRITICAL. */
        public Builder criticalAt(double share) {
            this.criticalAt = share(share, "criticalAt");
            return this;
        }

        /** How far below its threshold a reading must fall to leave a level. */
        public Builder hysteresis(double share) {
            if (!(share >= 0 && share < 1)) {
                throw new IllegalArgumentException("hysteresis must be in [0, 1), was " + share);
            }
            this.hysteresis = share;
            return this;
        }

        /**
         * How long CRITICAL may last before liveness is DOWN.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder criticalGracePeriod(Duration grace) {
            this.criticalGracePeriod = positive("criticalGracePeriod", grace);
            return this;
        }

        /**
         * How often to read besides after each collection (real time).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive("pollInterval", interval);
            return this;
        }

        /**
         * @throws IllegalArgumentException unless 0 &lt; elevatedAt &lt; criticalAt and hysteresis &lt; elevatedAt
         */
        public MemoryConfig build() {
            if (elevatedAt >= criticalAt) {
                throw new IllegalArgumentException("elevatedAt (" + elevatedAt + ") must be below criticalAt (" + criticalAt + ")");
            }
            if (hysteresis >= elevatedAt) {
                throw new IllegalArgumentException("hysteresis (" + hysteresis + ") must be below elevatedAt (" + elevatedAt + ")");
            }
            return new MemoryConfig(this);
        }

        private static double share(double share, String name) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException(name + " must be in (0, 1], was " + share);
            }
            return share;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
