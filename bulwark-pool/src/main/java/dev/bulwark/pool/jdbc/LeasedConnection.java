package dev.bulwark.pool.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A connection handed out while leak detection is on: it leaves the {@link LeakTracker} when closed. */
final class LeasedConnection extends DelegatingConnection {

    private final LeakTracker tracker;
    final long since;
    final Throwable origin;
    /** Guarded by the tracker's check. */
    boolean reported;

    LeasedConnection(Connection delegate, LeakTracker tracker, long since, Throwable origin) {
        super(delegate);
        this.tracker = tracker;
        this.since = since;
        this.origin = origin;
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } finally {
            tracker.returned(this);
        }
    }
}
