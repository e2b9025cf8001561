package dev.bulwark.pool;

import static dev.bulwark.telemetry.Unit.MILLISECONDS;
import static dev.bulwark.telemetry.Unit.NANOSECONDS;

import dev.bulwark.telemetry.EventType;
import java.util.List;

/**
 * The events of the pool module (declared with the infrastructure's telemetry when the module is
 * installed; listed in docs/pools.md). Every event is tagged with the pool's name; keyed pools
 * never tag by key (keys go in the details), so a metrics bridge keeps one series per pool.
 */
public final class PoolEvents {

    private PoolEvents() {
    }

    // metadata keys and measurements of these events
    public static final String POOL = "pool";
    public static final String REASON = "reason";
    public static final String ERROR_CODE = "error_code";
    public static final String KEY = "key";
    public static final String WAIT_NS = "wait_ns";
    public static final String HELD_MS = "held_ms";
    public static final String STACK = "stack";
    public static final String MESSAGE = "message";

    private static final String POOL_DOC = "the pool's name";

    /** A caller got a resource. */
    public static final EventType CHECKED_OUT = EventType.builder("pool", "checked_out")
            .description("a caller got a resource from the pool")
            .measurement(WAIT_NS, NANOSECONDS, "how long the caller waited for it")
            .tag(POOL, POOL_DOC)
            .build();
    /** A checkout was refused: timeout, too many waiters, interrupted, creation breaker open, pool closed. */
    public static final EventType CHECKOUT_REJECTED = EventType.builder("pool", "checkout_rejected")
            .description("a checkout was refused")
            .measurement(WAIT_NS, NANOSECONDS, "how long the caller waited before the refusal")
            .tag(POOL, POOL_DOC)
            .tag(REASON, "timeout, waiters_full, interrupted, breaker_open, creation_failed, validation_failed or closed")
            .tag(ERROR_CODE, "7101, 7102 or 7103")
            .build();
    /** A resource was created. */
    public static final EventType RESOURCE_CREATED = EventType.builder("pool", "resource_created")
            .description("the factory created a resource")
            .tag(POOL, POOL_DOC)
            .tag(REASON, "core or overflow")
            .build();
    /** A resource was destroyed. */
    public static final EventType RESOURCE_DESTROYED = EventType.builder("pool", "resource_destroyed")
            .description("a resource was destroyed")
            .tag(POOL, POOL_DOC)
            .tag(REASON, "idle_evicted, overflow_expired, validation_failed, poisoned, invalidated, closed, or evicted (a JDBC connection retired by HikariCP)")
            .build();
    /** A resource has been held longer than the leak threshold. */
    public static final EventType LEAK_SUSPECTED = EventType.builder("pool", "leak_suspected")
            .description("a resource has been checked out for longer than the leak threshold")
            .measurement(HELD_MS, MILLISECONDS, "how long it has been held")
            .tag(POOL, POOL_DOC)
            .detail(STACK, "the holder's stack trace at checkout")
            .build();

    private static final List<EventType> ALL = List.of(CHECKED_OUT, CHECKOUT_REJECTED, RESOURCE_CREATED,
            RESOURCE_DESTROYED, LEAK_SUSPECTED);

    /** Every event of the module. */
    public static List<EventType> all() {
        return ALL;
    }
}
