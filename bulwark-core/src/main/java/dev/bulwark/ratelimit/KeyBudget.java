package dev.bulwark.ratelimit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bound on live states shared by all tables of one {@link InMemoryLimitStore}: a state is
 * reserved before it is inserted and released when it is removed, so the count never exceeds the
 * bound, even with concurrent inserts. Thread-safe.
 */
final class KeyBudget {

    final long maxKeys;
    private final AtomicLong live = new AtomicLong();
    private final LongAdder refusedAtBound = new LongAdder();
    private final LongAdder refusedFlood = new LongAdder();

    /** Store-wide reclaiming of expired states at the bound; see {@link #reclaim}. */
    interface Reclaimer {
        /** Sweeps without blocking on any lock; returns how many states were removed. */
        long sweepIfFree(long now);
    }

    static final long RECLAIM_GAP_NANOS = 100_000_000;

    private final Reclaimer reclaimer;
    private final AtomicLong lastReclaim = new AtomicLong();
    private volatile boolean reclaimedOnce;

    KeyBudget(long maxKeys, Reclaimer reclaimer) {
        this.maxKeys = maxKeys;
        this.reclaimer = reclaimer;
    }

    /**
     * At the bound: sweeps the whole store, at most once per {@value #RECLAIM_GAP_NANOS} ns of store
     * time (so a flood of new keys cannot turn every refused insert into a full scan).
     *
     * @return how many states were removed (0 when skipped)
     */
    long reclaim(long now) {
        long last = lastReclaim.get();
        if (reclaimedOnce && now - last < RECLAIM_GAP_NANOS) {
            return 0;
        }
        if (!lastReclaim.compareAndSet(last, now)) {
            return 0; // another thread is reclaiming
        }
        reclaimedOnce = true;
        return reclaimer.sweepIfFree(now);
    }

    boolean tryReserve() {
        if (live.incrementAndGet() > maxKeys) {
            live.decrementAndGet();
            return false;
        }
        return true;
    }

    void release(long count) {
        if (count > 0) {
            live.addAndGet(-count);
        }
    }

    /** Forgets every reservation (the store dropped all its tables). */
    void clear() {
        live.set(0);
    }

    void refuse() {
        refusedAtBound.increment();
    }

    void refuseFlood() {
        refusedFlood.increment();
    }

    /** The wait given to a refused new key: the rule's expiry horizon. */
    long refusalWait(RuleKernel kernel) {
        return kernel.expiryHorizon();
    }

    long live() {
        return live.get();
    }

    long refusedAtBound() {
        return refusedAtBound.sum();
    }

    long refusedFlood() {
        return refusedFlood.sum();
    }
}
