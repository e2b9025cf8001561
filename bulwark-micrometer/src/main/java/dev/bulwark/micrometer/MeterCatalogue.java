package dev.bulwark.micrometer;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Optional;

/**
 * Every meter {@link BulwarkMetrics} can register, with its type, base unit and tags: the
 * reference that docs/observability.md prints (a test checks the page against it).
 *
 * <p><b>Tags.</b> A tag key is always a metadata key that the source event declares as a tag
 * (bounded values: breaker names, protection keys, operations, outcomes, reasons), except the
 * tags listed in {@link #DERIVED_TAGS}, whose values the binder sets itself. No meter is ever
 * tagged with an entity id. Immutable.
 */
public final class MeterCatalogue {

    private MeterCatalogue() {
    }

    /** The value of {@code bulwark.circuit_breaker.state} for each state. */
    public static final String STATE_CODES = "0 closed, 1 open, 2 half_open, 3 disabled";

    /** The value of {@code bulwark.health.status} and {@code bulwark.health.check_status} for each status, best to worst. */
    public static final String HEALTH_CODES = "0 up, 1 degraded, 2 unknown, 3 down";

    /** The value of {@code bulwark.memory.pressure} for each level. */
    public static final String PRESSURE_CODES = "0 normal, 1 elevated, 2 critical";

    /**
     * Tag keys whose values come from the binder, not from an event's metadata: {@code outcome} of
     * {@code bulwark.rate_limiter.decisions} (which event: allowed or denied), {@code component} and
     * {@code tag} of {@code bulwark.micrometer.tag_overflows} (the components and tag keys of its guards),
     * {@code group} and {@code check} of the health gauges (the names of the health registry's groups
     * and checks: chosen by the operator and by core, never by a caller).
     */
    public static final List<String> DERIVED_TAGS = List.of("rate_limiter.decisions:outcome",
            "micrometer.tag_overflows:component", "micrometer.tag_overflows:tag",
            "health.status:group", "health.check_status:group", "health.check_status:check");

    public static final MeterDefinition BREAKER_CALLS = timer("bulwark.circuit_breaker.calls",
            List.of("name", "status"), "circuit_breaker.call_executed",
            "calls admitted by a breaker, by outcome (success, failed, exception): count and total time");
    public static final MeterDefinition BREAKER_REJECTIONS = counter("bulwark.circuit_breaker.rejections",
            List.of("name", "reason"), "circuit_breaker.call_rejected",
            "calls refused without running, by reason (open, disabled, half_open_full, fault_injected, not_found)");
    public static final MeterDefinition BREAKER_TRANSITIONS = counter("bulwark.circuit_breaker.transitions",
            List.of("name", "from", "to"), "circuit_breaker.state_change", "state transitions");
    public static final MeterDefinition BREAKER_STATE = gauge("bulwark.circuit_breaker.state", "",
            List.of("name"), "CircuitBreaker.state()", "the breaker's state: " + STATE_CODES);
    public static final MeterDefinition BREAKER_FAILURE_RATE = gauge("bulwark.circuit_breaker.failure_rate", "percent",
            List.of("name"), "CircuitBreaker.stats()", "failures per 100 calls in the breaker's measurement window");

    public static final MeterDefinition RATE_LIMIT_DECISIONS = counter("bulwark.rate_limiter.decisions",
            List.of("operation", "outcome"), "rate_limiter.request_allowed, rate_limiter.request_denied",
            "rate-limit decisions by operation and outcome (allowed, denied); never by entity");
    public static final MeterDefinition RATE_LIMIT_BACKEND_FAILURES = counter("bulwark.rate_limiter.backend_failures",
            List.of("backend", "policy", "reason"), "rate_limiter.backend_failure",
            "decisions taken by a distributed store's failure policy because its backend could not answer");
    public static final MeterDefinition RATE_LIMIT_DENY_CACHE_HITS = counter("bulwark.rate_limiter.deny_cache_hits",
            List.of("backend", "operation"), "rate_limiter.deny_cache_hit",
            "denials answered from a distributed store's local cache of denied keys");
    public static final MeterDefinition RATE_LIMIT_KEYS = gauge("bulwark.rate_limiter.keys", "",
            List.of(), "RateLimiter.status()", "keys (entity and operation) with live state in the store");

