package dev.bulwark.telemetry;

import static dev.bulwark.telemetry.Unit.BYTES;
import static dev.bulwark.telemetry.Unit.COUNT;
import static dev.bulwark.telemetry.Unit.MICROSECONDS;
import static dev.bulwark.telemetry.Unit.MILLISECONDS;
import static dev.bulwark.telemetry.Unit.RATIO;

import java.util.List;

/**
 * The declarations of core's events ({@link EventType}): names after the configured prefix
 * (default {@code foundation.infra}), measurements with their units, and metadata keys marked as
 * tags (bounded values) or details. Get the full name with {@link Telemetry#name(EventType)}.
 * docs/telemetry.md is the readable catalogue, checked against {@link #all()} by a test.
 *
 * <p><b>Units.</b> The measured duration of a call is in microseconds ({@code duration_us}, as in
 * the events of the system Bulwark realises); a wait, delay, age or timeout is in milliseconds
 * ({@code *_ms}). Every measurement declares its unit, so consumers convert without parsing names.
 */
public final class Events {

    private Events() {
    }

    /** The default prefix of every Bulwark event. */
    public static final EventName DEFAULT_PREFIX = EventName.of("foundation", "infra");

    private static final String BREAKER_NAME = "the breaker's name";

    public static final EventType CIRCUIT_BREAKER_FUSE_INSTALLED = EventType.builder("circuit_breaker", "fuse_installed")
            .description("a breaker was installed or re-installed")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .detail(EventKeys.CONFIG, "the CircuitBreakerConfig installed")
            .build();
    public static final EventType CIRCUIT_BREAKER_CALL_EXECUTED = EventType.builder("circuit_breaker", "call_executed")
            .description("a call admitted by the breaker finished")
            .measurement(EventKeys.DURATION_US, MICROSECONDS, "how long the call took")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(EventKeys.STATUS, "success, failed (a result counted as failure) or exception")
            .tag(EventKeys.COUNTED_AS, "success, failure or ignored")
            .openMetadata()
            .build();
    public static final EventType CIRCUIT_BREAKER_CALL_REJECTED = EventType.builder("circuit_breaker", "call_rejected")
            .description("a call was refused without running")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(EventKeys.REASON, "open, disabled, half_open_full, not_found or fault_injected")
            .build();
    public static final EventType CIRCUIT_BREAKER_STATE_CHANGE = EventType.builder("circuit_breaker", "state_change")
            .description("the breaker moved from one state to another (every real transition)")
            .measurement(EventKeys.SEQUENCE, COUNT, "the transition's number for this breaker, increasing by one")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .tag(EventKeys.FROM, "the state before")
            .tag(EventKeys.TO, "the state after")
            .tag(EventKeys.TRIGGER, "what caused it: failures, slow_calls, trial, timeout, time or manual")
            .build();
    public static final EventType CIRCUIT_BREAKER_FUSE_REMOVED = EventType.builder("circuit_breaker", "fuse_removed")
            .description("a breaker was uninstalled")
            .tag(EventKeys.NAME, BREAKER_NAME)
            .build();

