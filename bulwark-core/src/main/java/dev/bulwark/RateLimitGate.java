package dev.bulwark;

import dev.bulwark.error.InfraError;
import dev.bulwark.ratelimit.RateLimit;

/** How the pipeline asks the infrastructure's rate limiter for admission. */
interface RateLimitGate {

    /**
     * Records one call of {@code operation} by {@code entityId} against {@code rule}.
     *
     * @return null when admitted; otherwise the error (6001 with {@code retryAfter} when denied)
     */
    InfraError acquire(String entityId, String operation, RateLimit rule);

    /** The limiter's status of the key, or null if it has none. */
    dev.bulwark.ratelimit.RateLimitStatus status(String entityId, String operation, RateLimit rule);
}
