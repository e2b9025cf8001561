package dev.bulwark.time;

import java.time.Duration;

/**
 * Waits on the timeline of a {@link Clock}: blocks a thread for a while ({@link #sleep}) or runs
 * a task later ({@link #schedule}). The protection pipeline waits only through a timer, so a test
 * that uses a {@link ManualClock} (itself a timer) makes retries back off and timeouts fire by
 * advancing the clock, without any real waiting.
 *
 * <p>{@link #system()} waits in real time. Implementations must be thread-safe.
 */
public interface Timer {

    /**
     * Blocks the current thread for {@code nanos} nanoseconds of this timer's time.
     *
     * @throws InterruptedException     if the thread is interrupted before or while waiting
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Runs {@code task} once, {@code delayNanos} nanoseconds from now. The task runs on the
     * timer's own thread (or, for a {@link ManualClock}, on the thread that advances the clock):
     * it must be short and must not block; hand longer work to an executor.
     *
     * @return a handle that cancels the task if it has not run yet
     * @throws IllegalArgumentException if {@code delayNanos} is negative
     * @throws IllegalStateException    if the timer is closed
     */
    Scheduler.Task schedule(long delayNanos, Runnable task);

    /** {@link #sleep(long)} with a {@link Duration}. */
    default void sleep(Duration duration) throws InterruptedException {
        sleep(Durations.requireNonNegative("duration", duration).toNanos());
    }

    /**
     * A timer in real time on one shared daemon thread, for protections used without an
     * {@code Infrastructure} (an {@code Infrastructure} owns its own timer and stops it on close).
     */
    static Timer system() {
        return dev.bulwark.internal.SystemTimer.shared();
    }
}
