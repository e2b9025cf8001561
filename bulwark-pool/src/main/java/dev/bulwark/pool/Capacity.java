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
 * <p>The common case, a free place and nobody waiting, takes no lock: one compare-and-set to
 * take the place, one increment to give it back. The queue and the handoff run under one lock.
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
    /** Free places; taken by compare-and-set, given back by increment. */
    private final AtomicInteger free;
    /** Waiters in the queue: changed under the lock, read without it. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private boolean closed;

    Capacity(int places) {
        this.free = new AtomicInteger(places);
    }

    /**
     * Takes a free place if nobody waits for one: lock-free (one read, one compare-and-set). A caller
     * may overtake a waiter that is queueing at this very instant; that waiter then has the next
     * place given back, so nobody is left waiting while a place is free (see {@link #release()}).
     */
    boolean tryAcquire() {
        return waiting.get() == 0 && takeFree();
    }

    private boolean takeFree() {
        for (;;) {
            int f = free.get();
            if (f <= 0) {
                return false;
            }
            if (free.compareAndSet(f, f - 1)) {
                return true;
            }
        }
    }

    /**
     * Takes a free place, or queues the caller: null when a place is the caller's at once, the
     * queued waiter otherwise.
     *
     * @throws WaitersFull when {@code maxWaiters} callers already wait
     */
    Waiter acquireOrEnqueue(int maxWaiters) throws WaitersFull {
        synchronized (lock) {
            if (queue.isEmpty() && takeFree()) {
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
            waiting.incrementAndGet();
            // a release that saw no waiter may have freed a place since: hand it over now
            handOff();
            return waiter.state() == Waiter.GRANTED ? null : waiter;
        }
    }

    /** Takes {@code waiter} off the queue after it ended by itself (not GRANTED). */
    void forget(Waiter waiter) {
        synchronized (lock) {
            if (queue.remove(waiter)) {
                waiting.decrementAndGet();
            }
        }
    }

    /**
     * Gives a place back: to the first waiter still waiting, else to the free places. The place is
     * freed first, then the waiters are looked at; a queueing caller counts itself first, then looks
     * at the free places. So one of the two always sees the other: no place stays free while
     * someone waits.
     */
    void release() {
        free.incrementAndGet();
        if (waiting.get() != 0) {
            synchronized (lock) {
                handOff();
            }
        }
    }

    /** Under the lock: grants free places to the waiters at the head that still wait. */
    private void handOff() {
        Waiter head;
        while ((head = queue.peekFirst()) != null) {
            if (head.state() != Waiter.WAITING) {
                queue.pollFirst(); // gave up (timeout, interrupt): it is not owed anything
                waiting.decrementAndGet();
                continue;
            }
            if (!takeFree()) {
                return;
            }
            queue.pollFirst();
            waiting.decrementAndGet();
            if (!head.end(Waiter.GRANTED)) {
                free.incrementAndGet(); // it gave up at this very instant: the place goes on to the next
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
            waiting.set(0);
        }
    }

    /** Callers waiting now (one that just gave up counts until it has left the queue). */
    int waiters() {
        return waiting.get();
    }

    int free() {
        return free.get();
    }

    /** Thrown (preallocated, no stack) when the queue of waiters is full. */
    static final class WaitersFull extends Exception {
        static final WaitersFull INSTANCE = new WaitersFull();

        private WaitersFull() {
            super("waiters full", null, false, false);
        }
    }
}
