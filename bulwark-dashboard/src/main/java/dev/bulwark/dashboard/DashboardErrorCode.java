package dev.bulwark.dashboard;

import dev.bulwark.error.ErrorCategory;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.ErrorSubcategory;
import dev.bulwark.error.ErrorType;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.error.Severity;

/**
 * The dashboard's error codes (75xx), registered in the infrastructure's error catalogue when the
 * dashboard is installed. Each answer of the dashboard that is not a success carries one, in a JSON
 * body {@code {"error": {"code": ..., "type": ..., "message": ...}}}, with its HTTP status.
 */
public enum DashboardErrorCode implements ErrorCode {
    /** A state-changing action without the right bearer token (401). */
    UNAUTHORIZED(7501, "DASHBOARD_UNAUTHORIZED", 401),
    /** A state-changing action while actions are off (the default) (403). */
    FORBIDDEN(7502, "DASHBOARD_FORBIDDEN", 403),
    /** An unknown path, a resource outside the page's own, or an unknown breaker (404). */
    NOT_FOUND(7503, "DASHBOARD_NOT_FOUND", 404),
    /** A known path asked with a method it does not take (405). */
    METHOD_NOT_ALLOWED(7504, "DASHBOARD_METHOD_NOT_ALLOWED", 405),
    /** A request path refused as malformed (dot segments, encoded separators, control characters) (400). */
    BAD_REQUEST(7505, "DASHBOARD_BAD_REQUEST", 400),
    /** The event stream has as many clients as it takes (503). */
    TOO_MANY_CLIENTS(7506, "DASHBOARD_TOO_MANY_CLIENTS", 503),
    /** The dashboard failed to answer (500). */
    INTERNAL(7507, "DASHBOARD_INTERNAL", 500);

    private final int code;
    private final ErrorType type;
    private final int httpStatus;

    DashboardErrorCode(int code, String type, int httpStatus) {
        this.code = code;
        this.type = ErrorType.of(type);
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
        return this == INTERNAL ? Severity.HIGH : Severity.LOW;
    }

    @Override
    public ErrorCategory category() {
        return ErrorCategory.SYSTEM;
    }

    @Override
    public ErrorSubcategory subcategory() {
        return this == INTERNAL || this == TOO_MANY_CLIENTS ? ErrorSubcategory.RUNTIME : ErrorSubcategory.ACCESS;
    }

    @Override
    public RetryStrategy defaultRetryStrategy() {
        return this == TOO_MANY_CLIENTS ? RetryStrategy.FIXED_DELAY : RetryStrategy.NO_RETRY;
    }

    @Override
    public boolean isRejection() {
        return this != INTERNAL;
    }

    @Override
    public int httpStatus() {
        return httpStatus;
    }
}
