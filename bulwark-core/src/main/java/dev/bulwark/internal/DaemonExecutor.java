package dev.bulwark.internal;

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
}