    public static final EventType RATE_LIMITER_REQUEST_ALLOWED = EventType.builder("rate_limiter", "request_allowed")
            .description("a request was admitted")
            .measurement(EventKeys.COUNT, COUNT, "the cost charged")
            .measurement(EventKeys.REMAINING, COUNT, "what the entity may still spend in the window")
            .detail(EventKeys.ENTITY_ID, "the entity limited (never a tag: unbounded)")
            .tag(EventKeys.OPERATION, "the operation limited")
            .tag(EventKeys.RULE, "the rule's name")
            .tag(EventKeys.LIMIT, "the rule's limit")
            .tag(EventKeys.WINDOW_MS, "the rule's window in milliseconds")
            .tag(EventKeys.ALGORITHM, "the rule's algorithm")
            .build();
    public static final EventType RATE_LIMITER_REQUEST_DENIED = EventType.builder("rate_limiter", "request_denied")
            .description("a request was denied")
            .measurement(EventKeys.RETRY_AFTER_MS, MILLISECONDS, "the exact wait before it can succeed, -1 if never")
            .detail(EventKeys.ENTITY_ID, "the entity limited (never a tag: unbounded)")
            .tag(EventKeys.OPERATION, "the operation limited")
            .tag(EventKeys.RULE, "the rule's name")
            .tag(EventKeys.LIMIT, "the rule's limit")
            .tag(EventKeys.WINDOW_MS, "the rule's window in milliseconds")
            .tag(EventKeys.ALGORITHM, "the rule's algorithm")
            .tag(EventKeys.REASON, "limit (the default) or key_bound (refused by the store's key bound)")
            .build();
    public static final EventType RATE_LIMITER_BUCKET_RESET = EventType.builder("rate_limiter", "bucket_reset")
            .description("a key's state was cleared")
            .detail(EventKeys.ENTITY_ID, "the entity")
            .tag(EventKeys.OPERATION, "the operation")
            .tag(EventKeys.HAD_STATE, "whether there was state to clear")
            .build();
    /**
     * A distributed store could not ask its backend (unreachable, timed out, breaker open, error)
     * and decided by its failure policy instead ({@code policy}: FAIL_OPEN, FAIL_CLOSED, FALLBACK_LOCAL).
     */
    public static final EventType RATE_LIMITER_BACKEND_FAILURE = EventType.builder("rate_limiter", "backend_failure")
            .description("a distributed store decided by its failure policy because its backend could not answer")
            .measurement(EventKeys.DURATION_US, MICROSECONDS, "how long the failed attempt took")
            .tag(EventKeys.BACKEND, "the backend, e.g. redis")
            .tag(EventKeys.POLICY, "FAIL_OPEN, FAIL_CLOSED or FALLBACK_LOCAL")
            .tag(EventKeys.REASON, "unreachable, timeout, circuit_open or error")
            .detail(EventKeys.ENTITY_ID, "the entity")
            .tag(EventKeys.OPERATION, "the operation")
            .build();
    /** A distributed store's backend answered again after failures; decisions come from it again. */
    public static final EventType RATE_LIMITER_BACKEND_RECOVERED = EventType.builder("rate_limiter", "backend_recovered")
            .description("a distributed store's backend answers again")
            .measurement(EventKeys.DOWNTIME_MS, MILLISECONDS, "how long it had been failing")
            .measurement(EventKeys.FAILURES, COUNT, "decisions taken by the policy meanwhile")
            .tag(EventKeys.BACKEND, "the backend")
            .build();
    /** A distributed store answered a denial from its local cache of keys known to be denied. */
    public static final EventType RATE_LIMITER_DENY_CACHE_HIT = EventType.builder("rate_limiter", "deny_cache_hit")
            .description("a denial answered from the local cache of keys known to be denied")
            .measurement(EventKeys.RETRY_AFTER_MS, MILLISECONDS, "the wait before the key can succeed")
            .tag(EventKeys.BACKEND, "the backend")
            .detail(EventKeys.ENTITY_ID, "the entity")
            .tag(EventKeys.OPERATION, "the operation")
            .build();

    public static final EventType PROTECTION_EXECUTED = EventType.builder("protection_executed")
            .description("a call through a protection finished")
            .measurement(EventKeys.DURATION_US, MICROSECONDS, "how long the whole protected call took")
            .tag(EventKeys.KEY, "the protection's key or name")
            .tag(EventKeys.PROTECTIONS, "the stages present, in pipeline order")
            .tag(EventKeys.OUTCOME, "success, fallback, rejected or failure")
            .tag(EventKeys.ERROR_CODE, "the error's code (rejected and failure only)")
            .build();
    public static final EventType PROTECTION_CONFIGURED = EventType.builder("protection_configured")
            .description("a named protection was configured or replaced")
            .tag(EventKeys.KEY, "the protection's key")
            .tag(EventKeys.PROTECTIONS, "the stages present")
            .tag(EventKeys.REPLACED, "whether it replaced a configuration")
            .build();
    public static final EventType PROTECTION_REMOVED = EventType.builder("protection_removed")
            .description("a named protection was removed")
            .tag(EventKeys.KEY, "the protection's key")
            .build();

