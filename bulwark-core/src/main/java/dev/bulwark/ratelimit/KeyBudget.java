package dev.bulwark.ratelimit;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bound on live states shared by all tables of one {@link InMemoryLimitStore}: a state is
 * reserved before it is inserted and released when it is removed, so the count never exceeds the
 * bound, even with concurrent inserts. Thread-safe.
 *
 * <p><b>Reclaiming at the bound.</b> When a new key finds the budget spent, expired states may be
 * lying around that no sweep has removed yet. The caller's thread takes at most one bounded step
 * of reclaiming ({@value #RECLAIM_STEP_SLOTS} slots, resuming where the previous step stopped; at
 * most once per {@value #RECLAIM_GAP_NANOS} ns of store time, one thread at a time), so a refusal
 * costs microseconds at worst, never a sweep of the store; and the budget asks the store's
 * background executor (the infrastructure's scheduler) for a full sweep, at most one at a time and
 * at most once per {@value #SWEEP_REQUEST_GAP_NANOS} ns of store time.
 */
final class KeyBudget {

    /** The most slots one caller looks at when reclaiming at the bound. */
    static final int RECLAIM_STEP_SLOTS = 1024;
    /** The least store time between two callers' reclaiming steps. */
    static final long RECLAIM_GAP_NANOS = 1_000_000;
    /** The least store time between two requests for a background sweep. */
    static final long SWEEP_REQUEST_GAP_NANOS = 100_000_000;

    final long maxKeys;
    private final AtomicLong live = new AtomicLong();
    private final LongAdder refusedAtBound = new LongAdder();
    private final LongAdder refusedFlood = new LongAdder();

    /** What one reclaiming step may still look at, and whether it went through a whole table. */
    static final class Step {
        int slots;
        boolean passDone;
    }

    /** The store's side of reclaiming. */
    interface Reclaimer {
        /** One bounded step over the store's tables (never blocks on a lock); returns how many states were removed. */
        long sweepStep(long now, Step step);

        /** A full sweep of the store ({@link InMemoryLimitStore#sweepExpired()}), run on the background executor. */
        void sweepAll();
    }

    private final Reclaimer reclaimer;
    /** Where full sweeps run; null when the store has none (then only steps and the periodic sweep reclaim). */
    private final Executor backgroundSweeps;
    private final AtomicBoolean stepping = new AtomicBoolean();
    private volatile boolean steppedOnce;
    private volatile long lastStep;
    private final AtomicBoolean sweepPending = new AtomicBoolean();
    private volatile boolean requestedOnce;
    private volatile long lastSweepRequest;
    private final LongAdder backgroundSweepsRequested = new LongAdder();

    KeyBudget(long maxKeys, Reclaimer reclaimer, Executor backgroundSweeps) {
        this.maxKeys = maxKeys;
        this.reclaimer = reclaimer;
        this.backgroundSweeps = backgroundSweeps;
    }

    /**
     * At the bound: one bounded reclaiming step on the caller's thread (unless another thread is
     * stepping, or one stepped less than {@value #RECLAIM_GAP_NANOS} ns of store time ago), and a
     * request for a background sweep of the whole store.
     *
     * @return how many states the step removed (0 when skipped)
     */
    long reclaim(long now) {
        long removed = 0;
        if ((!steppedOnce || now - lastStep >= RECLAIM_GAP_NANOS) && stepping.compareAndSet(false, true)) {
            try {
                lastStep = now;
                steppedOnce = true;
                Step step = new Step();
                step.slots = RECLAIM_STEP_SLOTS;
                removed = reclaimer.sweepStep(now, step);
            } finally {
                stepping.set(false);
            }
        }
        requestBackgroundSweep(now);
        return removed;
    }

    private void requestBackgroundSweep(long now) {
        if (backgroundSweeps == null || (requestedOnce && now - lastSweepRequest < SWEEP_REQUEST_GAP_NANOS)
                || !sweepPending.compareAndSet(false, true)) {
            return;
        }
        requestedOnce = true;
        lastSweepRequest = now;
        backgroundSweepsRequested.increment();
        try {
            backgroundSweeps.execute(() -> {
                try {
                    reclaimer.sweepAll();
                } finally {
                    sweepPending.set(false);
                }
            });
        } catch (RuntimeException closedOrFull) {
            sweepPending.set(false); // the executor is closed or refuses: the periodic sweep remains
        }
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

    long backgroundSweepsRequested() {
        return backgroundSweepsRequested.sum();
    }
}
