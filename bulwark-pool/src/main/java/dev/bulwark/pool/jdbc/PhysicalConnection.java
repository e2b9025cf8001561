package dev.bulwark.pool.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A physical connection as HikariCP holds it: it remembers a failed validation and tells
 * {@link ConnectionCreation} once when it is closed or aborted, so that
 * {@code pool.resource_destroyed} and the destroyed count see every end.
 */
final class PhysicalConnection extends DelegatingConnection {

    private final ConnectionCreation owner;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean failedValidation;

    PhysicalConnection(Connection delegate, ConnectionCreation owner) {
        super(delegate);
        this.owner = owner;
    }

    @Override
    public boolean isValid(int timeoutSeconds) throws SQLException {
        try {
            boolean valid = delegate.isValid(timeoutSeconds);
            if (!valid) {
                failedValidation = true;
            }
            return valid;
        } catch (SQLException | RuntimeException e) {
            failedValidation = true;
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } finally {
            end();
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        try {
            delegate.abort(executor);
        } finally {
            end();
        }
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            owner.ended(failedValidation);
        }
    }
}
