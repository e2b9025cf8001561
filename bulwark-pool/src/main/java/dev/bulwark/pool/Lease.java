package dev.bulwark.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One checkout of one resource ({@link Pool#checkout}): the resource is the caller's until the
 * lease is checked in ({@link #checkin()}, {@link Pool#checkin}) or invalidated
 * ({@link #invalidate()}). A lease ends once: checking it in a second time throws
 * {@link IllegalStateException} and changes nothing, so a resource is never given back twice
 * and never handed to two callers. {@link #close()} checks in a lease that is still out and does
 * nothing otherwise, so a lease fits try-with-resources.
 *
 * <p>Thread-safe: ending it from two threads at once ends it once.
 *
 * @param <T> the resource type
 */
public final class Lease<T> implements AutoCloseable {

    private final PoolRuntime<T> pool;
    final Entry<T> entry;
    final long checkedOutNanos;
    final Throwable checkedOutAt;
    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Lease.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set once, by {@link #markEnded} (a field, not an AtomicBoolean: one object less per checkout). */
    private volatile boolean ended;
    volatile boolean leakReported;

    Lease(PoolRuntime<T> pool, Entry<T> entry, long checkedOutNanos, Throwable checkedOutAt) {
        this.pool = pool;
        this.entry = entry;
        this.checkedOutNanos = checkedOutNanos;
        this.checkedOutAt = checkedOutAt;
    }

    /**
     * The resource.
     *
     * @throws IllegalStateException if the lease has ended
     */
    public T resource() {
        if (ended) {
            throw new IllegalStateException(this + " has ended: its resource is no longer the caller's");
        }
        return entry.resource;
    }

    /** Whether the lease is still out. */
    public boolean isActive() {
        return !ended;
    }

    /**
     * Gives the resource back to the pool.
     *
     * @throws IllegalStateException if the lease was already checked in or invalidated
     */
    public void checkin() {
        pool.end(this, false, null);
    }

    /**
     * Destroys the resource instead of giving it back (it is broken); its place in the pool is
     * free again.
     *
     * @throws IllegalStateException if the lease was already checked in or invalidated
     */
    public void invalidate() {
        pool.end(this, true, Reasons.INVALIDATED);
    }

    /** Checks the lease in if it is still out; does nothing otherwise. */
    @Override
    public void close() {
        if (!ended) {
            try {
                pool.end(this, false, null);
            } catch (IllegalStateException endedMeanwhile) {
                // another thread ended it between the check and the checkin: ended once, as wanted
            }
        }
    }

    /** Ends the lease; false when it had already ended. */
    boolean markEnded() {
        return ENDED.compareAndSet(this, false, true);
    }

    PoolRuntime<T> pool() {
        return pool;
    }

    @Override
    public String toString() {
        return "lease of " + entry;
    }
}
