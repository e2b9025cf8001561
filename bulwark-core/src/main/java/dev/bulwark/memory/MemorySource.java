package dev.bulwark.memory;

import dev.bulwark.spi.Subscription;

/**
 * Where a {@link MemoryMonitor} gets its readings. {@link #heapAfterCollection()} is the JVM's heap;
 * a test injects its own ({@code Infrastructure.builder().memorySource(readings::get)}) and calls
 * {@link MemoryMonitor#refresh()} after changing the reading.
 *
 * <p>Implementations must be thread-safe; {@link #read()} must not block.
 */
@FunctionalInterface
public interface MemorySource {

    /** The latest occupancy after collection. */
    MemoryReading read();

    /**
     * Asks to be told (on any thread) after each garbage collection, so the monitor reads at once
     * instead of at its next poll. By default nothing: the monitor polls.
     *
     * @return a subscription whose {@code close()} stops the notifications
     */
    default Subscription onCollection(Runnable listener) {
        return () -> { };
    }

    /**
     * The JVM's heap after collection: the heap pools that support collection-usage thresholds,
     * whichever the collector (G1, Parallel, Serial, ZGC, Shenandoah name them differently), each at
     * its usage after the latest collection, summed, out of the heap's maximum. A new source per
     * call (each holds its own GC listeners while subscribed). See docs/memory.md.
     */
    static MemorySource heapAfterCollection() {
        return new HeapAfterCollection();
    }
}
