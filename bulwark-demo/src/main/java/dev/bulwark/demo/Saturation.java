package dev.bulwark.demo;

import dev.bulwark.pool.PoolStatus;

/** The connection pool's saturation, sampled every 100 simulated ms: peak in use, peak overflow, time exhausted. */
final class Saturation {
    private static final double SAMPLE_SECONDS = 0.1;

    private int peakActive;
    private int peakOverflow;
    private long exhaustedSamples;

    void sample(PoolStatus status) {
        peakActive = Math.max(peakActive, status.active());
        peakOverflow = Math.max(peakOverflow, status.overflow());
        if (status.exhausted()) {
            exhaustedSamples++;
        }
    }

    int peakActive() {
        return peakActive;
    }

    int peakOverflow() {
        return peakOverflow;
    }

    double exhaustedSeconds() {
        return exhaustedSamples * SAMPLE_SECONDS;
    }
}
