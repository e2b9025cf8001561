package dev.bulwark.telemetry;

/**
 * The catalogue of Bulwark's events, as suffixes after the configured prefix (default
 * {@code foundation.infra}). Get the full name with {@link Telemetry#name(EventName)}.
 *
 * <table>
 * <caption>Events</caption>
 * <tr><th>suffix</th><th>measurements</th><th>metadata</th></tr>
 * <tr><td>circuit_breaker.fuse_installed</td><td>—</td><td>name, config</td></tr>
 * <tr><td>circuit_breaker.call_executed</td><td>duration_us</td><td>name, status, counted_as, caller metadata</td></tr>
 * <tr><td>circuit_breaker.call_rejected</td><td>—</td><td>name, reason</td></tr>
 * <tr><td>circuit_breaker.state_change</td><td>—</td><td>name, from, to, trigger</td></tr>
 * <tr><td>circuit_breaker.fuse_removed</td><td>—</td><td>name</td></tr>
 * <tr><td>rate_limiter.request_allowed</td><td>count, remaining</td><td>entity_id, operation, rule, limit, window_ms, algorithm</td></tr>
 * <tr><td>rate_limiter.request_denied</td><td>retry_after_ms</td><td>entity_id, operation, rule, limit, window_ms, algorithm</td></tr>
 * <tr><td>rate_limiter.bucket_reset</td><td>—</td><td>entity_id, operation, had_state</td></tr>
 * <tr><td>rate_limiter.backend_failure</td><td>duration_us</td><td>backend, policy, reason, entity_id, operation</td></tr>
 * <tr><td>rate_limiter.backend_recovered</td><td>downtime_ms, failures</td><td>backend</td></tr>
 * <tr><td>rate_limiter.deny_cache_hit</td><td>retry_after_ms</td><td>backend, entity_id, operation</td></tr>
 * <tr><td>protection_executed</td><td>duration_us</td><td>key, protections, outcome, error_code (on failure)</td></tr>
 * <tr><td>protection_configured</td><td>—</td><td>key, protections, replaced</td></tr>
 * <tr><td>protection_removed</td><td>—</td><td>key</td></tr>
 * <tr><td>retry.retry_scheduled</td><td>attempt, delay_ms</td><td>name, error_code</td></tr>
 * <tr><td>retry.exhausted</td><td>attempts</td><td>name, error_code</td></tr>
 * <tr><td>retry.budget_exhausted</td><td>attempt</td><td>name, error_code</td></tr>
 * <tr><td>timeout.timed_out</td><td>timeout_ms</td><td>name</td></tr>
 * <tr><td>bulkhead.call_rejected</td><td>max_concurrent</td><td>name, waited</td></tr>
 * <tr><td>fallback.fallback_used</td><td>age_ms (last good value only)</td><td>name, source, error_code</td></tr>
 * <tr><td>fallback.fallback_failed</td><td>—</td><td>name, error_code</td></tr>
 * <tr><td>infrastructure.initialized / stopped</td><td>—</td><td>components</td></tr>
 * <tr><td>telemetry.handler.failure</td><td>—</td><td>handler_id, event, exception</td></tr>
 * </table>
 */
public final class Events {

    private Events() {
    }

    /** The default prefix of every Bulwark event. */
    public static final EventName DEFAULT_PREFIX = EventName.of("foundation", "infra");

    public static final EventName CIRCUIT_BREAKER_FUSE_INSTALLED = EventName.of("circuit_breaker", "fuse_installed");
    public static final EventName CIRCUIT_BREAKER_CALL_EXECUTED = EventName.of("circuit_breaker", "call_executed");
    public static final EventName CIRCUIT_BREAKER_CALL_REJECTED = EventName.of("circuit_breaker", "call_rejected");
    public static final EventName CIRCUIT_BREAKER_STATE_CHANGE = EventName.of("circuit_breaker", "state_change");
    public static final EventName CIRCUIT_BREAKER_FUSE_REMOVED = EventName.of("circuit_breaker", "fuse_removed");

    public static final EventName RATE_LIMITER_REQUEST_ALLOWED = EventName.of("rate_limiter", "request_allowed");
    public static final EventName RATE_LIMITER_REQUEST_DENIED = EventName.of("rate_limiter", "request_denied");
    public static final EventName RATE_LIMITER_BUCKET_RESET = EventName.of("rate_limiter", "bucket_reset");
    /**
     * A distributed store could not ask its backend (unreachable, timed out, breaker open, error)
     * and decided by its failure policy instead ({@code policy}: FAIL_OPEN, FAIL_CLOSED, FALLBACK_LOCAL).
     */
    public static final EventName RATE_LIMITER_BACKEND_FAILURE = EventName.of("rate_limiter", "backend_failure");
    /** A distributed store's backend answered again after failures; decisions come from it again. */
    public static final EventName RATE_LIMITER_BACKEND_RECOVERED = EventName.of("rate_limiter", "backend_recovered");
    /** A distributed store answered a denial from its local cache of keys known to be denied. */
    public static final EventName RATE_LIMITER_DENY_CACHE_HIT = EventName.of("rate_limiter", "deny_cache_hit");

    public static final EventName PROTECTION_EXECUTED = EventName.of("protection_executed");
    public static final EventName PROTECTION_CONFIGURED = EventName.of("protection_configured");
    public static final EventName PROTECTION_REMOVED = EventName.of("protection_removed");

    public static final EventName RETRY_SCHEDULED = EventName.of("retry", "retry_scheduled");
    public static final EventName RETRY_EXHAUSTED = EventName.of("retry", "exhausted");
    public static final EventName RETRY_BUDGET_EXHAUSTED = EventName.of("retry", "budget_exhausted");
    public static final EventName TIMEOUT_TIMED_OUT = EventName.of("timeout", "timed_out");
    public static final EventName BULKHEAD_CALL_REJECTED = EventName.of("bulkhead", "call_rejected");
    public static final EventName FALLBACK_USED = EventName.of("fallback", "fallback_used");
    public static final EventName FALLBACK_FAILED = EventName.of("fallback", "fallback_failed");

    public static final EventName INFRASTRUCTURE_INITIALIZED = EventName.of("infrastructure", "initialized");
    public static final EventName INFRASTRUCTURE_STOPPED = EventName.of("infrastructure", "stopped");

    public static final EventName TELEMETRY_HANDLER_FAILURE = EventName.of("telemetry", "handler", "failure");
}
