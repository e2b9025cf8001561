package dev.bulwark.ratelimit;

/**
 * Thrown by a {@link LimitStore} whose backend (Redis, say) cannot be reached and that fails
 * closed; the {@code RateLimiter} reports it as error 6010 (rate limiter unavailable). A store
 * that fails open returns an allowed decision instead of throwing.
 */
public class LimitStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LimitStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
