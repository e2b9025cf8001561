package dev.bulwark.internal;

import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link Scheduler} of one {@code Infrastructure}: one daemon thread, created with the
 * scheduler and ended by {@link #close()}. Each task is wrapped so that an exception is logged
 * and counted instead of cancelling its periodic schedule (the JDK's default).
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ExecutorScheduler.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;
    private final LongAdder failures = new LongAdder();
    /** Every thread the executor created, so that close can wait until they have really ended. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /** A scheduler whose thread is named {@code bulwark-scheduler-<n>}. */
    public ExecutorScheduler() {
        this("bulwark-scheduler");
    }

    /** A scheduler whose thread is named {@code <threadNamePrefix>-<n>}. */
    public ExecutorScheduler(String threadNamePrefix) {
        String threadName = threadNamePrefix + "-" + INSTANCES.incrementAndGet();
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Task scheduleAtFixedRate(String name, Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (period == null || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period of task '" + name + "' must be positive, was " + period);
        }
        long nanos = period.toNanos();
        return submit(name, () -> executor.scheduleAtFixedRate(guarded(name, task), nanos, nanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public Task schedule(String name, Duration delay, Runnable task) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay of task '" + name + "' must be >= 0, was " + delay);
        }
        return scheduleNanos(name, delay.toNanos(), task);
    }

    /**
     * Runs {@code task} once after {@code delayNanos} nanoseconds (the allocation-light form of
     * {@link #schedule(String, Duration, Runnable)} for timers).
     *
     * @throws IllegalArgumentException if {@code delayNanos} is negative
     * @throws IllegalStateException    if the scheduler is closed
     */
    public Task scheduleNanos(String name, long delayNanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay of task '" + name + "' must be >= 0 ns, was " + delayNanos);
        }
        return submit(name, () -> executor.schedule(guarded(name, task), delayNanos, TimeUnit.NANOSECONDS));
    }

    /** Tasks that threw since the scheduler started. */
    public long failures() {
        return failures.sum();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /**
     * Stops the thread; running tasks get up to 5 seconds to finish, and the call returns once the
     * thread has ended (the executor reports termination a moment before its worker exits).
     * Idempotent.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "scheduler thread did not stop within 5 s");
                return;
            }
            for (Thread t : threads) {
                long left = deadline - System.nanoTime();
                if (t != Thread.currentThread() && left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Task submit(String name, java.util.function.Supplier<ScheduledFuture<?>> scheduling) {
        try {
            ScheduledFuture<?> future = scheduling.get();
            return new Task() {
                @Override
                public void cancel() {
                    future.cancel(false);
                }

                @Override
                public boolean isCancelled() {
                    return future.isCancelled();
                }
            };
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("scheduler is closed; cannot schedule '" + name + "'", e);
        }
    }

    private Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                failures.increment();
                // no parameters, so the message is not a MessageFormat pattern: quotes are written as they are
                LOG.log(System.Logger.Level.WARNING, "scheduled task '" + name + "' failed; it keeps its schedule", t);
            }
        };
    }
}
