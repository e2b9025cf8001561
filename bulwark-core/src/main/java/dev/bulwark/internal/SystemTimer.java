package dev.bulwark.internal;

import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Timer} in real time: one daemon thread runs the scheduled tasks (timeouts firing,
 * retries becoming due); cancelled tasks are removed at once, so the many timeouts of calls that
 * finish in time do not pile up in the queue.
 */
public final class SystemTimer implements Timer, AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final class Shared {
        static final SystemTimer INSTANCE = new SystemTimer();
    }

    private final ScheduledThreadPoolExecutor executor;

    public SystemTimer() {
        String threadName = "bulwark-timer-" + INSTANCES.incrementAndGet();
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

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
        Objects.requireNonNull(task, "task");
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay must be >= 0 ns, was " + delayNanos);
        }
        ScheduledFuture<?> future;
        try {
            future = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("timer is closed", e);
        }
        return new Scheduler.Task() {
            @Override
            public void cancel() {
                future.cancel(false);
            }

            @Override
            public boolean isCancelled() {
                return future.isCancelled();
            }
        };
    }

    /** Stops the timer thread (waiting up to 5 s for it to end); tasks not yet run are dropped. Idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
