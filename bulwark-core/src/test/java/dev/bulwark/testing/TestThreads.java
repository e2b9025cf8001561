package dev.bulwark.testing;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the concurrency tests. With {@code -Dbulwark.virtualThreads=true} (on JDK 21 or
 * later) every executor runs its tasks on virtual threads, created through reflection so that the
 * code still compiles for release 17; otherwise on platform daemon threads.
 */
public final class TestThreads {

    /** The system property that switches the tests to virtual threads. */
    public static final String PROPERTY = "bulwark.virtualThreads";

    private static final AtomicInteger POOLS = new AtomicInteger();

    private TestThreads() {
    }

    /** Whether the tests run on virtual threads. */
    public static boolean virtual() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** A new executor with one thread per task (virtual) or a cached pool of daemon threads. */
    public static ExecutorService newExecutor() {
        if (virtual()) {
            try {
                Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
                return (ExecutorService) m.invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("-D" + PROPERTY + "=true needs JDK 21 or later, running on "
                        + System.getProperty("java.version"), e);
            }
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "test-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return Executors.newCachedThreadPool(factory);
    }

    /** Whether {@code thread} is a virtual thread (false before JDK 21). */
    public static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
