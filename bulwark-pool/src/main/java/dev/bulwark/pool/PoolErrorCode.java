package dev.bulwark.pool;

import static dev.bulwark.error.ErrorCategory.EXTERNAL;
import static dev.bulwark.error.ErrorCategory.INFRASTRUCTURE;
import static dev.bulwark.error.ErrorSubcategory.ACCESS;
import static dev.bulwark.error.ErrorSubcategory.PROTECTION;
import static dev.bulwark.error.ErrorSubcategory.RUNTIME;
import static dev.bulwark.error.RetryStrategy.EXPONENTIAL_BACKOFF;
import static dev.bulwark.error.RetryStrategy.FIXED_DELAY;
import static dev.bulwark.error.RetryStrategy.NO_RETRY;
import static dev.bulwark.error.Severity.HIGH;
import static dev.bulwark.error.Severity.MEDIUM;

import dev.bulwark.error.ErrorCategory;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.ErrorSubcategory;
import dev.bulwark.error.ErrorType;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.error.Severity;

/**
 * The error codes of the pool module (71xx), registered in the infrastructure's error catalogue
 * when the pool module is installed. docs/pools.md lists them.
 */
public enum PoolErrorCode implements ErrorCode {
    /** No resource within the checkout timeout, or more callers already waiting than the pool allows (fail fast). */
    POOL_EXHAUSTED(7101, ErrorType.of("POOL_EXHAUSTED"), MEDIUM, INFRASTRUCTURE, PROTECTION, FIXED_DELAY, true, 503),
    /** Creating or validating a resource failed, or the pool's creation breaker is open. */
    POOL_RESOURCE_FAILED(7102, ErrorType.of("POOL_RESOURCE_FAILED"), HIGH, INFRASTRUCTURE, ACCESS, EXPONENTIAL_BACKOFF, true, 503),
    /** Checkout from a pool that is closed. */
    POOL_CLOSED(7103, ErrorType.of("POOL_CLOSED"), MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY, false, 503),
    /** The work done with a checked-out resource threw; the cause is attached. */
    POOLED_OPERATION_FAILED(7104, ErrorType.of("POOLED_OPERATION_FAILED"), MEDIUM, EXTERNAL, RUNTIME, EXPONENTIAL_BACKOFF, false, 500);

    private final int code;
    private final ErrorType type;
    private final Severity severity;
    private final ErrorCategory category;
    private final ErrorSubcategory subcategory;
    private final RetryStrategy retryStrategy;
    private final boolean rejection;
    private final int httpStatus;

    PoolErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category, ErrorSubcategory subcategory,
                        RetryStrategy retryStrategy, boolean rejection, int httpStatus) {
        this.code = code;
        this.type = type;
        this.severity = severity;
        this.category = category;
        this.subcategory = subcategory;
        this.retryStrategy = retryStrategy;
        this.rejection = rejection;
        this.httpStatus = httpStatus;
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
        return retryStrategy;
    }

    @Override
    public boolean isRejection() {
        return rejection;
    }

    @Override
    public int httpStatus() {
        return httpStatus;
    }
}
