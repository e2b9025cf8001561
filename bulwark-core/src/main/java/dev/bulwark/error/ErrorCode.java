package dev.bulwark.error;

import static dev.bulwark.error.ErrorCategory.CONFIG;
import static dev.bulwark.error.ErrorCategory.DATA;
import static dev.bulwark.error.ErrorCategory.EXTERNAL;
import static dev.bulwark.error.ErrorCategory.INFRASTRUCTURE;
import static dev.bulwark.error.ErrorCategory.SYSTEM;
import static dev.bulwark.error.ErrorSubcategory.ACCESS;
import static dev.bulwark.error.ErrorSubcategory.PROTECTION;
import static dev.bulwark.error.ErrorSubcategory.RUNTIME;
import static dev.bulwark.error.ErrorSubcategory.STRUCTURE;
import static dev.bulwark.error.ErrorSubcategory.VALIDATION;
import static dev.bulwark.error.RetryStrategy.EXPONENTIAL_BACKOFF;
import static dev.bulwark.error.RetryStrategy.FIXED_DELAY;
import static dev.bulwark.error.RetryStrategy.NO_RETRY;
import static dev.bulwark.error.Severity.CRITICAL;
import static dev.bulwark.error.Severity.HIGH;
import static dev.bulwark.error.Severity.LOW;
import static dev.bulwark.error.Severity.MEDIUM;

import java.util.HashMap;
import java.util.Map;

/**
 * The catalogue of every error code Bulwark produces, with the type, severity, category and
 * retry strategy that go with it. This table is the single source of truth; the README's error
 * table is generated from the same values.
 *
 * <p>A {@code null} {@link #defaultRetryStrategy()} means "per cause": the strategy is derived
 * from the exception the protected call threw ({@link RetryStrategy#forCause(Throwable)}).
 *
 * <p>A <em>rejection</em> code marks a refusal by a protection (open breaker, exceeded rate,
 * full bulkhead); its {@link InfraException} carries no stack trace, so rejecting is cheap.
 */
public enum ErrorCode {
    // 1xxx configuration
    INVALID_CONFIG_STRUCTURE(1101, ErrorType.INVALID_CONFIG_STRUCTURE, HIGH, CONFIG, STRUCTURE, NO_RETRY),
    INVALID_CONFIG_VALUE(1201, ErrorType.INVALID_CONFIG_VALUE, HIGH, CONFIG, VALIDATION, NO_RETRY),
    CONFIG_NOT_FOUND(1301, ErrorType.CONFIG_NOT_FOUND, MEDIUM, CONFIG, ACCESS, NO_RETRY),
    // 2xxx system
    INITIALIZATION_FAILED(2101, ErrorType.INITIALIZATION_FAILED, CRITICAL, SYSTEM, RUNTIME, NO_RETRY),
    SERVICE_UNAVAILABLE(2102, ErrorType.SERVICE_UNAVAILABLE, HIGH, SYSTEM, ACCESS, EXPONENTIAL_BACKOFF),
    RESOURCE_EXHAUSTED(2201, ErrorType.RESOURCE_EXHAUSTED, HIGH, SYSTEM, RUNTIME, EXPONENTIAL_BACKOFF),
    // 3xxx data
    DATA_NOT_FOUND(3201, ErrorType.DATA_NOT_FOUND, LOW, DATA, ACCESS, NO_RETRY),
    VALIDATION_FAILED(3203, ErrorType.VALIDATION_FAILED, MEDIUM, DATA, VALIDATION, NO_RETRY),
    INVALID_INPUT(3204, ErrorType.INVALID_INPUT, MEDIUM, DATA, VALIDATION, NO_RETRY),
    // 4xxx external
    NETWORK_ERROR(4101, ErrorType.NETWORK_ERROR, MEDIUM, EXTERNAL, ACCESS, EXPONENTIAL_BACKOFF),
    EXTERNAL_SERVICE_ERROR(4201, ErrorType.EXTERNAL_SERVICE_ERROR, MEDIUM, EXTERNAL, RUNTIME, EXPONENTIAL_BACKOFF),
    TIMEOUT(4301, ErrorType.TIMEOUT, MEDIUM, EXTERNAL, RUNTIME, EXPONENTIAL_BACKOFF),

