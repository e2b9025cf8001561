package dev.bulwark.circuit;

import java.util.Locale;

/**
 * Why a {@link CircuitBreaker} refused a call. It appears as {@code reason} in the
 * {@code circuit_breaker.call_rejected} event and in the context of the 5004 error.
 */
public enum RejectionReason {
    /** The breaker is open; {@code retryAfter} tells when it will admit calls again. */
    OPEN,
    /** The breaker was disabled by hand ({@code disable}). */
    DISABLED,
    /** The breaker is half-open and every trial permit is taken. */
    HALF_OPEN_FULL,
    /** No breaker of that name is installed (registry calls only; the error code is 5005). */
    NOT_FOUND,
    /** Fault injection rejected the call on purpose. */
    FAULT_INJECTED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in telemetry and errors, e.g. {@code half_open_full}. */
    public String label() {
        return label;
    }
}
