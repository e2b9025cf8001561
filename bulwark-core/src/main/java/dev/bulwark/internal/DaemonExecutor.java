package dev.bulwark.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors of daemon threads for the pipeline: calls run under a timeout, and asynchronous
 * retries resume on them. Unbounded on purpose: a bulkhead, not the executor, bounds concurrency,
 * and a call abandoned after its timeout must not starve the ones that follow. Idle threads end
 * after a minute.
 */
public final class DaemonExecutor {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private static final class Shared {
        static final ExecutorService INSTANCE = create("bulwark-pipeline-shared");
    }

    private DaemonExecutor() {
    }

    /** The executor of protections used without an {@code Infrastructure}; never shut down. */
    public static ExecutorService shared() {
        return Shared.INSTANCE;
    }

    /** A new cached pool of daemon threads named {@code <prefix>-<pool>-<thread>}. */
    public static ExecutorService create(String prefix) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, prefix + "-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A new cached pool of daemon threads, owned by whoever closes it: {@link Owned#close()} stops
     * it and waits (at most 5 s) until its threads have ended, so that an {@code Infrastructure}
     * leaves no thread behind.
     */
    public static Owned createOwned(String prefix) {
        return new Owned(prefix);
    }

    /** A pool of daemon threads whose {@link #close()} interrupts its tasks and waits for its threads. */
    public static final class Owned implements java.util.concurrent.Executor, AutoCloseable {
        private final ThreadPoolExecutor pool;
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        private Owned(String prefix) {
            int number = POOLS.incrementAndGet();
            AtomicInteger count = new AtomicInteger();
            this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, prefix + "-" + number + "-" + count.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
                return t;
            });
        }

        @Override
        public void execute(Runnable command) {
            pool.execute(command);
        }

        /** Interrupts running tasks and waits, at most 5 s in all, until every thread has ended. Idempotent. */
        @Override
        public void close() {
            pool.shutdownNow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
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

        @Override
        public String toString() {
            return "DaemonExecutor.Owned[" + pool + "]";
        }
    }
}
