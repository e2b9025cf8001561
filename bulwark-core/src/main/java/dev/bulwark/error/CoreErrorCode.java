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


/**
 * The error codes of {@code bulwark-core}, each with the type, severity, category, retry strategy
 * and HTTP status that go with it. docs/errors.md lists them (a test keeps the page and this enum
 * in step); modules add their own enums through {@link ErrorCatalogue}.
 *
 * <p>A {@code null} {@link #defaultRetryStrategy()} means "per cause": the strategy is derived
 * from the exception the protected call threw ({@link RetryStrategy#forCause(Throwable)}).
 *
 * <p>A <em>rejection</em> code marks a refusal by a protection (open breaker, exceeded rate,
 * full bulkhead); its {@link InfraException} carries no stack trace, so rejecting is cheap.
 */
public enum CoreErrorCode implements ErrorCode {
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

    // 70xx pipeline
    BULKHEAD_FULL(7001, ErrorType.BULKHEAD_FULL, MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true),
    OPERATION_TIMED_OUT(7002, ErrorType.OPERATION_TIMED_OUT, MEDIUM, INFRASTRUCTURE, PROTECTION, EXPONENTIAL_BACKOFF, true),
    RETRIES_EXHAUSTED(7003, ErrorType.RETRIES_EXHAUSTED, MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY),
    RETRY_BUDGET_EXHAUSTED(7004, ErrorType.RETRY_BUDGET_EXHAUSTED, MEDIUM, INFRASTRUCTURE, PROTECTION, NO_RETRY),
    FALLBACK_FAILED(7005, ErrorType.FALLBACK_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),
    PROTECTION_NOT_FOUND(7006, ErrorType.PROTECTION_NOT_FOUND, HIGH, INFRASTRUCTURE, ACCESS, NO_RETRY),
    PROTECTION_CONFIG_INVALID(7007, ErrorType.PROTECTION_CONFIG_INVALID, HIGH, CONFIG, VALIDATION, NO_RETRY),

    // 72xx overload guards, 73xx hedging (pool codes 71xx belong to bulwark-pool)
    LOAD_SHED(7201, ErrorType.LOAD_SHED, MEDIUM, INFRASTRUCTURE, PROTECTION, EXPONENTIAL_BACKOFF, true),
    CONCURRENCY_LIMITED(7202, ErrorType.CONCURRENCY_LIMITED, MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true),
    HEDGE_FAILED(7301, ErrorType.HEDGE_FAILED, MEDIUM, INFRASTRUCTURE, RUNTIME, null),

    UNKNOWN(9999, ErrorType.UNKNOWN, MEDIUM, SYSTEM, RUNTIME, NO_RETRY);

    private final int code;
    private final ErrorType type;
    private final Severity severity;
    private final ErrorCategory category;
    private final ErrorSubcategory subcategory;
    private final RetryStrategy defaultRetryStrategy;
    private final boolean rejection;
    private final int httpStatus;

    CoreErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category,
                  ErrorSubcategory subcategory, RetryStrategy defaultRetryStrategy) {
        this(code, type, severity, category, subcategory, defaultRetryStrategy, false);
    }

    CoreErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category,
                  ErrorSubcategory subcategory, RetryStrategy defaultRetryStrategy, boolean rejection) {
        this.code = code;
        this.type = type;
        this.severity = severity;
        this.category = category;
        this.subcategory = subcategory;
        this.defaultRetryStrategy = defaultRetryStrategy;
        this.rejection = rejection;
        this.httpStatus = httpStatusOf(type);
    }

    @Override
    public int code() {
        return code;
    }

    @Override
    public ErrorType type() {
        return type;
    }

    @Override
    public Severity severity() {
        return severity;
    }

    @Override
    public ErrorCategory category() {
        return category;
    }

    @Override
    public ErrorSubcategory subcategory() {
        return subcategory;
    }

    @Override
    public RetryStrategy defaultRetryStrategy() {
        return defaultRetryStrategy;
    }

    @Override
    public boolean isRejection() {
        return rejection;
    }

    /**
     * 429 when rate limited; 503 when a breaker is open, a bulkhead is full, a distributed limiter
     * is unavailable, load is shed, the concurrency limit is reached or the service is unavailable;
     * 504 on a timeout; 500 otherwise.
     */
    @Override
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Core's entry for a numeric code.
     *
     * @throws IllegalArgumentException if core has no code with that number (a module's codes are
     *                                  found through {@link ErrorCatalogue#find(int)})
     */
    public static CoreErrorCode of(int code) {
        for (CoreErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown core error code: " + code);
    }

    private static int httpStatusOf(ErrorType type) {
        if (type == ErrorType.RATE_LIMIT_EXCEEDED) {
            return 429;
        }
        if (type == ErrorType.CIRCUIT_BREAKER_BLOWN || type == ErrorType.BULKHEAD_FULL
                || type == ErrorType.RATE_LIMITER_UNAVAILABLE || type == ErrorType.SERVICE_UNAVAILABLE
                || type == ErrorType.RESOURCE_EXHAUSTED || type == ErrorType.LOAD_SHED
                || type == ErrorType.CONCURRENCY_LIMITED) {
            return 503;
        }
        if (type == ErrorType.TIMEOUT || type == ErrorType.OPERATION_TIMED_OUT) {
            return 504;
        }
        return 500;
    }
}
