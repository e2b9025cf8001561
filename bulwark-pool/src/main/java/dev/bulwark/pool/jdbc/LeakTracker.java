package dev.bulwark.pool.jdbc;

import dev.bulwark.time.Clock;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Leak detection of a data source: every connection handed out is a {@link LeasedConnection} that
 * remembers when and where (stack trace) it was checked out; {@link #check()} reports, once per
 * lease, those held longer than the threshold as {@code pool.leak_suspected}. The set holds only
 * connections out now (a lease leaves it when closed), so it is bounded by the pool's size.
 */
final class LeakTracker {

    private static final String DATA_SOURCE = ProtectedDataSource.class.getName();
    private static final String TRACKER = LeakTracker.class.getName();

    private final long thresholdNanos;
    private final Clock clock;
    private final JdbcEvents events;
    private final Set<LeasedConnection> leases = ConcurrentHashMap.newKeySet();
    final LongAdder leaks = new LongAdder();

    LeakTracker(long thresholdNanos, Clock clock, JdbcEvents events) {
        this.thresholdNanos = thresholdNanos;
        this.clock = clock;
        this.events = events;
    }

    Connection lease(Connection pooled) {
        LeasedConnection lease = new LeasedConnection(pooled, this, clock.nanoTime(), new Throwable("checked out here"));
        leases.add(lease);
        return lease;
    }

    void returned(LeasedConnection lease) {
        leases.remove(lease);
    }

    /** Reports the leases held past the threshold that were not reported yet; returns how many it reported. */
    synchronized int check() {
        long now = clock.nanoTime();
        int reported = 0;
        for (LeasedConnection lease : leases) {
            if (closedBehindOurBack(lease)) {
                leases.remove(lease);
            } else if (!lease.reported && now - lease.since >= thresholdNanos) {
                lease.reported = true;
                leaks.increment();
                reported++;
                events.leakSuspected(TimeUnit.NANOSECONDS.toMillis(now - lease.since), stack(lease.origin));
            }
        }
        return reported;
    }

    /** Closed through {@code statement.getConnection().close()}, which reaches HikariCP's proxy, not the lease. */
    private static boolean closedBehindOurBack(LeasedConnection lease) {
        try {
            return lease.delegate.isClosed();   // HikariCP answers from a flag, without a round trip
        } catch (SQLException e) {
            return false;
        }
    }

    int outstanding() {
        return leases.size();
    }

    private static boolean isOwnFrame(StackTraceElement frame) {
        String type = frame.getClassName();
        return type.equals(DATA_SOURCE) || type.startsWith(DATA_SOURCE + "$") || type.equals(TRACKER);
    }

    /** The checkout's stack trace from the caller's frame on (the data source's own frames left out). */
    static String stack(Throwable origin) {
        StackTraceElement[] frames = origin.getStackTrace();
        int first = 0;
        while (first < frames.length - 1 && isOwnFrame(frames[first])) {
            first++;
        }
        StringBuilder text = new StringBuilder();
        for (int i = first; i < frames.length; i++) {
            if (i > first) {
                text.append('\n');
            }
            text.append("at ").append(frames[i]);
        }
        return text.toString();
    }
}
