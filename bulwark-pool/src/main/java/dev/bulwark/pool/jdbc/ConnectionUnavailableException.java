package dev.bulwark.pool.jdbc;

import dev.bulwark.error.InfraError;
import java.sql.SQLTransientConnectionException;
import java.util.Objects;

/**
 * What {@link ProtectedDataSource#getConnection()} throws when it cannot hand out a connection and
 * a later attempt may succeed: 7101 POOL_EXHAUSTED (no connection within the checkout timeout) or
 * 7102 POOL_RESOURCE_FAILED (the database cannot be reached: connecting failed while the caller
 * waited, or the connection breaker is open and the call is refused at once).
 *
 * <p>It is an {@link SQLTransientConnectionException}, the type HikariCP itself throws on a
 * timeout, so code (and frameworks such as Spring's exception translation) that handles that keeps
 * working; {@link #error()} carries the full {@link InfraError}, {@link #getErrorCode()} is its code
 * (7101 or 7102) and {@link #getSQLState()} is {@code 08001}. It has no stack trace: it is a
 * rejection, cheap to throw.
 */
public final class ConnectionUnavailableException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;
    /** The SQL state of this exception: connection exception, client unable to establish a connection. */
    public static final String SQL_STATE = "08001";

    private final transient InfraError error;

    /** An exception carrying {@code error} (its message, code and cause). */
    public ConnectionUnavailableException(InfraError error) {
        super(Objects.requireNonNull(error, "error").message(), SQL_STATE, error.code(), error.cause());
        this.error = error;
    }

    /** The Bulwark error: code, message, context (pool, waited, active, waiters...), retry advice. */
    public InfraError error() {
        return error;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
