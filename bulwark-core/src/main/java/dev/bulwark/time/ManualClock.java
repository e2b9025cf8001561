package dev.bulwark.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for tests: {@code advance(Duration.ofSeconds(60))}
 * makes a minute pass for every component built on it, instantly and deterministically.
 *
 * <p>Monotonic time starts at an arbitrary non-zero value (so code cannot assume zero) and wall
 * time at a fixed instant; both move together.
 *
 * <p><b>As a {@link Timer}.</b> A manual clock is also the timer of the components built on it:
 * {@link #schedule} queues a task at a point of the clock's time, and {@link #advance} runs every
 * task that falls due, in order of due time (ties in order of scheduling), with the clock set to
 * the task's due time while it runs; the clock then ends at the requested time. Tasks run on
 * the thread that advances the clock, and may schedule further tasks or advance the clock
 * themselves. {@link #sleep} is an advance: a thread that "sleeps" on a manual clock makes that
 * much time pass at once. So a retry backs off and a timeout fires without any real waiting, and
 * a single-threaded test sees them happen in a reproducible order.
 *
 * <p>Concurrent advances add up (two threads advancing 1 ms each move the clock by 2 ms).
 * Thread-safe.
 */
public final class ManualClock implements Clock, Timer {

    /** The default start of wall time: 2025-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private static final long NANO_ORIGIN = 1_000_000_000_000L;

    private final AtomicLong elapsedNanos = new AtomicLong();
    /** Where the advances requested so far will leave the clock; elapsedNanos catches up with it. */
    private final AtomicLong horizonNanos = new AtomicLong();
    private final long wallStartMillis;
    private final Object lock = new Object();
    private final PriorityQueue<ScheduledTask> tasks = new PriorityQueue<>();
    private long sequence;

    /** A clock whose wall time starts at {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /** A clock whose wall time starts at {@code wallStart}. */
    public ManualClock(Instant wallStart) {
        this.wallStartMillis = Objects.requireNonNull(wallStart, "wallStart").toEpochMilli();
    }

    @Override
    public long nanoTime() {
        return NANO_ORIGIN + elapsedNanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return wallStartMillis + elapsedNanos.get() / 1_000_000L;
    }

    /**
     * Moves time forward, running the scheduled tasks that fall due on the way.
     *
     * <p>The clock counts at most {@link Long#MAX_VALUE} nanoseconds (about 292 years) from its
     * creation: an advance beyond that is refused with an {@link IllegalArgumentException} and
     * leaves the clock where it was (time never wraps around or goes back).
     *
     * @throws NullPointerException     if {@code amount} is null
     * @throws IllegalArgumentException if {@code amount} is negative (monotonic time never goes back),
     *                                  or would take the clock past {@link Long#MAX_VALUE} nanoseconds
     */
    public ManualClock advance(Duration amount) {
        if (amount == null) {
            throw new NullPointerException("amount must not be null");
        }
        long nanos;
        try {
            nanos = amount.toNanos();
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException("amount does not fit in a long of nanoseconds, was " + amount);
        }
        return advanceNanos(nanos);
    }

    /** Moves time forward by {@code millis} milliseconds (see {@link #advance}). */
    public ManualClock advanceMillis(long millis) {
        if (millis > Long.MAX_VALUE / 1_000_000L) {
            throw new IllegalArgumentException("millis does not fit in a long of nanoseconds, was " + millis);
        }
        return advanceNanos(millis * 1_000_000L);
    }

    /** Moves time forward by {@code nanos} nanoseconds (see {@link #advance}). */
    public ManualClock advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a clock cannot go back: amount was " + nanos + " ns");
        }
        long target;
        while (true) {
            long horizon = horizonNanos.get();
            if (nanos > Long.MAX_VALUE - horizon) {
                throw new IllegalArgumentException("advancing by " + nanos + " ns would take the clock past "
                        + Long.MAX_VALUE + " ns since its creation (it is at " + horizon + " ns)");
            }
            if (horizonNanos.compareAndSet(horizon, horizon + nanos)) {
                target = horizon + nanos;
                break;
            }
        }
        while (true) {
            ScheduledTask due;
            synchronized (lock) {
                due = tasks.peek();
                if (due == null || due.dueNanos > target) {
                    raiseTo(target);
                    return this;
                }
                tasks.poll();
                raiseTo(due.dueNanos);
            }
            if (!due.cancelled) {
                due.task.run();
            }
        }
    }

    /** Time elapsed since this clock was created. */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos.get());
    }

    /** A manual clock's sleep makes {@code nanos} pass at once (see {@link #advanceNanos}). */
    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (nanos < 0) {
            throw new IllegalArgumentException("sleep time must be >= 0 ns, was " + nanos);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        advanceNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /**
     * Queues {@code task} to run when the clock reaches now + {@code delayNanos}; a task due now
     * runs at the next advance (even an advance by zero).
     */
    @Override
    public Scheduler.Task schedule(long delayNanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay must be >= 0 ns, was " + delayNanos);
        }
        synchronized (lock) {
            long now = elapsedNanos.get();
            long due = delayNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayNanos; // saturates: never due
            ScheduledTask scheduled = new ScheduledTask(due, sequence++, task);
            tasks.add(scheduled);
            return scheduled;
        }
    }

    /** How many scheduled tasks have neither run nor been cancelled. */
    public int pendingTasks() {
        synchronized (lock) {
            return tasks.size();
        }
    }

    /**
     * Advances the clock to the due time of the next scheduled task and runs it (and any other
     * task due at that same time).
     *
     * @return false if no task was scheduled (the clock did not move)
     */
    public boolean advanceToNextTask() {
        long wait;
        synchronized (lock) {
            ScheduledTask next = tasks.peek();
            if (next == null) {
                return false;
            }
            wait = Math.max(0, next.dueNanos - elapsedNanos.get());
        }
        advanceNanos(wait);
        return true;
    }

    @Override
    public String toString() {
        return "ManualClock[elapsed=" + elapsed() + "]";
    }

    private void raiseTo(long nanos) {
        elapsedNanos.accumulateAndGet(nanos, Math::max);
        horizonNanos.accumulateAndGet(nanos, Math::max);
    }

    private final class ScheduledTask implements Scheduler.Task, Comparable<ScheduledTask> {
        final long dueNanos;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        ScheduledTask(long dueNanos, long seq, Runnable task) {
            this.dueNanos = dueNanos;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
            synchronized (lock) {
                tasks.remove(this);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public int compareTo(ScheduledTask o) {
            int byTime = Long.compare(dueNanos, o.dueNanos);
            return byTime != 0 ? byTime : Long.compare(seq, o.seq);
        }
    }
}
