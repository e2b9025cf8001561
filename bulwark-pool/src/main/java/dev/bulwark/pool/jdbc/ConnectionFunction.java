package dev.bulwark.pool.jdbc;

import java.sql.Connection;

/**
 * The work {@link ProtectedDataSource#withConnection} runs with a checked-out connection. It may
 * throw anything; the connection goes back to the pool either way.
 *
 * @param <R> what the work returns
 */
@FunctionalInterface
public interface ConnectionFunction<R> {

    /** Does the work with {@code connection}, which must not be kept after returning. */
    R apply(Connection connection) throws Exception;
}
