package dev.bulwark.pipeline;

import dev.bulwark.spi.ComponentStatus;

/**
 * A snapshot of a {@link Bulkhead}.
 *
 * @param maxConcurrentCalls the limit
 * @param inFlight           calls running now
 * @param waiting            callers waiting for a place now
 * @param admitted           calls admitted since creation
 * @param rejected           calls rejected since creation (error 7001)
 */
public record BulkheadStats(int maxConcurrentCalls, int inFlight, int waiting, long admitted, long rejected)
        implements ComponentStatus {
}
