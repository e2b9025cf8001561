package dev.bulwark.redis.internal;

import dev.bulwark.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal breaker: opens after {@code threshold} consecutive failures, stays open for
 * {@code openNanos}, then lets one trial call through; its success closes it, its failure opens
 * it again. Stands in until the store is wired to {@code dev.bulwark.circuit}. Thread-safe.
 */
public final class ConsecutiveFailuresGuard implements BackendGuard {

    private static final long CLOSED = Long.MIN_VALUE;

    private final Clock clock;
    private final int threshold;
    private final long openNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openedAt = new AtomicLong(CLOSED);
    private final AtomicLong trialStartedAt = new AtomicLong(CLOSED);

    public ConsecutiveFailuresGuard(Clock clock, int threshold, long openNanos) {
        this.clock = clock;
        this.threshold = threshold;
        this.openNanos = openNanos;
    }

    @Override
    public boolean tryAcquirePermit() {
        long opened = openedAt.get();
        if (opened == CLOSED) {
            return true;
        }
        long now = clock.nanoTime();
        if (now - opened < openNanos) {
            return false;
        }
        long trial = trialStartedAt.get();
        return (trial == CLOSED || now - trial >= openNanos) && trialStartedAt.compareAndSet(trial, now);
    }

    @Override
    public void onSuccess(long durationNanos) {
        // read before writing: on the healthy path nothing is written to these shared fields
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
        if (openedAt.get() != CLOSED) {
            trialStartedAt.set(CLOSED);
            openedAt.set(CLOSED);
        }
    }

    @Override
    public void onFailure(long durationNanos, Throwable failure) {
        if (consecutiveFailures.incrementAndGet() >= threshold || openedAt.get() != CLOSED) {
            openedAt.set(clock.nanoTime());
            trialStartedAt.set(CLOSED);
        }
    }

    @Override
    public String state() {
        return openedAt.get() == CLOSED ? "CLOSED" : "OPEN";
    }
}
