package dev.bulwark.internal;

import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} in real time: one daemon thread (an {@link ExecutorScheduler} of its own, apart
 * from the sweep scheduler so that a long sweep never delays a timeout) runs the scheduled tasks —
 * timeouts firing, retries becoming due. Cancelled tasks are removed at once, so the many timeouts
 * of calls that finish in time do not pile up in the queue.
 */
public final class SystemTimer implements Timer, AutoCloseable {

    private static final class Shared {
        static final SystemTimer INSTANCE = new SystemTimer();
    }

    private final ExecutorScheduler scheduler = new ExecutorScheduler("bulwark-timer");

    /** The timer of protections used without an {@code Infrastructure}; never closed. */
    public static SystemTimer shared() {
        return Shared.INSTANCE;
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (nanos < 0) {
            throw new IllegalArgumentException("sleep time must be >= 0 ns, was " + nanos);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        TimeUnit.NANOSECONDS.sleep(nanos);
    }

    @Override
    public Scheduler.Task schedule(long delayNanos, Runnable task) {
        return scheduler.scheduleNanos("timer", delayNanos, task);
    }

    /** Stops the timer thread (waiting up to 5 s for it to end); tasks not yet run are dropped. Idempotent. */
    @Override
    public void close() {
        scheduler.close();
    }
}
