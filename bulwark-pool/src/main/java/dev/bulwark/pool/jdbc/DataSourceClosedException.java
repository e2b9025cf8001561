package dev.bulwark.pool.jdbc;

import dev.bulwark.error.InfraError;
import java.sql.SQLNonTransientConnectionException;
import java.util.Objects;

/**
 * What {@link ProtectedDataSource#getConnection()} throws once the data source is closed: 7103
 * POOL_CLOSED. It is an {@link SQLNonTransientConnectionException} (retrying cannot help);
 * {@link #error()} carries the {@link InfraError}, {@link #getErrorCode()} is 7103 and
 * {@link #getSQLState()} is {@code 08003} (connection does not exist). No stack trace.
 */
public final class DataSourceClosedException extends SQLNonTransientConnectionException {

    private static final long serialVersionUID = 1L;
    /** The SQL state of this exception: connection does not exist. */
    public static final String SQL_STATE = "08003";

    private final transient InfraError error;

    /** An exception carrying {@code error}. */
    public DataSourceClosedException(InfraError error) {
        super(Objects.requireNonNull(error, "error").message(), SQL_STATE, error.code(), error.cause());
        this.error = error;
    }

    /** The Bulwark error (7103). */
    public InfraError error() {
        return error;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
