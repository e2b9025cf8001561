package dev.bulwark.pool.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A database in memory for the unit tests: a {@link DataSource} whose connections answer every call
 * with a default value, that can be taken down ({@code getConnection} fails, {@code isValid} says
 * no) and brought back, and that counts what was asked of it.
 */
final class StubDatabase implements DataSource {

    private volatile boolean down;
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final Set<Connection> open = ConcurrentHashMap.newKeySet();

    void down() {
        down = true;
    }

    void up() {
        down = false;
    }

    @Override
    public Connection getConnection() throws SQLException {
        attempts.incrementAndGet();
        if (down) {
            throw new SQLTransientConnectionException("stub database is down", "08001");
        }
        opened.incrementAndGet();
        Connection connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new StubConnection());
        open.add(connection);
        return connection;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    private final class StubConnection implements InvocationHandler {
        private volatile boolean closed;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "close", "abort" -> {
                    closed = true;
                    open.remove(proxy);
                    return null;
                }
                case "isClosed" -> {
                    return closed;
                }
                case "isValid" -> {
                    return !down && !closed;
                }
                case "getAutoCommit" -> {
                    return true;
                }
                case "getTransactionIsolation" -> {
                    return Connection.TRANSACTION_READ_COMMITTED;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "StubConnection@" + Integer.toHexString(System.identityHashCode(proxy));
                }
                case "isWrapperFor" -> {
                    return false;
                }
                default -> {
                    return defaultValue(method.getReturnType());
                }
            }
        }
    }

    private static Object defaultValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
