package dev.bulwark.memory;

/**
 * One reading of heap occupancy after garbage collection: the bytes still in use in the heap
 * pools after their latest collection, out of the heap's maximum.
 *
 * @param usedBytes bytes in use after collection, {@code >= 0}
 * @param maxBytes  the heap's maximum, {@code > 0}
 */
public record MemoryReading(long usedBytes, long maxBytes) {

    /**
     * @throws IllegalArgumentException if {@code usedBytes} is negative or {@code maxBytes} not positive
     */
    public MemoryReading {
        if (usedBytes < 0) {
            throw new IllegalArgumentException("usedBytes must be >= 0, was " + usedBytes);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
        }
    }

    /** A reading of {@code share} (0 to 1, or more) of a heap of a million bytes, for tests. */
    public static MemoryReading ofOccupancy(double share) {
        if (!(share >= 0) || Double.isInfinite(share)) {
            throw new IllegalArgumentException("share must be a finite number >= 0, was " + share);
        }
        return new MemoryReading(Math.round(share * 1_000_000), 1_000_000);
    }

    /** {@code usedBytes / maxBytes}: 0.85 means 85 % of the heap stays in use after collection. */
    public double occupancy() {
        return (double) usedBytes / maxBytes;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%.1f %% (%d of %d bytes)", 100 * occupancy(), usedBytes, maxBytes);
    }
}
