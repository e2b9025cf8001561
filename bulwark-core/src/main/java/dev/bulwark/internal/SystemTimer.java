package dev.bulwark.internal;

import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Timer} in real time: one daemon thread (an {@link ExecutorScheduler} of its own, apart
 * from the sweep scheduler so that a long sweep never delays a timeout) runs the scheduled tasks —
 * timeouts firing, retries becoming due. Cancelled tasks are removed at once, so the many timeouts
 * of calls that finish in time do not pile up in the queue.
 *
 * <p><b>Closing.</b> {@link #close()} stops the thread and then runs, on the closing thread, every
 * task still pending, at once: whoever waits on one (a caller held by a timeout, a bulkhead waiter,
 * a retry waiting for its next attempt) is woken and, its context being closed by then, ends with
 * 2102 instead of being stranded. Scheduling on a closed timer throws {@link IllegalStateException}.
 */
public final class SystemTimer implements Timer, AutoCloseable {

    private static final class Shared {
        static final SystemTimer INSTANCE = new SystemTimer();
    }

    private final ExecutorScheduler scheduler = new ExecutorScheduler("bulwark-timer");
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

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
        Pending p = new Pending(task);
        pending.add(p);
        try {
            if (closed) {
                throw new IllegalStateException("timer is closed");
            }
            p.scheduled = scheduler.scheduleNanos("timer", delayNanos, p);
        } catch (RuntimeException e) {
            pending.remove(p);
            throw e;
        }
        return p;
    }

    /**
     * Stops the timer thread (waiting up to 5 s for it to end), then runs the tasks that had not run
     * yet, on this thread. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.close();
        for (Pending p : pending) {
            try {
                p.run();
            } catch (RuntimeException e) {
                System.getLogger(SystemTimer.class.getName())
                        .log(System.Logger.Level.WARNING, "a timer task failed while the timer closed", e);
            }
        }
    }

    /** A task not yet run nor cancelled; it runs once, on the timer thread or at close. */
    private final class Pending implements Runnable, Scheduler.Task {
        private final Runnable task;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile boolean cancelled;
        volatile Scheduler.Task scheduled;

        Pending(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                pending.remove(this);
                task.run();
            }
        }

        @Override
        public void cancel() {
            if (done.compareAndSet(false, true)) {
                cancelled = true;
                pending.remove(this);
                Scheduler.Task s = scheduled;
                if (s != null) {
                    s.cancel();
                }
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
