package dev.bulwark.health;

import java.time.Duration;
import java.util.Objects;

/**
 * How the registry runs one health check: its {@link #timeout()} (a run still going after it makes
 * the check DOWN, and is interrupted) and its {@link #ttl()} (how long a result is reused before
 * the check runs again: whatever the probe rate, the check runs at most once per TTL).
 *
 * <p>Defaults ({@link #defaults()}): timeout {@value #DEFAULT_TIMEOUT_MS} ms, TTL
 * {@value #DEFAULT_TTL_MS} ms. One second matches the default timeout of a Kubernetes probe; a TTL
 * of two seconds lets a probe storm of any rate reach a dependency at most every two seconds, and
 * still shows a failure to a probe of period 1 s within about three seconds (docs/health.md).
 *
 * <p>Immutable; equal when timeout and TTL are equal.
 */
public final class HealthCheckConfig {

    /** The default timeout, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MS = 1_000;
    /** The default TTL, in milliseconds. */
    public static final long DEFAULT_TTL_MS = 2_000;
    /** The longest timeout or TTL accepted. */
    public static final Duration MAX = Duration.ofHours(1);

    private static final HealthCheckConfig DEFAULTS = new HealthCheckConfig(Duration.ofMillis(DEFAULT_TIMEOUT_MS),
            Duration.ofMillis(DEFAULT_TTL_MS));

    private final Duration timeout;
    private final Duration ttl;

    private HealthCheckConfig(Duration timeout, Duration ttl) {
        this.timeout = timeout;
        this.ttl = ttl;
    }

    /** Timeout 1 s, TTL 2 s. */
    public static HealthCheckConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A check given up on after {@code timeout}, whose result is reused for {@code ttl}.
     *
     * @throws IllegalArgumentException if either is not positive or longer than {@link #MAX}
     */
    public static HealthCheckConfig of(Duration timeout, Duration ttl) {
        return new HealthCheckConfig(requireInRange("timeout", timeout), requireInRange("ttl", ttl));
    }

    /** This configuration with another timeout (see {@link #of}). */
    public HealthCheckConfig withTimeout(Duration timeout) {
        return of(timeout, ttl);
    }

    /** This configuration with another TTL (see {@link #of}). */
    public HealthCheckConfig withTtl(Duration ttl) {
        return of(timeout, ttl);
    }

    /** After how long a run is given up on: the check is then DOWN and the run interrupted. */
    public Duration timeout() {
        return timeout;
    }

    /** How long a result is reused before the check runs again. */
    public Duration ttl() {
        return ttl;
    }

    private static Duration requireInRange(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative() || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("health check " + what + " must be positive and at most " + MAX
                    + ", was " + d);
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthCheckConfig other && timeout.equals(other.timeout) && ttl.equals(other.ttl);
    }

    @Override
    public int hashCode() {
        return timeout.hashCode() * 31 + ttl.hashCode();
    }

    @Override
    public String toString() {
        return "HealthCheckConfig[timeout=" + timeout + ", ttl=" + ttl + "]";
    }
}
