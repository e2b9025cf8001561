package dev.bulwark.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The resources of one pool, or of one key of a keyed pool: its places ({@link Capacity}), its
 * idle resources in Commons Pool, and the counts Bulwark keeps for them.
 */
abstract class Lane<T> {
    final Capacity capacity;
    final int maxSize;
    /** Resources created and not yet destroyed (idle, active, or under an eviction test). */
    final AtomicInteger alive = new AtomicInteger();
    /** Resources checked out now (striped: every checkout and checkin counts, only status reads it). */
    final LongAdder active = new LongAdder();

    Lane(int maxSize, int maxOverflow) {
        this.maxSize = maxSize;
        this.capacity = new Capacity(maxSize + maxOverflow);
    }

    /** An idle resource, or a new one; validated on borrow when configured (Commons Pool does that). */
    abstract Entry<T> borrow() throws Exception;

    /** Gives a resource back to Commons Pool's idle resources (destroyed there if the pool is closed). */
    abstract void giveBack(Entry<T> entry) throws Exception;

    /** Destroys a checked-out resource. */
    abstract void invalidate(Entry<T> entry) throws Exception;

    /** Idle resources now. */
    abstract int idle();

    abstract T create() throws Exception;

    abstract boolean validate(T resource) throws Exception;

    abstract void destroy(T resource) throws Exception;

    int active() {
        return (int) active.sum();
    }

    int overflow() {
        return Math.max(0, alive.get() - maxSize);
    }
}
