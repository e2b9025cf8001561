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
 * @param unmatchedReleases  {@link Bulkhead#releasePermit()} calls made while no place was held, ignored
 */
public record BulkheadStats(int maxConcurrentCalls, int inFlight, int waiting, long admitted, long rejected,
                            long unmatchedReleases) implements ComponentStatus {

    /** Stats without unmatched releases. */
    public BulkheadStats(int maxConcurrentCalls, int inFlight, int waiting, long admitted, long rejected) {
        this(maxConcurrentCalls, inFlight, waiting, admitted, rejected, 0);
    }
}
