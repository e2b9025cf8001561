package dev.bulwark.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a {@link Timeout} lets a call run, and whether it interrupts the call when the time is
 * up. Immutable.
 *
 * @see #of(Duration)
 */
public final class TimeoutConfig {

    private final Duration timeout;
    private final boolean interruptOnTimeout;

    private TimeoutConfig(Duration timeout, boolean interruptOnTimeout) {
        this.timeout = timeout;
        this.interruptOnTimeout = interruptOnTimeout;
    }

    /**
     * A timeout that interrupts the call (or cancels its future) when the time is up.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public static TimeoutConfig of(Duration timeout) {
        return new TimeoutConfig(requirePositive(timeout), true);
    }

    /** This timeout, interrupting the call or not when the time is up. */
    public TimeoutConfig withInterruptOnTimeout(boolean interrupt) {
        return new TimeoutConfig(timeout, interrupt);
    }

    public Duration timeout() {
        return timeout;
    }

    /** Whether a timed-out call is interrupted (sync) or its future cancelled with interruption (async). */
    public boolean interruptOnTimeout() {
        return interruptOnTimeout;
    }

    static Duration requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimeoutConfig c && c.timeout.equals(timeout) && c.interruptOnTimeout == interruptOnTimeout;
    }

    @Override
    public int hashCode() {
        return timeout.hashCode() * 31 + Boolean.hashCode(interruptOnTimeout);
    }

    @Override
    public String toString() {
        return "TimeoutConfig[" + timeout + (interruptOnTimeout ? ", interrupting" : "") + "]";
    }
}
