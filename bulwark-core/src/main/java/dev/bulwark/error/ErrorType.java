package dev.bulwark.error;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What went wrong, independent of where: several {@link ErrorCode}s may share a type (for example
 * {@link #INVALID_INPUT} on execute and on status). Core's types are the constants below; a module
 * names its own with {@link #of(String)}. There is one instance per name, so types compare with
 * {@code ==} as well as {@code equals}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ErrorType {

    private static final ConcurrentHashMap<String, ErrorType> BY_NAME = new ConcurrentHashMap<>();

    // 1xxx configuration
    public static final ErrorType INVALID_CONFIG_STRUCTURE = of("INVALID_CONFIG_STRUCTURE");
    public static final ErrorType INVALID_CONFIG_VALUE = of("INVALID_CONFIG_VALUE");
    public static final ErrorType CONFIG_NOT_FOUND = of("CONFIG_NOT_FOUND");
    // 2xxx system
    public static final ErrorType INITIALIZATION_FAILED = of("INITIALIZATION_FAILED");
    public static final ErrorType SERVICE_UNAVAILABLE = of("SERVICE_UNAVAILABLE");
    public static final ErrorType RESOURCE_EXHAUSTED = of("RESOURCE_EXHAUSTED");
    // 3xxx data
    public static final ErrorType DATA_NOT_FOUND = of("DATA_NOT_FOUND");
    public static final ErrorType VALIDATION_FAILED = of("VALIDATION_FAILED");
    public static final ErrorType INVALID_INPUT = of("INVALID_INPUT");
    // 4xxx external
    public static final ErrorType NETWORK_ERROR = of("NETWORK_ERROR");
    public static final ErrorType EXTERNAL_SERVICE_ERROR = of("EXTERNAL_SERVICE_ERROR");
    public static final ErrorType TIMEOUT = of("TIMEOUT");
    // 5xxx circuit breakers
    public static final ErrorType CIRCUIT_BREAKER_INSTALL_FAILED = of("CIRCUIT_BREAKER_INSTALL_FAILED");
    public static final ErrorType CIRCUIT_BREAKER_EXCEPTION = of("CIRCUIT_BREAKER_EXCEPTION");
    public static final ErrorType PROTECTED_OPERATION_FAILED = of("PROTECTED_OPERATION_FAILED");
    public static final ErrorType CIRCUIT_BREAKER_BLOWN = of("CIRCUIT_BREAKER_BLOWN");
    public static final ErrorType CIRCUIT_BREAKER_NOT_FOUND = of("CIRCUIT_BREAKER_NOT_FOUND");
    // 6xxx rate limiting
    public static final ErrorType RATE_LIMIT_EXCEEDED = of("RATE_LIMIT_EXCEEDED");
    public static final ErrorType RATE_LIMITER_EXCEPTION = of("RATE_LIMITER_EXCEPTION");
    public static final ErrorType RATE_LIMITED_OPERATION_FAILED = of("RATE_LIMITED_OPERATION_FAILED");
    public static final ErrorType RATE_LIMITER_UNAVAILABLE = of("RATE_LIMITER_UNAVAILABLE");
    // 70xx pipeline
    public static final ErrorType BULKHEAD_FULL = of("BULKHEAD_FULL");
    public static final ErrorType OPERATION_TIMED_OUT = of("OPERATION_TIMED_OUT");
    public static final ErrorType RETRIES_EXHAUSTED = of("RETRIES_EXHAUSTED");
    public static final ErrorType RETRY_BUDGET_EXHAUSTED = of("RETRY_BUDGET_EXHAUSTED");
    public static final ErrorType FALLBACK_FAILED = of("FALLBACK_FAILED");
    public static final ErrorType PROTECTION_NOT_FOUND = of("PROTECTION_NOT_FOUND");
    public static final ErrorType PROTECTION_CONFIG_INVALID = of("PROTECTION_CONFIG_INVALID");
    // 72xx overload, 73xx hedging
    public static final ErrorType LOAD_SHED = of("LOAD_SHED");
    public static final ErrorType CONCURRENCY_LIMITED = of("CONCURRENCY_LIMITED");
    public static final ErrorType HEDGE_FAILED = of("HEDGE_FAILED");
    // 9999
    public static final ErrorType UNKNOWN = of("UNKNOWN");

    private final String name;

    private ErrorType(String name) {
        this.name = name;
    }

    /**
     * The type of this name: the existing instance, or a new one.
     *
     * @param name upper-case letters, digits and underscores, starting with a letter (e.g. {@code POOL_EXHAUSTED})
     * @throws IllegalArgumentException if {@code name} is not of that form
     */
    public static ErrorType of(String name) {
        Objects.requireNonNull(name, "name");
        ErrorType known = BY_NAME.get(name);
        if (known != null) {
            return known;
        }
        if (!name.matches("[A-Z][A-Z0-9_]{0,63}")) {
            throw new IllegalArgumentException("error type name must be upper-case letters, digits and '_' (at most 64), was '"
                    + name + "'");
        }
        return BY_NAME.computeIfAbsent(name, ErrorType::new);
    }

    /** The name, e.g. {@code RATE_LIMIT_EXCEEDED}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
