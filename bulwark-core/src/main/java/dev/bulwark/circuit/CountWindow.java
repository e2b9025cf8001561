package dev.bulwark.circuit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The last N outcomes, as a ring of outcome codes and two running tallies.
 *
 * <p><b>Concurrency.</b> A call takes its position with one atomic increment of the breaker's call
 * sequence (see {@link Counters}); its slot is its position modulo N.
 * Every change of a slot is an atomic exchange followed by adjusting the tallies by the
 * difference, so the tallies always converge to exactly what the slots hold. A fast success landing
 * on a slot that already holds a fast success changes nothing, which makes the steady closed state
 * one atomic increment per call.
 */
final class CountWindow extends CallWindow {

    private static final VarHandle FAILURES;
    private static final VarHandle SLOW_CALLS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FAILURES = lookup.findVarHandle(CountWindow.class, "failures", long.class);
            SLOW_CALLS = lookup.findVarHandle(CountWindow.class, "slowCalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int size;
    private final Counters counters;
    private final long firstPosition;
    private final AtomicIntegerArray slots;
    private volatile long failures;
    private volatile long slowCalls;

    CountWindow(int size, Counters counters, long firstPosition) {
        this.size = size;
        this.counters = counters;
        this.firstPosition = firstPosition;
        this.slots = new AtomicIntegerArray(size);
    }

    @Override
    boolean record(long position, long now, int outcome) {
        int slot = (int) ((position - firstPosition) % size);
        if (slots.get(slot) != outcome) {
            int previous = slots.getAndSet(slot, outcome);
            int changed = previous ^ outcome;
            if ((changed & FAILURE) != 0) {
                FAILURES.getAndAdd(this, (outcome & FAILURE) != 0 ? 1L : -1L);
            }
            if ((changed & SLOW) != 0) {
                SLOW_CALLS.getAndAdd(this, (outcome & SLOW) != 0 ? 1L : -1L);
            }
        }
        return failures > 0 || slowCalls > 0;
    }

    @Override
    void advance(long now) {
    }

    @Override
    long calls() {
        return Math.min(counters.sequence() - firstPosition, size);
    }

    @Override
    long failures() {
        return Math.max(0L, failures);
    }

    @Override
    long slowCalls() {
        return Math.max(0L, slowCalls);
    }

    /** The failures the slots hold, counted one by one (for tests of the tally invariant). */
    long failuresInSlots() {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += slots.get(i) & FAILURE;
        }
        return n;
    }
}
