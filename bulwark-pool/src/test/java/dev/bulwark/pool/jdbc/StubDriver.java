package dev.bulwark.pool.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/** A JDBC driver for {@code jdbc:bulwark-stub:} URLs that opens connections of a {@link StubDatabase} and records the properties it was given. */
final class StubDriver implements Driver {

    static final String URL = "jdbc:bulwark-stub:orders";

    private final StubDatabase db;
    final List<Properties> connectProperties = new CopyOnWriteArrayList<>();

    StubDriver(StubDatabase db) {
        this.db = db;
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        connectProperties.add(info);
        return db.getConnection();
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith("jdbc:bulwark-stub:");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
