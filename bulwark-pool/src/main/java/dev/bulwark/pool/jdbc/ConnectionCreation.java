package dev.bulwark.pool.jdbc;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.State;
import dev.bulwark.error.InfraError;
import dev.bulwark.time.Clock;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The data source HikariCP opens its physical connections from: it asks the connection breaker
 * before each attempt (refusing at once, without touching the network, while it is open), reports
 * the outcome to it, counts and announces connections created and destroyed, and wraps each one so
 * that its end is seen. HikariCP's own threads call it; callers of the pool never do.
 */
final class ConnectionCreation implements DataSource {

    private final DataSource target;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final JdbcEvents events;
    private final int coreSize;
    private final AtomicInteger live = new AtomicInteger();
    final LongAdder created = new LongAdder();
    final LongAdder destroyed = new LongAdder();
    /** Whether the breaker was not closed when last seen here: callers then ask it before waiting on the pool. */
    private volatile boolean failing;
    private volatile boolean closing;

    ConnectionCreation(DataSource target, CircuitBreaker breaker, Clock clock, JdbcEvents events, int coreSize) {
        this.target = target;
        this.breaker = breaker;
        this.clock = clock;
        this.events = events;
        this.coreSize = coreSize;
    }

    boolean failing() {
        return failing;
    }

    void closing() {
        closing = true;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return open(null, null, false);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return open(username, password, true);
    }

    private Connection open(String username, String password, boolean credentials) throws SQLException {
        InfraError refused = breaker.tryAcquireOrRejection();
        if (refused != null) {
            failing = true;
            throw new SQLTransientConnectionException("not connecting: " + refused.message(),
                    ConnectionUnavailableException.SQL_STATE, refused.code());
        }
        long start = clock.nanoTime();
        Connection physical;
        try {
            physical = credentials ? target.getConnection(username, password) : target.getConnection();
            if (physical == null) {
                throw new SQLException("the data source returned no connection");
            }
        } catch (SQLException | RuntimeException e) {
            breaker.onFailure(Math.max(0L, clock.nanoTime() - start), e);
            failing = breaker.state() != State.CLOSED;
            throw e;
        } catch (Error e) {
            breaker.onIgnored();
            throw e;
        }
        breaker.onSuccess(Math.max(0L, clock.nanoTime() - start));
        failing = breaker.state() != State.CLOSED;
        created.increment();
        int alive = live.incrementAndGet();
        events.created(alive <= coreSize ? JdbcEvents.CREATED_CORE : JdbcEvents.CREATED_OVERFLOW);
        return new PhysicalConnection(physical, this);
    }

    /** A physical connection ended (closed or aborted), once. */
    void ended(boolean failedValidation) {
        live.decrementAndGet();
        destroyed.increment();
        events.destroyed(closing ? JdbcEvents.DESTROYED_CLOSED
                : failedValidation ? JdbcEvents.DESTROYED_VALIDATION_FAILED : JdbcEvents.DESTROYED_EVICTED);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(target) ? type.cast(target) : target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(target) || target.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "ConnectionCreation[" + target + ", breaker " + breaker.name() + "]";
    }
}
