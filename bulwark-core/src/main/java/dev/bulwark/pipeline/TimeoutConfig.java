package dev.bulwark.pipeline;

import dev.bulwark.time.Durations;
import java.time.Duration;

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
     * @throws IllegalArgumentException if {@code timeout} is not positive, or longer than
     *                                  {@link Durations#MAX} (365 days)
     */
    public static TimeoutConfig of(Duration timeout) {
        return new TimeoutConfig(Durations.requirePositive("timeout", timeout), true);
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
