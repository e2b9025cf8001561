package dev.bulwark.ratelimit;

/**
 * A rate-limiting algorithm. For a rule of {@code limit} per {@code window}, each constant
 * documents the most it can admit in any interval as long as one window (its worst case).
 */
public enum Algorithm {
    /** Counts per aligned window (Hammer's default). Worst case: 2 × limit across a window boundary. */
    FIXED_WINDOW,
    /**
     * Sliding window, counter approximation: the previous window's count weighted by how much of
     * it still overlaps the sliding window, plus the current count. The default.
     */
    SLIDING_WINDOW,
    /** A bucket of {@code limit} tokens refilled at {@code limit / window}. */
    TOKEN_BUCKET,
    /** A queue of {@code limit} that drains at {@code limit / window} (as a meter: no queuing delay). */
    LEAKY_BUCKET,
    /** Generic cell rate algorithm: one theoretical arrival time per key, burst {@code limit}. */
    GCRA
}
