package dev.bulwark.redis.internal;

/**
 * Guards the calls to Redis so that, while Redis is down, a decision costs a permit check instead
 * of a timeout. Implemented by a circuit breaker; a call first asks {@link #tryAcquirePermit()},
 * then reports its outcome exactly once. Implementations are thread-safe.
 */
public interface BackendGuard {

    /** Whether a call may go to Redis now; false while the breaker is open. */
    boolean tryAcquirePermit();

    /** The permitted call succeeded after {@code durationNanos}. */
    void onSuccess(long durationNanos);

    /** The permitted call failed (timeout, connection, error) after {@code durationNanos}. */
    void onFailure(long durationNanos, Throwable failure);

    /** A short description of the state, e.g. {@code CLOSED} or {@code OPEN}, for status reports. */
    String state();
}
