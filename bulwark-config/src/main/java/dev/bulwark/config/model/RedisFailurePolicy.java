package dev.bulwark.config.model;

/**
 * What the Redis limit store answers when Redis cannot decide; the constants of
 * {@code dev.bulwark.redis.FailurePolicy}, named here so that the schema loads without bulwark-redis.
 */
public enum RedisFailurePolicy {
    /** Admit the request. */
    FAIL_OPEN,
    /** Refuse it with 6010. */
    FAIL_CLOSED,
    /** Decide with a local in-memory store. */
    FALLBACK_LOCAL
}
