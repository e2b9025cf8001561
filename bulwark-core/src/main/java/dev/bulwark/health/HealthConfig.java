package dev.bulwark.health;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration of an infrastructure's {@link HealthRegistry}
 * ({@code Infrastructure.builder().health(config)}):
 * <ul>
 *   <li>{@link #checkDefaults()}: the timeout and TTL of checks registered without their own
 *       ({@link HealthCheckConfig#defaults()}: 1 s, 2 s);</li>
 *   <li>{@link #criticalBreakers()}: the names of the breakers whose opening makes readiness DOWN
 *       instead of DEGRADED (none by default; more at run time with
 *       {@link HealthRegistry#markCritical(String)});</li>
 *   <li>{@link #keyBoundWarning()}: the share of the in-memory rate limiter's key bound from which
 *       its check is DEGRADED (default {@value #DEFAULT_KEY_BOUND_WARNING}).</li>
 * </ul>
 *
 * <p>Immutable; equal when every setting is equal.
 */
public final class HealthConfig {

    /** The default share of the key bound from which the rate limiter's check is DEGRADED. */
    public static final double DEFAULT_KEY_BOUND_WARNING = 0.9;

    private static final HealthConfig DEFAULTS = builder().build();

    private final HealthCheckConfig checkDefaults;
    private final Set<String> criticalBreakers;
    private final double keyBoundWarning;

    private HealthConfig(Builder b) {
        this.checkDefaults = b.checkDefaults;
        this.criticalBreakers = Collections.unmodifiableSet(new TreeSet<>(b.criticalBreakers));
        this.keyBoundWarning = b.keyBoundWarning;
    }

    /** Check defaults 1 s / 2 s, no critical breaker, key-bound warning at 90 %. */
    public static HealthConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The timeout and TTL of checks registered without their own. */
    public HealthCheckConfig checkDefaults() {
        return checkDefaults;
    }

    /** The breakers marked critical from the start, sorted. */
    public Set<String> criticalBreakers() {
        return criticalBreakers;
    }

    /** The share (0 to 1] of the key bound from which the rate limiter's check is DEGRADED. */
    public double keyBoundWarning() {
        return keyBoundWarning;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthConfig other && checkDefaults.equals(other.checkDefaults)
                && criticalBreakers.equals(other.criticalBreakers)
                && Double.compare(keyBoundWarning, other.keyBoundWarning) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkDefaults, criticalBreakers, keyBoundWarning);
    }

    @Override
    public String toString() {
        return "HealthConfig[checkDefaults=" + checkDefaults + ", criticalBreakers=" + criticalBreakers
                + ", keyBoundWarning=" + keyBoundWarning + "]";
    }

    /** Builds a {@link HealthConfig}; not thread-safe. */
    public static final class Builder {
        private HealthCheckConfig checkDefaults = HealthCheckConfig.defaults();
        private final Set<String> criticalBreakers = new TreeSet<>();
        private double keyBoundWarning = DEFAULT_KEY_BOUND_WARNING;

        private Builder() {
        }

        /** The timeout and TTL of checks registered without their own. */
        public Builder checkDefaults(HealthCheckConfig defaults) {
            this.checkDefaults = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        /**
         * Marks breakers critical: while one of them is open (or disabled), readiness is DOWN.
         *
         * @throws IllegalArgumentException if a name is blank
         */
        public Builder criticalBreakers(String... names) {
            for (String name : Objects.requireNonNull(names, "names")) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("critical breaker name must be non-blank, was "
                            + (name == null ? "null" : "'" + name + "'"));
                }
                criticalBreakers.add(name);
            }
            return this;
        }

        /**
         * The share of the in-memory store's key bound from which the rate limiter's check is DEGRADED.
         *
         * @throws IllegalArgumentException if {@code share} is not in (0, 1]
         */
        public Builder keyBoundWarning(double share) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("keyBoundWarning must be in (0, 1], was " + share);
            }
            this.keyBoundWarning = share;
            return this;
        }

        public HealthConfig build() {
            return new HealthConfig(this);
        }
    }
}
