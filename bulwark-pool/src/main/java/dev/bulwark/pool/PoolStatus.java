package dev.bulwark.pool;

import dev.bulwark.circuit.State;
import dev.bulwark.spi.ComponentStatus;

/**
 * A pool's figures at one instant, as {@code infra.status()}, health, metrics and the dashboard read
 * them; the same record for a {@code Pool} and a {@code ProtectedDataSource}. Counters
 * ({@code created}, {@code destroyed}, {@code timeouts}, {@code leaks}, {@code rejections}) count
 * since the pool started; the others are gauges. When nothing is in flight,
 * {@code created - destroyed == idle + active}.
 *
 * @param name        the pool's name
 * @param maxSize     resources the pool keeps (its core size)
 * @param maxOverflow extra resources it may create under load, destroyed after their linger TTL
 * @param idle        resources ready in the pool
 * @param active      resources checked out now
 * @param waiters     callers waiting for a resource now
 * @param overflow    resources above {@code maxSize} alive now (idle or active)
 * @param created     resources created
 * @param destroyed   resources destroyed
 * @param timeouts    checkouts that ended in 7101 because the timeout passed
 * @param rejections  checkouts refused at once (too many waiters, breaker open, closed)
 * @param leaks       resources reported as suspected leaks
 * @param breaker     the state of the breaker on creation and validation
 */
public record PoolStatus(String name, int maxSize, int maxOverflow, int idle, int active, int waiters, int overflow,
                         long created, long destroyed, long timeouts, long rejections, long leaks, State breaker)
        implements ComponentStatus {

    /** Whether every resource the pool may have is checked out. */
    public boolean exhausted() {
        return active >= maxSize + maxOverflow;
    }
}