    public static final MeterDefinition PROTECTION_CALLS = timer("bulwark.protection.calls",
            List.of("key", "outcome"), "protection_executed",
            "calls through a protection, by outcome (success, fallback, rejected, failure): count and total time; "
                    + "percentiles and histogram as configured");

    public static final MeterDefinition RETRY_RETRIES = counter("bulwark.retry.retries",
            List.of("name"), "retry.retry_scheduled", "retries scheduled (attempts after the first)");
    public static final MeterDefinition RETRY_EXHAUSTED = counter("bulwark.retry.exhausted",
            List.of("name"), "retry.exhausted", "calls whose every attempt failed");
    public static final MeterDefinition RETRY_BUDGET_REJECTIONS = counter("bulwark.retry.budget_rejections",
            List.of("name"), "retry.budget_exhausted", "retries refused by the retry budget");
    public static final MeterDefinition TIMEOUT_TIMEOUTS = counter("bulwark.timeout.timeouts",
            List.of("name"), "timeout.timed_out", "calls that ran past their timeout");
    public static final MeterDefinition BULKHEAD_REJECTIONS = counter("bulwark.bulkhead.rejections",
            List.of("name"), "bulkhead.call_rejected", "calls that found the bulkhead full");
    public static final MeterDefinition BULKHEAD_IN_FLIGHT = gauge("bulwark.bulkhead.in_flight", "",
            List.of("name"), "ProtectionStatus.bulkhead()", "calls holding a place of the bulkhead now");
    public static final MeterDefinition BULKHEAD_WAITING = gauge("bulwark.bulkhead.waiting", "",
            List.of("name"), "ProtectionStatus.bulkhead()", "callers waiting for a place now");
    public static final MeterDefinition FALLBACK_USED = counter("bulwark.fallback.used",
            List.of("name", "source"), "fallback.fallback_used",
            "failures answered by the fallback, by source (last_good, value, supplier, function)");
    public static final MeterDefinition FALLBACK_FAILURES = counter("bulwark.fallback.failures",
            List.of("name"), "fallback.fallback_failed", "failures the fallback could not answer");

    public static final MeterDefinition SHED_REJECTIONS = counter("bulwark.overload.shed",
            List.of("name", "level", "criticality"), "overload.shed",
            "calls refused by the shed stage (7201) because of memory pressure, by protection, level and criticality");

    public static final MeterDefinition HEALTH_STATUS = gauge("bulwark.health.status", "",
            List.of("group"), "HealthRegistry.report(group)",
            "the status of the group's report, the worst of its checks: " + HEALTH_CODES);
    public static final MeterDefinition HEALTH_CHECK_STATUS = gauge("bulwark.health.check_status", "",
            List.of("group", "check"), "HealthRegistry.report(group)",
            "each check's latest status in its group's report: " + HEALTH_CODES);

    public static final MeterDefinition MEMORY_PRESSURE = gauge("bulwark.memory.pressure", "",
            List.of(), "MemoryMonitor.level()", "the memory pressure level: " + PRESSURE_CODES);
    public static final MeterDefinition MEMORY_OCCUPANCY = gauge("bulwark.memory.occupancy", "ratio",
            List.of(), "MemoryMonitor.reading()", "the share of the heap in use after the latest collection (0 to 1)");
    public static final MeterDefinition MEMORY_PRESSURE_CHANGES = counter("bulwark.memory.pressure_changes",
            List.of("from", "to"), "memory.pressure_changed", "changes of the memory pressure level");

