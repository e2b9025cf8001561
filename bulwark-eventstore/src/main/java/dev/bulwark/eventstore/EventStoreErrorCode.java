package dev.bulwark.eventstore;

import static dev.bulwark.error.ErrorCategory.CONFIG;
import static dev.bulwark.error.ErrorCategory.DATA;
import static dev.bulwark.error.ErrorCategory.INFRASTRUCTURE;
import static dev.bulwark.error.ErrorSubcategory.ACCESS;
import static dev.bulwark.error.ErrorSubcategory.PROTECTION;
import static dev.bulwark.error.ErrorSubcategory.RUNTIME;
import static dev.bulwark.error.ErrorSubcategory.STRUCTURE;
import static dev.bulwark.error.ErrorSubcategory.VALIDATION;
import static dev.bulwark.error.RetryStrategy.EXPONENTIAL_BACKOFF;
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
 * The error codes of the event store (74xx), registered in the infrastructure's error catalogue
 * when the {@link EventRecorder} module is installed. docs/eventstore.md lists them.
 */
public enum EventStoreErrorCode implements ErrorCode {
    /** The store cannot be written right now (PostgreSQL unreachable, disk full, I/O error); the recorder buffers and retries. */
    STORE_UNAVAILABLE(7401, ErrorType.of("EVENT_STORE_UNAVAILABLE"), HIGH, INFRASTRUCTURE, ACCESS, EXPONENTIAL_BACKOFF, false, 503),
    /** Events were dropped: the recorder's queue was full, or its retry buffer was full while the store was down. */
    EVENTS_DROPPED(7402, ErrorType.of("EVENTS_DROPPED"), MEDIUM, INFRASTRUCTURE, PROTECTION, NO_RETRY, true, 503),
    /** A query or a command line was invalid (a bad duration, an unknown option, {@code from} after {@code to}). */
    QUERY_INVALID(7403, ErrorType.of("EVENT_QUERY_INVALID"), MEDIUM, DATA, VALIDATION, NO_RETRY, false, 400),
    /** Reading the store failed (I/O or SQL error). */
    QUERY_FAILED(7404, ErrorType.of("EVENT_QUERY_FAILED"), HIGH, INFRASTRUCTURE, ACCESS, EXPONENTIAL_BACKOFF, false, 500),
    /** A damaged region of a segment file was found (checksum mismatch, impossible length); it is skipped and the rest stays readable. */
    STORE_CORRUPTED(7405, ErrorType.of("EVENT_STORE_CORRUPTED"), HIGH, DATA, STRUCTURE, NO_RETRY, false, 500),
    /** The store or recorder is closed. */
    STORE_CLOSED(7406, ErrorType.of("EVENT_STORE_CLOSED"), MEDIUM, INFRASTRUCTURE, RUNTIME, NO_RETRY, false, 503),
    /** Another process holds the write lock of the store's directory. */
    STORE_LOCKED(7407, ErrorType.of("EVENT_STORE_LOCKED"), HIGH, CONFIG, ACCESS, NO_RETRY, false, 500),
    /** The store could not be opened: the directory is not usable, a file is not a segment, the schema could not be created. */
    STORE_OPEN_FAILED(7408, ErrorType.of("EVENT_STORE_OPEN_FAILED"), HIGH, CONFIG, STRUCTURE, NO_RETRY, false, 500);

    private final int code;
    private final ErrorType type;
    private final Severity severity;
    private final ErrorCategory category;
    private final ErrorSubcategory subcategory;
    private final RetryStrategy retryStrategy;
    private final boolean rejection;
    private final int httpStatus;

    EventStoreErrorCode(int code, ErrorType type, Severity severity, ErrorCategory category, ErrorSubcategory subcategory,
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