    // 5xxx circuit breakers
    CIRCUIT_BREAKER_INSTALL_FAILED(5001, ErrorType.CIRCUIT_BREAKER_INSTALL_FAILED, HIGH, INFRASTRUCTURE, STRUCTURE, NO_RETRY),
    CIRCUIT_BREAKER_INSTALL_EXCEPTION(5002, ErrorType.CIRCUIT_BREAKER_EXCEPTION, CRITICAL, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    PROTECTED_OPERATION_FAILED(5003, ErrorType.PROTECTED_OPERATION_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),
    CIRCUIT_BREAKER_BLOWN(5004, ErrorType.CIRCUIT_BREAKER_BLOWN, MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true),
    CIRCUIT_BREAKER_NOT_FOUND(5005, ErrorType.CIRCUIT_BREAKER_NOT_FOUND, HIGH, INFRASTRUCTURE, ACCESS, NO_RETRY),
    CIRCUIT_BREAKER_EXECUTE_EXCEPTION(5006, ErrorType.CIRCUIT_BREAKER_EXCEPTION, CRITICAL, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    CIRCUIT_BREAKER_STATUS_NOT_FOUND(5007, ErrorType.CIRCUIT_BREAKER_NOT_FOUND, MEDIUM, INFRASTRUCTURE, ACCESS, NO_RETRY),
    CIRCUIT_BREAKER_STATUS_EXCEPTION(5008, ErrorType.CIRCUIT_BREAKER_EXCEPTION, MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    CIRCUIT_BREAKER_INVALID_INPUT(5009, ErrorType.INVALID_INPUT, MEDIUM, INFRASTRUCTURE, VALIDATION, NO_RETRY),
    CIRCUIT_BREAKER_STATUS_INVALID_INPUT(5011, ErrorType.INVALID_INPUT, MEDIUM, INFRASTRUCTURE, VALIDATION, NO_RETRY),
    PROTECTED_OPERATION_ERROR(5012, ErrorType.PROTECTED_OPERATION_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),
    CIRCUIT_BREAKER_RESET_NOT_FOUND(5013, ErrorType.CIRCUIT_BREAKER_NOT_FOUND, MEDIUM, INFRASTRUCTURE, ACCESS, NO_RETRY),
    CIRCUIT_BREAKER_RESET_EXCEPTION(5014, ErrorType.CIRCUIT_BREAKER_EXCEPTION, MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY),

    // 6xxx rate limiting
    RATE_LIMIT_EXCEEDED(6001, ErrorType.RATE_LIMIT_EXCEEDED, MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true),
    RATE_LIMITER_EXCEPTION(6003, ErrorType.RATE_LIMITER_EXCEPTION, CRITICAL, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    RATE_LIMITER_RESET_EXCEPTION(6007, ErrorType.RATE_LIMITER_EXCEPTION, MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    RATE_LIMITED_OPERATION_FAILED(6008, ErrorType.RATE_LIMITED_OPERATION_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),
    RATE_LIMITER_INVALID_INPUT(6009, ErrorType.INVALID_INPUT, MEDIUM, INFRASTRUCTURE, VALIDATION, NO_RETRY),
    RATE_LIMITER_UNAVAILABLE(6010, ErrorType.RATE_LIMITER_UNAVAILABLE, HIGH, INFRASTRUCTURE, ACCESS, EXPONENTIAL_BACKOFF, true),

    // 7xxx pipeline (pool and health codes are added by the issues that add them)
    BULKHEAD_FULL(7001, ErrorType.BULKHEAD_FULL, MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true),
    OPERATION_TIMED_OUT(7002, ErrorType.OPERATION_TIMED_OUT, MEDIUM, INFRASTRUCTURE, PROTECTION, EXPONENTIAL_BACKOFF, true),
    RETRIES_EXHAUSTED(7003, ErrorType.RETRIES_EXHAUSTED, MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    RETRY_BUDGET_EXHAUSTED(7004, ErrorType.RETRY_BUDGET_EXHAUSTED, MEDIUM, INFRASTRUCTURE, PROTECTION, NO_RETRY),
    FALLBACK_FAILED(7005, ErrorType.FALLBACK_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),
    PROTECTION_NOT_FOUND(7006, ErrorType.PROTECTION_NOT_FOUND, HIGH, INFRASTRUCTURE, ACCESS, NO_RETRY),
    PROTECTION_CONFIG_INVALID(7007, ErrorType.PROTECTION_CONFIG_INVALID, HIGH, CONFIG, VALIDATION, NO_RETRY),

    UNKNOWN(9999, ErrorType.UNKNOWN, MEDIUM, SYSTEM, RUNTIME, NO_RETRY);

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            if (BY_CODE.put(c.code, c) != null) {
                throw new ExceptionInInitializerError("duplicate error code " + c.code);
            }
        }
    }

    private final int code;
    private final ErrorType type;
    private final Severity severity;
    private final ErrorCategory category;
    private final ErrorSubcategory subcategory;
    private final RetryStrategy defaultRetryStrategy;
    private final boolean rejection;

    ErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category,
              ErrorSubcategory subcategory, RetryStrategy defaultRetryStrategy) {
        this(code, type, severity, category, subcategory, defaultRetryStrategy, false);
    }

    ErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category,
              ErrorSubcategory subcategory, RetryStrategy defaultRetryStrategy, boolean rejection) {
        this.code = code;
        this.type = type;
        this.severity = severity;
        this.category = category;
        this.subcategory = subcategory;
        this.defaultRetryStrategy = defaultRetryStrategy;
        this.rejection = rejection;
    }

    /** The numeric code, e.g. 5004. */
    public int code() {
        return code;
    }

    public ErrorType type() {
        return type;
    }

    public Severity severity() {
        return severity;
    }

    public ErrorCategory category() {
        return category;
    }

    public ErrorSubcategory subcategory() {
        return subcategory;
    }

    /** The retry strategy of this code, or null when it is derived from the cause. */
    public RetryStrategy defaultRetryStrategy() {
        return defaultRetryStrategy;
    }

    /** The retry strategy for an error of this code caused by {@code cause}. */
    public RetryStrategy retryStrategyFor(Throwable cause) {
        return defaultRetryStrategy != null ? defaultRetryStrategy : RetryStrategy.forCause(cause);
    }

    /** Whether this code is a protection's refusal (cheap: no stack trace is captured). */
    public boolean isRejection() {
        return rejection;
    }

    /**
     * The HTTP status a server should answer with for this code: 429 when rate limited, 503
     * when a breaker is open, a bulkhead is full, a distributed limiter is unavailable or the
     * service is unavailable, 504 on a timeout, 500 otherwise.
     */
    public int httpStatus() {
        switch (type) {
            case RATE_LIMIT_EXCEEDED:
                return 429;
            case CIRCUIT_BREAKER_BLOWN:
            case BULKHEAD_FULL:
            case RATE_LIMITER_UNAVAILABLE:
            case SERVICE_UNAVAILABLE:
            case RESOURCE_EXHAUSTED:
                return 503;
            case TIMEOUT:
            case OPERATION_TIMED_OUT:
                return 504;
            default:
                return 500;
        }
    }

    /**
     * The catalogue entry for a numeric code.
     *
     * @throws IllegalArgumentException if no entry has that code
     */
    public static ErrorCode of(int code) {
        ErrorCode c = BY_CODE.get(code);
        if (c == null) {
            throw new IllegalArgumentException("unknown error code: " + code);
        }
        return c;
    }
}
