package dev.bulwark.circuit;

import java.util.Locale;

/**
 * The state of a {@link CircuitBreaker}.
 *
 * <pre>
 *   CLOSED --trip--> OPEN --after the open duration--> CLOSED       (reset recovery, fuse semantics)
 *                                                  \-> HALF_OPEN    (half-open recovery)
 *   HALF_OPEN --enough trial successes--> CLOSED
 *   HALF_OPEN --too many trial failures, or trial timeout--> OPEN (longer, when backing off)
 *   any --disable--> DISABLED --enable--> CLOSED
 * </pre>
 */
public enum State {
    /** Calls pass and their outcomes are counted by the trip policies. */
    CLOSED,
    /** Calls are rejected (code 5004) until the open duration has passed. */
    OPEN,
    /** A limited number of trial calls pass; their outcomes decide between closing and re-opening. */
    HALF_OPEN,
    /** Forced open by {@code disable}: every call is rejected until {@code enable}. */
    DISABLED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in telemetry and errors: {@code closed}, {@code open}, {@code half_open}, {@code disabled}. */
    public String label() {
        return label;
    }

    /** Whether a call may pass in this state (closed, or half-open with a trial permit left). */
    public boolean admitsCalls() {
        return this == CLOSED || this == HALF_OPEN;
    }
}
