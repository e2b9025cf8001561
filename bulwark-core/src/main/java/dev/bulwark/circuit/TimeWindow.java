package dev.bulwark.circuit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outcomes of the last T, kept as {@link SlidingWindow#SLICES} slices of {@code T / SLICES}
 * aligned to the window's origin.
 *
 * <p><b>Design.</b> The window keeps three cumulative counters (calls, failures, slow calls; the
 * calls are the breaker's call sequence, see {@link Counters}) and, for each recent slice, the
 * counters' values when that slice began. The window's content is the
 * counters minus their values at the start of the oldest slice still in the window: O(1) to read,
 * one atomic increment to record a fast success. Moving to a new slice (once per slice, by the
 * first call that sees its end passed) takes a lock, stores the snapshots, then publishes the new
 * slice through a volatile write; readers never see a half-written slice.
 */
final class TimeWindow extends CallWindow {

    private static final VarHandle FAILURES;
    private static final VarHandle SLOW_CALLS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FAILURES = lookup.findVarHandle(TimeWindow.class, "totalFailures", long.class);
            SLOW_CALLS = lookup.findVarHandle(TimeWindow.class, "totalSlowCalls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SLICES = SlidingWindow.SLICES;
    private static final int RING = SLICES + 1;

    private final Counters counters;
    private final long firstPosition;
    private final long origin;
    private final long sliceNanos;
    private final long[] callsAtSliceStart = new long[RING];
    private final long[] failuresAtSliceStart = new long[RING];
    private final long[] slowCallsAtSliceStart = new long[RING];
    private volatile long currentSlice;
    private volatile long currentSliceEnd;
    private volatile long totalFailures;
    private volatile long totalSlowCalls;

    TimeWindow(long durationNanos, Counters counters, long firstPosition, long origin) {
        this.counters = counters;
        this.firstPosition = firstPosition;
        this.origin = origin;
        this.sliceNanos = Math.max(1L, durationNanos / SLICES);
        this.currentSliceEnd = origin + sliceNanos;
    }

    @Override
    boolean record(long position, long now, int outcome) {
        if (now - currentSliceEnd >= 0) {
            // with a position, the calls before this one exactly; without, those counted so far
            roll(now, position >= 0 ? counters.callsBefore(position) : counters.windowedCalls());
        }
        if ((outcome & FAILURE) != 0) {
            FAILURES.getAndAdd(this, 1L);
        }
        if ((outcome & SLOW) != 0) {
            SLOW_CALLS.getAndAdd(this, 1L);
        }
        long failures = totalFailures;
        long slowCalls = totalSlowCalls;
        if (failures == 0 && slowCalls == 0) {
            return false; // the steady state of a healthy dependency: nothing to look up
        }
        int i = oldestSliceIndex();
        return i < 0
                ? failures > 0 || slowCalls > 0
                : failures > failuresAtSliceStart[i] || slowCalls > slowCallsAtSliceStart[i];
    }

    @Override
    void advance(long now) {
        if (now - currentSliceEnd >= 0) {
            roll(now, counters.windowedCalls());
        }
    }

    /** Moves to the slice of {@code now}; the {@code callsBefore} first calls of the sequence belong to earlier slices. */
    private synchronized void roll(long now, long callsBefore) {
        long target = (now - origin) / sliceNanos;
        long current = currentSlice;
        if (target <= current) {
            return;
        }
        long calls = callsBefore;
        long failures = totalFailures;
        long slowCalls = totalSlowCalls;
        for (long slice = Math.max(current + 1, target - SLICES); slice <= target; slice++) {
            int i = (int) (slice % RING);
            callsAtSliceStart[i] = calls;
            failuresAtSliceStart[i] = failures;
            slowCallsAtSliceStart[i] = slowCalls;
        }
        currentSlice = target;
        currentSliceEnd = origin + (target + 1) * sliceNanos;
    }

    /** The ring index of the oldest slice in the window, or -1 when the window reaches back to the origin. */
    private int oldestSliceIndex() {
        long oldest = currentSlice - SLICES + 1;
        return oldest <= 0 ? -1 : (int) (oldest % RING);
    }

    @Override
    long calls() {
        int i = oldestSliceIndex();
        return counters.windowedCalls() - (i < 0 ? firstPosition : callsAtSliceStart[i]);
    }

    @Override
    long failures() {
        int i = oldestSliceIndex();
        return totalFailures - (i < 0 ? 0 : failuresAtSliceStart[i]);
    }

    @Override
    long slowCalls() {
        int i = oldestSliceIndex();
        return totalSlowCalls - (i < 0 ? 0 : slowCallsAtSliceStart[i]);
    }
}
