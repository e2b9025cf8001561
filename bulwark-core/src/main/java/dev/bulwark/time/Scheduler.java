package dev.bulwark.time;

import java.time.Duration;

/**
 * Runs background work for Bulwark components: sweeps of idle keys, timers. The
 * {@code Infrastructure} owns one scheduler backed by a single daemon thread; a task that throws
 * is logged and keeps its schedule.
 *
 * <p>Delays are real (wall) time, not the injected {@link Clock}: tests drive components'
 * time-dependent behaviour through the clock and call maintenance methods directly rather than
 * waiting for the scheduler. Thread-safe.
 */
public interface Scheduler {

    /** A scheduled task; cancelling it stops later runs. */
    interface Task {
        void cancel();

        boolean isCancelled();
    }

    /**
     * Runs {@code task} every {@code period}, first after one period.
     *
     * @throws IllegalArgumentException if {@code period} is not positive
     * @throws IllegalStateException    if the scheduler is closed
     */
    Task scheduleAtFixedRate(String name, Duration period, Runnable task);

    /**
     * Runs {@code task} once after {@code delay}.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException    if the scheduler is closed
     */
    Task schedule(String name, Duration delay, Runnable task);
}