    public static final EventType RETRY_SCHEDULED = EventType.builder("retry", "retry_scheduled")
            .description("a failed attempt will be retried")
            .measurement(EventKeys.ATTEMPT, COUNT, "the number of the attempt about to run")
            .measurement(EventKeys.DELAY_MS, MILLISECONDS, "the backoff before it")
            .tag(EventKeys.NAME, "the retry's name")
            .tag(EventKeys.ERROR_CODE, "the error of the failed attempt")
            .build();
    public static final EventType RETRY_EXHAUSTED = EventType.builder("retry", "exhausted")
            .description("every attempt failed")
            .measurement(EventKeys.ATTEMPTS, COUNT, "attempts made")
            .tag(EventKeys.NAME, "the retry's name")
            .tag(EventKeys.ERROR_CODE, "the last error")
            .build();
    public static final EventType RETRY_BUDGET_EXHAUSTED = EventType.builder("retry", "budget_exhausted")
            .description("a retry was refused by the retry budget")
            .measurement(EventKeys.ATTEMPT, COUNT, "the attempt that was not made")
            .tag(EventKeys.NAME, "the retry's name")
            .tag(EventKeys.ERROR_CODE, "the last error")
            .build();
    public static final EventType TIMEOUT_TIMED_OUT = EventType.builder("timeout", "timed_out")
            .description("a call ran past its timeout")
            .measurement(EventKeys.TIMEOUT_MS, MILLISECONDS, "the timeout")
            .tag(EventKeys.NAME, "the timeout's name")
            .build();
    public static final EventType BULKHEAD_CALL_REJECTED = EventType.builder("bulkhead", "call_rejected")
            .description("a call found the bulkhead full")
            .measurement(EventKeys.MAX_CONCURRENT, COUNT, "the bulkhead's limit")
            .tag(EventKeys.NAME, "the bulkhead's name")
            .tag(EventKeys.WAITED, "whether the call waited for a place first")
            .build();
    public static final EventType FALLBACK_USED = EventType.builder("fallback", "fallback_used")
            .description("the fallback answered instead of the call")
            .measurement(EventKeys.AGE_MS, MILLISECONDS, "the age of the last good value (that source only)")
            .tag(EventKeys.NAME, "the fallback's name")
            .tag(EventKeys.SOURCE, "last_good, value, supplier or function")
            .tag(EventKeys.ERROR_CODE, "the error it answered")
            .build();
    public static final EventType FALLBACK_FAILED = EventType.builder("fallback", "fallback_failed")
            .description("the fallback itself failed")
            .tag(EventKeys.NAME, "the fallback's name")
            .tag(EventKeys.ERROR_CODE, "the error it was to answer")
            .build();

