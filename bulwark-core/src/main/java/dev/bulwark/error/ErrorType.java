package dev.bulwark.error;

/**
 * What went wrong, independent of where. Several {@link ErrorCode}s may share a type (for
 * example {@link #INVALID_INPUT} on execute and on status).
 */
public enum ErrorType {
    // 1xxx configuration
    INVALID_CONFIG_STRUCTURE,
    INVALID_CONFIG_VALUE,
    CONFIG_NOT_FOUND,
    // 2xxx system
    INITIALIZATION_FAILED,
    SERVICE_UNAVAILABLE,
    RESOURCE_EXHAUSTED,
    // 3xxx data
    DATA_NOT_FOUND,
    VALIDATION_FAILED,
    INVALID_INPUT,
    // 4xxx external
    NETWORK_ERROR,
    EXTERNAL_SERVICE_ERROR,
    TIMEOUT,
    // 5xxx circuit breakers
    CIRCUIT_BREAKER_INSTALL_FAILED,
    CIRCUIT_BREAKER_EXCEPTION,
    PROTECTED_OPERATION_FAILED,
    CIRCUIT_BREAKER_BLOWN,
    CIRCUIT_BREAKER_NOT_FOUND,
    // 6xxx rate limiting
    RATE_LIMIT_EXCEEDED,
    RATE_LIMITER_EXCEPTION,
    RATE_LIMITED_OPERATION_FAILED,
    RATE_LIMITER_UNAVAILABLE,
    // 7xxx pipeline, pool, health
    BULKHEAD_FULL,
    OPERATION_TIMED_OUT,
    RETRIES_EXHAUSTED,
    RETRY_BUDGET_EXHAUSTED,
    FALLBACK_FAILED,
    PROTECTION_NOT_FOUND,
    PROTECTION_CONFIG_INVALID,
    // 9999
    UNKNOWN
}