    public static final MeterDefinition POOL_MAX = gauge("bulwark.pool.max", "", List.of("pool"), "PoolStatus",
            "resources the pool may have: its size plus its overflow");
    public static final MeterDefinition POOL_IDLE = gauge("bulwark.pool.idle", "", List.of("pool"), "PoolStatus",
            "resources ready in the pool now");
    public static final MeterDefinition POOL_ACTIVE = gauge("bulwark.pool.active", "", List.of("pool"), "PoolStatus",
            "resources checked out now");
    public static final MeterDefinition POOL_WAITERS = gauge("bulwark.pool.waiters", "", List.of("pool"), "PoolStatus",
            "callers waiting for a resource now");
    public static final MeterDefinition POOL_TIMEOUTS = counter("bulwark.pool.timeouts", List.of("pool"), "PoolStatus",
            "checkouts that ended in 7101 because the checkout timeout passed");
    public static final MeterDefinition POOL_REJECTIONS = counter("bulwark.pool.rejections", List.of("pool"), "PoolStatus",
            "checkouts refused at once (too many waiters, creation breaker open, pool closed)");
    public static final MeterDefinition POOL_CREATIONS = counter("bulwark.pool.creations", List.of("pool"), "PoolStatus",
            "resources created (not 'created': Prometheus reserves the _created suffix)");
    public static final MeterDefinition POOL_DESTRUCTIONS = counter("bulwark.pool.destructions", List.of("pool"), "PoolStatus",
            "resources destroyed");
    public static final MeterDefinition POOL_LEAKS = counter("bulwark.pool.leaks", List.of("pool"), "PoolStatus",
            "resources reported as suspected leaks");

    public static final MeterDefinition TELEMETRY_DROPPED = counter("bulwark.telemetry.dropped_events",
            List.of(), "Telemetry.droppedEvents()", "events dropped by the asynchronous dispatcher (queue full)");
    public static final MeterDefinition TELEMETRY_HANDLER_FAILURES = counter("bulwark.telemetry.handler_failures",
            List.of(), "Telemetry.handlerFailures()", "telemetry handlers detached because they threw");
    public static final MeterDefinition TAG_OVERFLOWS = counter("bulwark.micrometer.tag_overflows",
            List.of("component", "tag"), "the binder's cardinality guard",
            "events whose tag value was replaced by the overflow value because the tag had reached its bound");

    private static final List<MeterDefinition> ALL = List.of(
            BREAKER_CALLS, BREAKER_REJECTIONS, BREAKER_TRANSITIONS, BREAKER_STATE, BREAKER_FAILURE_RATE,
            RATE_LIMIT_DECISIONS, RATE_LIMIT_BACKEND_FAILURES, RATE_LIMIT_DENY_CACHE_HITS, RATE_LIMIT_KEYS,
            PROTECTION_CALLS,
            RETRY_RETRIES, RETRY_EXHAUSTED, RETRY_BUDGET_REJECTIONS, TIMEOUT_TIMEOUTS,
            BULKHEAD_REJECTIONS, BULKHEAD_IN_FLIGHT, BULKHEAD_WAITING, FALLBACK_USED, FALLBACK_FAILURES,
            SHED_REJECTIONS, HEALTH_STATUS, HEALTH_CHECK_STATUS, MEMORY_PRESSURE, MEMORY_OCCUPANCY, MEMORY_PRESSURE_CHANGES,
            POOL_MAX, POOL_IDLE, POOL_ACTIVE, POOL_WAITERS, POOL_TIMEOUTS, POOL_REJECTIONS, POOL_CREATIONS, POOL_DESTRUCTIONS,
            POOL_LEAKS,
            TELEMETRY_DROPPED, TELEMETRY_HANDLER_FAILURES, TAG_OVERFLOWS);

    /** Every meter, in catalogue order. */
    public static List<MeterDefinition> all() {
        return ALL;
    }

    /** The definition of the meter called {@code name}. */
    public static Optional<MeterDefinition> find(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    private static MeterDefinition counter(String name, List<String> tags, String source, String description) {
        return new MeterDefinition(name, Meter.Type.COUNTER, "", tags, source, description);
    }

    private static MeterDefinition timer(String name, List<String> tags, String source, String description) {
        return new MeterDefinition(name, Meter.Type.TIMER, "seconds", tags, source, description);
    }

    private static MeterDefinition gauge(String name, String unit, List<String> tags, String source, String description) {
        return new MeterDefinition(name, Meter.Type.GAUGE, unit, tags, source, description);
    }
}
