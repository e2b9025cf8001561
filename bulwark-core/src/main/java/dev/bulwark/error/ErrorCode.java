package dev.bulwark.error;

/**
 * One entry of the error catalogue: a numeric code with the type, severity, category, retry
 * strategy and HTTP status that go with it. Core's codes are {@link CoreErrorCode}; a module
 * defines its own codes as an enum implementing this interface and registers it with the
 * infrastructure's {@link ErrorCatalogue} (a code number registered twice fails the build of the
 * infrastructure). docs/errors.md lists every code.
 *
 * <p>Implementations are immutable; their identity is the code number.
 */
public interface ErrorCode {

    /** The numeric code, e.g. 5004. */
    int code();

    /** What went wrong, independent of where; several codes may share a type. */
    ErrorType type();

    Severity severity();

    ErrorCategory category();

    ErrorSubcategory subcategory();

    /** The retry strategy of this code, or null when it is derived from the cause ("per cause"). */
    RetryStrategy defaultRetryStrategy();

    /** Whether this code is a protection's refusal (cheap: no stack trace is captured). */
    boolean isRejection();

    /** The HTTP status a server should answer an error of this code with (429, 503, 504, 500...). */
    int httpStatus();

    /** The retry strategy for an error of this code caused by {@code cause}. */
    default RetryStrategy retryStrategyFor(Throwable cause) {
        RetryStrategy strategy = defaultRetryStrategy();
        return strategy != null ? strategy : RetryStrategy.forCause(cause);
    }
}
