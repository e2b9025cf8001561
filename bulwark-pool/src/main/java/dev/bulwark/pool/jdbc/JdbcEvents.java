package dev.bulwark.pool.jdbc;

import dev.bulwark.pool.PoolEvents;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Telemetry;
import java.util.Map;

/** The pool events of one data source, emitted through channels looked up once; nothing is built when nobody listens. */
final class JdbcEvents {

    static final String REASON_TIMEOUT = "timeout";
    static final String REASON_BREAKER_OPEN = "breaker_open";
    static final String REASON_CREATION_FAILED = "creation_failed";
    static final String REASON_CLOSED = "closed";
    static final String REASON_INTERRUPTED = "interrupted";
    static final String CREATED_CORE = "core";
    static final String CREATED_OVERFLOW = "overflow";
    static final String DESTROYED_CLOSED = "closed";
    static final String DESTROYED_VALIDATION_FAILED = "validation_failed";
    /** HikariCP retired or evicted the connection: idle timeout, max lifetime, or a connection error seen on it. */
    static final String DESTROYED_EVICTED = "evicted";

    private final String pool;
    private final Map<String, Object> poolOnly;
    private final EventChannel checkedOut;
    private final EventChannel rejected;
    private final EventChannel created;
    private final EventChannel destroyed;
    private final EventChannel leak;

    JdbcEvents(Telemetry telemetry, String pool) {
        this.pool = pool;
        this.poolOnly = Map.of(PoolEvents.POOL, pool);
        this.checkedOut = telemetry.channel(PoolEvents.CHECKED_OUT);
        this.rejected = telemetry.channel(PoolEvents.CHECKOUT_REJECTED);
        this.created = telemetry.channel(PoolEvents.RESOURCE_CREATED);
        this.destroyed = telemetry.channel(PoolEvents.RESOURCE_DESTROYED);
        this.leak = telemetry.channel(PoolEvents.LEAK_SUSPECTED);
    }

    /** Whether a checkout's wait must be timed: someone listens to its outcome. */
    boolean timed() {
        return checkedOut.isActive() || rejected.isActive();
    }

    void checkedOut(long waitNanos) {
        if (checkedOut.isActive()) {
            checkedOut.emit(Map.of(PoolEvents.WAIT_NS, waitNanos), poolOnly);
        }
    }

    void rejected(long waitNanos, String reason, int code) {
        if (rejected.isActive()) {
            rejected.emit(Map.of(PoolEvents.WAIT_NS, waitNanos),
                    Map.of(PoolEvents.POOL, pool, PoolEvents.REASON, reason, PoolEvents.ERROR_CODE, code));
        }
    }

    void created(String reason) {
        if (created.isActive()) {
            created.emit(Map.of(), Map.of(PoolEvents.POOL, pool, PoolEvents.REASON, reason));
        }
    }

    void destroyed(String reason) {
        if (destroyed.isActive()) {
            destroyed.emit(Map.of(), Map.of(PoolEvents.POOL, pool, PoolEvents.REASON, reason));
        }
    }

    void leakSuspected(long heldMillis, String stack) {
        if (leak.isActive()) {
            leak.emit(Map.of(PoolEvents.HELD_MS, heldMillis), Map.of(PoolEvents.POOL, pool, PoolEvents.STACK, stack));
        }
    }
}
