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

    KeyBudget(long maxKeys) {
        this.maxKeys = maxKeys;
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