    public static final EventType HEDGE_ATTEMPT_STARTED = EventType.builder("hedge", "attempt_started")
            .description("a hedged attempt started because no earlier attempt had answered within the delay")
            .measurement(EventKeys.ATTEMPT, COUNT, "the number of the attempt started (2 for the first hedge)")
            .measurement(EventKeys.DELAY_MS, MILLISECONDS, "how long after the call's start it was started")
            .tag(EventKeys.NAME, "the hedge's name")
            .build();
    public static final EventType HEDGE_BUDGET_EXHAUSTED = EventType.builder("hedge", "budget_exhausted")
            .description("a hedged attempt was not started: the hedge budget had no token left")
            .measurement(EventKeys.ATTEMPT, COUNT, "the attempt that was not started")
            .tag(EventKeys.NAME, "the hedge's name")
            .build();
    public static final EventType OVERLOAD_LIMIT_CHANGED = EventType.builder("overload", "limit_changed")
            .description("an adaptive concurrency limit changed at the end of a sample window")
            .measurement(EventKeys.LIMIT, COUNT, "the new limit")
            .measurement(EventKeys.PREVIOUS_LIMIT, COUNT, "the limit before")
            .measurement(EventKeys.RTT_US, MICROSECONDS, "the window's median latency")
            .measurement(EventKeys.BASELINE_US, MICROSECONDS, "the latency taken as unloaded")
            .tag(EventKeys.NAME, "the limit's name")
            .tag(EventKeys.ALGORITHM, "aimd or gradient")
            .tag(EventKeys.REASON, "slow_start, increase, decrease, drop, probe or rebaseline")
            .build();
    public static final EventType HEALTH_STATUS_CHANGED = EventType.builder("health", "status_changed")
            .description("a health report's status differs from the previous report of its group")
            .tag(EventKeys.GROUP, "liveness, readiness or a group of the application's")
            .tag(EventKeys.FROM, "the previous report's status (unknown before the first report)")
            .tag(EventKeys.TO, "this report's status: up, degraded, unknown or down")
            .tag(EventKeys.CHECK, "the check whose change moved the status")
            .build();
    public static final EventType MEMORY_PRESSURE_CHANGED = EventType.builder("memory", "pressure_changed")
            .description("the heap's occupancy after collection moved the memory pressure to another level")
            .measurement(EventKeys.OCCUPANCY, RATIO, "the share of the heap in use after collection")
            .measurement(EventKeys.USED_BYTES, BYTES, "bytes in use after collection")
            .measurement(EventKeys.MAX_BYTES, BYTES, "the heap's maximum")
            .tag(EventKeys.FROM, "the level before: normal, elevated or critical")
            .tag(EventKeys.TO, "the level after")
            .build();
    public static final EventType OVERLOAD_SHED = EventType.builder("overload", "shed")
            .description("the shed stage rejected a call (7201) because of memory pressure")
            .tag(EventKeys.NAME, "the protection's key or name")
            .tag(EventKeys.LEVEL, "the memory pressure: elevated or critical")
            .tag(EventKeys.CRITICALITY, "the call's criticality: default or sheddable")
            .build();

    public static final EventType INFRASTRUCTURE_INITIALIZED = EventType.builder("infrastructure", "initialized")
            .description("an Infrastructure was built")
            .tag(EventKeys.COMPONENTS, "the names of its components")
            .build();
    public static final EventType INFRASTRUCTURE_STOPPED = EventType.builder("infrastructure", "stopped")
            .description("an Infrastructure was closed")
            .tag(EventKeys.COMPONENTS, "the names of its components")
            .build();

    public static final EventType TELEMETRY_HANDLER_FAILURE = EventType.builder("telemetry", "handler", "failure")
            .description("a handler threw and was detached")
            .tag(EventKeys.HANDLER_ID, "the handler's id")
            .tag(EventKeys.EVENT, "the event it was handling")
            .detail(EventKeys.EXCEPTION, "what it threw")
            .build();

    private static final List<EventType> ALL = List.of(
            CIRCUIT_BREAKER_FUSE_INSTALLED, CIRCUIT_BREAKER_CALL_EXECUTED, CIRCUIT_BREAKER_CALL_REJECTED,
            CIRCUIT_BREAKER_STATE_CHANGE, CIRCUIT_BREAKER_FUSE_REMOVED,
            RATE_LIMITER_REQUEST_ALLOWED, RATE_LIMITER_REQUEST_DENIED, RATE_LIMITER_BUCKET_RESET,
            RATE_LIMITER_BACKEND_FAILURE, RATE_LIMITER_BACKEND_RECOVERED, RATE_LIMITER_DENY_CACHE_HIT,
            PROTECTION_EXECUTED, PROTECTION_CONFIGURED, PROTECTION_REMOVED,
            RETRY_SCHEDULED, RETRY_EXHAUSTED, RETRY_BUDGET_EXHAUSTED, TIMEOUT_TIMED_OUT, BULKHEAD_CALL_REJECTED,
            FALLBACK_USED, FALLBACK_FAILED, HEDGE_ATTEMPT_STARTED, HEDGE_BUDGET_EXHAUSTED,
            HEALTH_STATUS_CHANGED, MEMORY_PRESSURE_CHANGED, OVERLOAD_SHED, OVERLOAD_LIMIT_CHANGED,
            INFRASTRUCTURE_INITIALIZED, INFRASTRUCTURE_STOPPED, TELEMETRY_HANDLER_FAILURE);

    /** Every event core declares, in catalogue order. */
    public static List<EventType> all() {
        return ALL;
    }
}
