package dev.bulwark.pool;

/** The values of the {@code reason} tag of the pool's events (docs/pools.md). */
final class Reasons {
    // checkout_rejected
    static final String TIMEOUT = "timeout";
    static final String WAITERS_FULL = "waiters_full";
    static final String BREAKER_OPEN = "breaker_open";
    static final String CREATION_FAILED = "creation_failed";
    static final String VALIDATION_FAILED = "validation_failed";
    static final String CLOSED = "closed";
    static final String INTERRUPTED = "interrupted";
    // resource_created
    static final String CORE = "core";
    static final String OVERFLOW = "overflow";
    // resource_destroyed (also VALIDATION_FAILED, CLOSED)
    static final String IDLE_EVICTED = "idle_evicted";
    static final String OVERFLOW_EXPIRED = "overflow_expired";
    static final String POISONED = "poisoned";
    static final String INVALIDATED = "invalidated";

    private Reasons() {
    }
}
