package dev.bulwark.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed-size histogram of durations with log-linear buckets: 16 buckets per power of two of
 * microseconds (units of 1024 ns), so a bucket is at most 1/16 of its lower bound wide (≈ 6 %)
 * and durations from 0 to about 73 minutes fit in {@value #BUCKETS} counters (3.7 KB). Longer
 * durations land in the last bucket; negative ones in the first.
 *
 * <p>The bounded, dependency-free stand-in for HdrHistogram that the hedge (a rolling percentile
 * of latency) and the adaptive concurrency limit (the median latency of a window) need: recording
 * is one atomic add on one counter, reading a percentile walks the counters.
 *
 * <p>Thread-safe: concurrent records are all counted; a reader concurrent with records sees each
 * counter at some moment (the counts may be off by the records in progress).
 */
final class LatencyHistogram {

    static final int SUB_BITS = 4;
    static final int SUB = 1 << SUB_BITS;
    static final int UNIT_SHIFT = 10;
    /** Buckets up to 2^32 units of 1024 ns. */
    static final int BUCKETS = (32 - SUB_BITS + 1) * SUB;

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    final long[] counts = new long[BUCKETS];

    /** The bucket of {@code nanos}. */
    static int bucketOf(long nanos) {
        long v = Math.max(0L, nanos) >>> UNIT_SHIFT;
        if (v < SUB) {
            return (int) v;
        }
        int k = 63 - Long.numberOfLeadingZeros(v);
        int index = (k - SUB_BITS + 1) * SUB + ((int) (v >>> (k - SUB_BITS)) & (SUB - 1));
        return Math.min(index, BUCKETS - 1);
    }

    /** The smallest duration of bucket {@code index}, in nanoseconds. */
    static long lowerBoundNanos(int index) {
        if (index < SUB) {
            return (long) index << UNIT_SHIFT;
        }
        int k = index / SUB + SUB_BITS - 1;
        long lower = ((long) (SUB + index % SUB)) << (k - SUB_BITS);
        return lower << UNIT_SHIFT;
    }

    /** The end (exclusive) of bucket {@code index}, in nanoseconds. */
    static long upperBoundNanos(int index) {
        if (index < SUB) {
            return (index + 1L) << UNIT_SHIFT;
        }
        int k = index / SUB + SUB_BITS - 1;
        return lowerBoundNanos(index) + (1L << (k - SUB_BITS + UNIT_SHIFT));
    }

    /** Counts one duration. */
    void record(long nanos) {
        COUNTS.getAndAdd(counts, bucketOf(nanos), 1L);
    }

    /** The number of durations counted. */
    long count() {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += (long) COUNTS.getOpaque(counts, i);
        }
        return total;
    }

    /** Adds the counts of {@code other} to this histogram's. */
    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            long c = (long) COUNTS.getOpaque(other.counts, i);
            if (c != 0) {
                COUNTS.getAndAdd(counts, i, c);
            }
        }
    }

    /** Sets every counter to zero (records concurrent with the reset may be lost). */
    void clear() {
        for (int i = 0; i < BUCKETS; i++) {
            COUNTS.setOpaque(counts, i, 0L);
        }
    }

    /** Adds this histogram's counts into {@code into} and returns their sum. */
    long addTo(long[] into) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long c = (long) COUNTS.getOpaque(counts, i);
            into[i] += c;
            total += c;
        }
        return total;
    }

    /**
     * The bucket that holds the value of rank {@code ceil(percentile / 100 × total)} in
     * {@code merged} (counts per bucket summing to {@code total > 0}).
     */
    static int bucketAtPercentile(long[] merged, long total, double percentile) {
        long rank = Math.max(1L, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += merged[i];
            if (seen >= rank) {
                return i;
            }
        }
        return BUCKETS - 1;
    }
}
