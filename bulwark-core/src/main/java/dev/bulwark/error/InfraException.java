package dev.bulwark.error;

import java.util.Objects;

/**
 * An {@link InfraError} thrown as an unchecked exception, by the {@code call(...)} forms of
 * every protection.
 *
 * <p>When the error is a rejection (open breaker, exceeded rate limit, full bulkhead...) no
 * stack trace is captured and suppression is disabled: rejecting under load costs no more than
 * allocating the exception.
 */
public class InfraException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient InfraError error;

    public InfraException(InfraError error) {
        super(Objects.requireNonNull(error, "error").message(), error.cause(),
                !error.isRejection(), !error.isRejection());
        this.error = error;
    }

    /** The structured error. */
    public InfraError error() {
        return error;
    }

    /** Shorthand for {@code error().code()}. */
    public int code() {
        return error.code();
    }

    @Override
    public String toString() {
        return getClass().getName() + ": " + error;
    }
}
