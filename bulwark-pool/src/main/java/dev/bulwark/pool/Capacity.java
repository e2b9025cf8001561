package dev.bulwark.pool;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The places of one pool (or one key of a keyed pool): {@code maxSize + maxOverflow} of them, and
 * the queue of callers waiting for one, in arrival order.
 *
 * <p><b>Handoff.</b> A place given back goes to the first waiter that is still waiting: the giver
 * moves the waiter from WAITING to GRANTED with one compare-and-set, under the lock. A waiter that
 * gives up (timeout, interrupt, close) moves itself from WAITING to its end state with the same
 * compare-and-set; if that fails, the place was already handed to it and it gives it back through
 * {@link #release()} (to the next waiter or the free count). So exactly one side owns a place at
 * any time and no place is ever lost, whichever of them is first.
 *
 * <p>Every change runs under one lock; the uncontended lock costs a few tens of nanoseconds, far
 * below the Commons Pool borrow it guards.
 */
final class Capacity {

    /** A caller waiting for a place. */
    static final class Waiter {
        static final int WAITING = 0;
        static final int GRANTED = 1;
        static final int TIMED_OUT = 2;
        static final int INTERRUPTED = 3;
        static final int CLOSED = 4;

        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final Thread thread = Thread.currentThread();

        /** Moves out of WAITING into {@code end}; false when another end came first. */
        boolean end(int end) {
            if (state.compareAndSet(WAITING, end)) {
                if (end != INTERRUPTED) {
                    LockSupport.unpark(thread);
                }
                return true;
            }
            return false;
        }

        int state() {
            return state.get();
        }

        /** Parks until the state leaves WAITING or the thread is interrupted (then it ends as INTERRUPTED). */
        int await() {
            while (state.get() == WAITING) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    end(INTERRUPTED);
                    Thread.currentThread().interrupt();
                }
            }
            return state.get();
        }
    }

    private final Object lock = new Object();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private final int places;
    private int free;
    private boolean closed;

    Capacity(int places) {
        this.places = places;
        this.free = places;
    }

    /** Takes a free place if one is free and nobody waits for one. */
    boolean tryAcquire() {
        synchronized (lock) {
            if (free > 0 && queue.isEmpty() && !closed) {
                free--;
                return true;
            }
            return false;
        }
    }

    /**
     * Takes a free place, or queues the caller: null when a place was taken at once, the queued
     * waiter otherwise.
     *
     * @throws WaitersFull when {@code maxWaiters} callers already wait
     */
    Waiter acquireOrEnqueue(int maxWaiters) throws WaitersFull {
        synchronized (lock) {
            if (free > 0 && queue.isEmpty()) {
                free--;
                return null;
            }
            if (queue.size() >= maxWaiters) {
                throw WaitersFull.INSTANCE;
            }
            Waiter waiter = new Waiter();
            if (closed) {
                waiter.end(Waiter.CLOSED);
                return waiter;
            }
            queue.addLast(waiter);
            return waiter;
        }
    }

    /** Takes {@code waiter} off the queue after it ended by itself (not GRANTED). */
    void forget(Waiter waiter) {
        synchronized (lock) {
            queue.remove(waiter);
        }
    }

    /** Gives a place back: to the first waiter still waiting, else to the free count. */
    void release() {
        synchronized (lock) {
            Waiter next;
            while ((next = queue.pollFirst()) != null) {
                if (next.end(Waiter.GRANTED)) {
                    return;
                }
            }
            if (free < places) {
                free++;
            }
        }
    }

    /** Ends every waiter with CLOSED; later acquisitions queue no one. */
    void close() {
        synchronized (lock) {
            closed = true;
            Waiter next;
            while ((next = queue.pollFirst()) != null) {
                next.end(Waiter.CLOSED);
            }
        }
    }

    int waiters() {
        synchronized (lock) {
            return queue.size();
        }
    }

    int free() {
        synchronized (lock) {
            return free;
        }
    }

    /** Thrown (preallocated, no stack) when the queue of waiters is full. */
    static final class WaitersFull extends Exception {
        static final WaitersFull INSTANCE = new WaitersFull();

        private WaitersFull() {
            super("waiters full", null, false, false);
        }
    }
}
