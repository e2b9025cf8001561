package dev.bulwark.pipeline;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A rolling percentile of recent latencies, for the hedge's delay: {@value #GENERATIONS}
 * {@link LatencyHistogram}s, each collecting the samples of one quarter of the window, reused in
 * turn, so that samples older than the window drop out a quarter at a time (a decaying window of
 * bounded size: 4 × 3.7 KB whatever the traffic).
 *
 * <p>The estimate is recomputed at most once per sixteenth of the window, by the thread that
 * records the first sample after that time (one volatile read per sample otherwise). It is the
 * upper bound of the bucket holding the percentile (at most ≈ 6 % above the true value), clamped
 * to [min, max]. While the window holds fewer than {@code minSamples} samples the previous
 * estimate stays (initially the configured initial delay): a quiet period neither resets nor
 * skews it.
 *
 * <p>Thread-safe; approximate under concurrency (a sample recorded while its generation is being
 * recycled may be lost).
 */
final class RollingLatency {

    static final int GENERATIONS = 4;

    private final long generationNanos;
    private final long refreshNanos;
    private final double percentile;
    private final int minSamples;
    private final long minNanos;
    private final long maxNanos;
    private final LatencyHistogram[] histograms = new LatencyHistogram[GENERATIONS];
    /** The generation number each histogram holds; Long.MIN_VALUE while unused. */
    private final AtomicLongArray generations = new AtomicLongArray(GENERATIONS);
    private final AtomicLong nextRefresh;
    private volatile long estimateNanos;
    private volatile long samplesInWindow;

    RollingLatency(long windowNanos, double percentile, int minSamples, long initialNanos, long minNanos,
                   long maxNanos, long now) {
        this.generationNanos = Math.max(1L, windowNanos / GENERATIONS);
        this.refreshNanos = Math.max(1L, windowNanos / 16);
        this.percentile = percentile;
        this.minSamples = minSamples;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.estimateNanos = clamp(initialNanos);
        this.nextRefresh = new AtomicLong(now + refreshNanos);
        for (int i = 0; i < GENERATIONS; i++) {
            histograms[i] = new LatencyHistogram();
            generations.set(i, Long.MIN_VALUE);
        }
    }

    /** The delay to use now. */
    long estimateNanos() {
        return estimateNanos;
    }

    /** Samples in the window at the last refresh. */
    long samples() {
        return samplesInWindow;
    }

    /** Records a latency observed at {@code now}. */
    void record(long now, long nanos) {
        long generation = Math.floorDiv(now, generationNanos);
        int slot = (int) Math.floorMod(generation, GENERATIONS);
        long held = generations.get(slot);
        if (held != generation) {
            if (held > generation) {
                return; // a sample from a generation already recycled
            }
            if (generations.compareAndSet(slot, held, generation)) {
                histograms[slot].clear();
            }
        }
        histograms[slot].record(nanos);
        long due = nextRefresh.get();
        if (now - due >= 0 && nextRefresh.compareAndSet(due, now + refreshNanos)) {
            refresh(generation);
        }
    }

    private void refresh(long currentGeneration) {
        long[] merged = new long[LatencyHistogram.BUCKETS];
        long total = 0;
        for (int i = 0; i < GENERATIONS; i++) {
            long g = generations.get(i);
            if (g != Long.MIN_VALUE && currentGeneration - g < GENERATIONS && g <= currentGeneration) {
                total += histograms[i].addTo(merged);
            }
        }
        samplesInWindow = total;
        if (total >= minSamples && total > 0) {
            int bucket = LatencyHistogram.bucketAtPercentile(merged, total, percentile);
            estimateNanos = clamp(LatencyHistogram.upperBoundNanos(bucket));
        }
    }

    private long clamp(long nanos) {
        return Math.max(minNanos, Math.min(maxNanos, nanos));
    }
}
