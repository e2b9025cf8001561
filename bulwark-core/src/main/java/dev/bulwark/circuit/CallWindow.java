package dev.bulwark.circuit;

/**
 * The recent outcomes a rate policy looks at: how many calls, failures and slow calls. Outcomes are
 * recorded as a bit set ({@link #FAILURE}, {@link #SLOW}; 0 for a fast success).
 *
 * <p>Implementations are lock-free on the success path and exact when used from one thread; under
 * concurrency a reader may see a count that is off by the calls being recorded at that instant.
 */
abstract sealed class CallWindow permits CountWindow, TimeWindow {

    static final int FAILURE = 1;
    static final int SLOW = 2;

    /**
     * A window for {@code spec}, starting empty at {@code originNanos} and at position
     * {@code firstPosition} of the breaker's call sequence.
     */
    static CallWindow of(SlidingWindow spec, Counters counters, long firstPosition, long originNanos) {
        return spec.isCountBased()
                ? new CountWindow(spec.calls(), counters, firstPosition)
                : new TimeWindow(spec.duration().toNanos(), counters, firstPosition, originNanos);
    }

    /**
     * Records the outcome of the call that took {@code position} in the call sequence, at {@code now}.
     *
     * @return whether the window now holds any failure or slow call (only then can a rate policy fire)
     */
    abstract boolean record(long position, long now, int outcome);

    /** Brings a time window up to {@code now}, so that old outcomes leave it; no-op for count windows. */
    abstract void advance(long now);

    /** Calls in the window. */
    abstract long calls();

    /** Failed calls in the window. */
    abstract long failures();

    /** Slow calls in the window. */
    abstract long slowCalls();
}
