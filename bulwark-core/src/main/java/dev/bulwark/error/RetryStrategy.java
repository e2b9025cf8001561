package dev.bulwark.error;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Whether and how a failed operation may be retried.
 *
 * <p>{@link #delay(int, Duration)} gives the wait before a retry: exponential backoff waits
 * {@code min(1000 * 2^attempt, 30000)} ms, a fixed delay waits one second (or the known
 * {@code retryAfter}), an immediate retry waits nothing, and {@link #NO_RETRY} has no delay
 * because there is no retry.
 */
public enum RetryStrategy {
    /** Retrying cannot help (bad input, configuration, programming errors). */
    NO_RETRY,
    /** Retry at once. */
    IMMEDIATE,
    /** Retry after a fixed delay, or after {@code retryAfter} when the error knows it. */
    FIXED_DELAY,
    /** Retry after an exponentially growing delay. */
    EXPONENTIAL_BACKOFF;

    static final long BASE_DELAY_MILLIS = 1_000;
    static final long MAX_DELAY_MILLIS = 30_000;

    /** Whether this strategy allows a retry at all. */
    public boolean isRetryable() {
        return this != NO_RETRY;
    }

    /**
     * The wait before retry number {@code attempt} (0 for the first retry).
     *
     * @param attempt    the retry number, 0 or more
     * @param retryAfter a wait known from the error (e.g. a rate limiter's exact wait), or null
     * @return the delay, or null when this strategy does not retry
     * @throws IllegalArgumentException if {@code attempt} is negative
     */
    public Duration delay(int attempt, Duration retryAfter) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        }
        switch (this) {
            case NO_RETRY:
                return null;
            case IMMEDIATE:
                return Duration.ZERO;
            case FIXED_DELAY:
                return retryAfter != null ? retryAfter : Duration.ofMillis(BASE_DELAY_MILLIS);
            default:
                long millis = attempt >= 15 ? MAX_DELAY_MILLIS : Math.min(BASE_DELAY_MILLIS << attempt, MAX_DELAY_MILLIS);
                return Duration.ofMillis(millis);
        }
    }

    /**
     * The strategy suited to a failure caused by {@code cause}: the strategy of an
     * {@link InfraException}'s error, none for interrupts, {@link Error}s and programming errors
     * (illegal argument or state, null pointer, class cast, unsupported operation), exponential
     * backoff for I/O failures, timeouts and any other exception (a remote call failing for an
     * unknown reason is usually transient).
     */
    public static RetryStrategy forCause(Throwable cause) {
        if (cause == null) {
            return NO_RETRY;
        }
        if (cause instanceof InfraException) {
            return ((InfraException) cause).error().retryStrategy();
        }
        if (cause instanceof InterruptedException || cause instanceof InterruptedIOException) {
            return NO_RETRY;
        }
        if (cause instanceof Error) {
            return NO_RETRY;
        }
        if (cause instanceof IllegalArgumentException
                || cause instanceof IllegalStateException
                || cause instanceof NullPointerException
                || cause instanceof ClassCastException
                || cause instanceof UnsupportedOperationException) {
            return NO_RETRY;
        }
        if (cause instanceof IOException || cause instanceof TimeoutException) {
            return EXPONENTIAL_BACKOFF;
        }
        return EXPONENTIAL_BACKOFF;
    }
}
