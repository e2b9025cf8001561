package dev.bulwark.telemetry;

/**
 * The measurement names and metadata keys of Bulwark's events, written once. Emitters and
 * declarations ({@link Events}) use these constants; a module adds keys of its own beside its
 * declarations.
 */
public final class EventKeys {

    private EventKeys() {
    }

    // metadata
    public static final String NAME = "name";
    public static final String CONFIG = "config";
    public static final String STATUS = "status";
    public static final String COUNTED_AS = "counted_as";
    public static final String REASON = "reason";
    public static final String FROM = "from";
    public static final String TO = "to";
    public static final String TRIGGER = "trigger";
    public static final String ENTITY_ID = "entity_id";
    public static final String OPERATION = "operation";
    public static final String RULE = "rule";
    public static final String LIMIT = "limit";
    public static final String WINDOW_MS = "window_ms";
    public static final String ALGORITHM = "algorithm";
    public static final String HAD_STATE = "had_state";
    public static final String BACKEND = "backend";
    public static final String POLICY = "policy";
    public static final String KEY = "key";
    public static final String PROTECTIONS = "protections";
    public static final String OUTCOME = "outcome";
    public static final String ERROR_CODE = "error_code";
    public static final String REPLACED = "replaced";
    public static final String WAITED = "waited";
    public static final String SOURCE = "source";
    public static final String COMPONENTS = "components";
    public static final String HANDLER_ID = "handler_id";
    public static final String EVENT = "event";
    public static final String EXCEPTION = "exception";
    public static final String GROUP = "group";
    public static final String CHECK = "check";
    public static final String LEVEL = "level";
    public static final String CRITICALITY = "criticality";

    // measurements
    public static final String DURATION_US = "duration_us";
    public static final String SEQUENCE = "sequence";
    public static final String COUNT = "count";
    public static final String REMAINING = "remaining";
    public static final String RETRY_AFTER_MS = "retry_after_ms";
    public static final String DOWNTIME_MS = "downtime_ms";
    public static final String FAILURES = "failures";
    public static final String ATTEMPT = "attempt";
    public static final String ATTEMPTS = "attempts";
    public static final String DELAY_MS = "delay_ms";
    public static final String TIMEOUT_MS = "timeout_ms";
    public static final String MAX_CONCURRENT = "max_concurrent";
    public static final String AGE_MS = "age_ms";
    public static final String PREVIOUS_LIMIT = "previous_limit";
    public static final String RTT_US = "rtt_us";
    public static final String BASELINE_US = "baseline_us";
    public static final String OCCUPANCY = "occupancy";
    public static final String USED_BYTES = "used_bytes";
    public static final String MAX_BYTES = "max_bytes";
}
