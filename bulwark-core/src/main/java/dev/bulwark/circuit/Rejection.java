package dev.bulwark.circuit;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;

/**
 * A refusal, ready to hand out in every form a caller needs: the 5004 error, the {@code Err}
 * result and the exception (which has no stack trace and cannot take a cause or suppressed
 * exceptions, so one instance can be thrown to many callers).
 *
 * <p>A phase caches its rejection for one tick of about a millisecond ({@code nanoTime >> 20}): an
 * open breaker rejecting a million calls a second builds a thousand errors, not a million, and each
 * error's {@code retryAfter} and timestamp are at most a tick old (rounded so that retryAfter is
 * never too short).
 */
final class Rejection extends Admission {

    static final int TICK_SHIFT = 20;

    /** Why the breaker refused; null for the 2102 answer of a breaker whose registry was closed. */
    final RejectionReason reason;
    final long tick;
    final InfraError error;
    final Result.Err<Object> result;
    final InfraException exception;

    Rejection(RejectionReason reason, long tick, InfraError error) {
        this.reason = reason;
        this.tick = tick;
        this.error = error;
        this.result = new Result.Err<>(error);
        this.exception = error.toException();
    }

    /**
     * The exception to throw: the shared one of a refusal (no stack trace, no cause, so sharing is
     * safe), a fresh one for the 2102 answer of a closed breaker (which has a stack trace).
     */
    InfraException toException() {
        return reason == null ? error.toException() : exception;
    }

    @SuppressWarnings("unchecked")
    <T> Result<T> result() {
        return (Result<T>) (Result<?>) result;
    }
}
