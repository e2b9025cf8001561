package dev.bulwark.circuit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lifetime counts of one breaker, shared by all its phases.
 *
 * <p>To keep the closed success path at one atomic operation, a closed phase that has sliding
 * windows does not count its successes separately: its calls are counted as windowed calls (which
 * the windows need anyway), and the successes are the windowed calls minus the failures counted
 * with them. Every other success goes to {@code ok}. Re-install restarts the counts by taking a
 * baseline, never by resetting counters that calls in flight may still be adding to.
 *
 * <p><b>Two ways of counting windowed calls.</b> A count window (the last N calls) needs each
 * call's place in one breaker-wide order: those calls take a {@link #nextWindowedCall() position}
 * from a single counter, a write every call of every thread makes to one cache line. Time windows
 * need only how many calls there were: without a count window, calls are
 * {@link #countWindowedCall() counted} in a {@link LongAdder}, whose cells spread concurrent
 * callers over separate lines, so a closed breaker's success path has no shared write that
 * contending threads bounce between cores. {@link #windowedCalls()} is the sum of both.
 */
final class Counters {

    private static final VarHandle WINDOWED_CALLS;

    static {
        try {
            WINDOWED_CALLS = MethodHandles.lookup().findVarHandle(Counters.class, "windowedCalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Counts as of one moment. */
    record Snapshot(long ok, long melts, long rejected, long ignored, long slowCalls) {
    }

    final LongAdder ok = new LongAdder();
    final LongAdder melts = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder ignored = new LongAdder();
    final LongAdder slowCalls = new LongAdder();
    final LongAdder windowedFailures = new LongAdder();
    private volatile long windowedCalls;
    private final LongAdder unsequencedCalls = new LongAdder();
    private volatile Snapshot baseline = new Snapshot(0, 0, 0, 0, 0);

    /** Takes the next position of the breaker-wide sequence of calls counted by count windows. */
    long nextWindowedCall() {
        return (long) WINDOWED_CALLS.getAndAdd(this, 1L);
    }

    /** Counts a call of a phase that has time windows only (no position needed). */
    void countWindowedCall() {
        unsequencedCalls.increment();
    }

    /** How many positions of the call sequence have been taken (the count windows' positions). */
    long sequence() {
        return windowedCalls;
    }

    /** The windowed calls before the call that took sequence position {@code position}. */
    long callsBefore(long position) {
        return position + unsequencedCalls.sum();
    }

    /** How many calls the sliding windows have counted, with or without a position. */
    long windowedCalls() {
        return windowedCalls + unsequencedCalls.sum();
    }

    /** The counts since the last {@link #restart()}. */
    Snapshot sinceRestart() {
        Snapshot now = absolute();
        Snapshot base = baseline;
        return new Snapshot(now.ok - base.ok, now.melts - base.melts, now.rejected - base.rejected,
                now.ignored - base.ignored, now.slowCalls - base.slowCalls);
    }

    /** Makes the counts start again from zero. */
    void restart() {
        baseline = absolute();
    }

    private Snapshot absolute() {
        long failuresInSequence = windowedFailures.sum();
        long sequence = windowedCalls();
        return new Snapshot(ok.sum() + sequence - failuresInSequence, melts.sum(), rejected.sum(), ignored.sum(),
                slowCalls.sum());
    }
}
