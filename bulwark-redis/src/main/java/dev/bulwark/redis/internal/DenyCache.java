package dev.bulwark.redis.internal;

import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.RateLimit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Remembers, for a bounded number of keys, that a request is known to be denied until a given
 * time, so that a hot abusive key does not cost a Redis round trip per request.
 *
 * <p><b>Why the answers stay correct.</b> Only a denial of a request of cost 1 whose deciding rule
 * had nothing left ({@code remaining == 0}) is remembered. With no reset in between, the state of a
 * key only becomes more permissive as time passes, and the script's {@code retryAfter} is the exact
 * time at which one unit becomes available; until then, any request of cost 1 with the same rules
 * would be denied again, with {@code remaining} still 0, the same deciding rule, and the same
 * instants of admission and reset. The cache answers exactly that decision, with {@code retryAfter}
 * and {@code resetAfter} shortened by the time elapsed. Other clients cannot make an earlier
 * admission possible, because nothing of cost ≥ 1 is admitted while the key is denied; the one
 * exception is a {@code reset} issued through <em>another</em> store, which this cache sees only
 * once the remembered denial runs out (a reset through this store clears its entries at once).
 *
 * <p>The deadline is computed from the time the request was <em>sent</em>: in server-time mode the
 * server decided at or after that instant, so the local deadline is never later than the real one.
 *
 * <p><b>Structure.</b> A direct-mapped table of {@code capacity} slots (a power of two): each key
 * hashes to one slot and a newer denial replaces whatever was there. Lookups and inserts are one
 * volatile array access, need no lock and no sweep; a lost entry costs one round trip.
 *
 * <p>Thread-safe.
 */
public final class DenyCache {

    private record Denial(String key, List<RateLimit> limits, long deniedUntilNanos, long resetUntilNanos,
                          Decision decision) {
    }

    private final AtomicReferenceArray<Denial> slots;
    private final int mask;

    /**
     * @param capacity how many keys it may remember; rounded up to a power of two; must be positive
     */
    public DenyCache(int capacity) {
        if (capacity <= 0 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("deny cache capacity must be in [1, 16777216], was " + capacity);
        }
        int size = Integer.highestOneBit(capacity - 1) << 1;
        if (capacity == 1) {
            size = 1;
        }
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    /** The number of slots. */
    public int capacity() {
        return slots.length();
    }

    /** Whether a Redis decision may be remembered (see the class comment). */
    public static boolean isCacheable(Decision decision, long cost) {
        return !decision.allowed() && cost == 1 && decision.remaining() == 0 && decision.retryAfterNanos() > 0;
    }

    /**
     * Remembers a denial decided by Redis for a request sent at {@code sentAtNanos}.
     * Does nothing if the decision is not {@link #isCacheable cacheable}.
     */
    public void remember(String key, List<RateLimit> limits, long cost, long sentAtNanos, Decision decision) {
        if (!isCacheable(decision, cost)) {
            return;
        }
        slots.set(slot(key), new Denial(key, limits,
                saturatedAdd(sentAtNanos, decision.retryAfterNanos()),
                saturatedAdd(sentAtNanos, decision.resetAfterNanos()), decision));
    }

    /**
     * The remembered denial for a request of {@code cost} on {@code key} with {@code limits} at
     * {@code nowNanos}, or null when none applies (not remembered, other cost or rules, or expired).
     */
    public Decision lookup(String key, List<RateLimit> limits, long cost, long nowNanos) {
        if (cost != 1) {
            return null;
        }
        int slot = slot(key);
        Denial d = slots.get(slot);
        if (d == null || !d.key.equals(key) || !d.limits.equals(limits)) {
            return null;
        }
        long retryAfter = d.deniedUntilNanos - nowNanos;
        if (retryAfter <= 0) {
            slots.compareAndSet(slot, d, null);
            return null;
        }
        Decision was = d.decision;
        return Decision.denied(was.rule(), was.remaining(),
                was.retryAfterNanos() == Decision.NEVER ? Decision.NEVER : retryAfter,
                Math.max(0, d.resetUntilNanos - nowNanos));
    }

    /** Forgets every denial remembered for {@code key} (after a reset through this store). */
    public void forget(String key) {
        int slot = slot(key);
        Denial d = slots.get(slot);
        if (d != null && d.key.equals(key)) {
            slots.compareAndSet(slot, d, null);
        }
    }

    /** How many slots hold a denial (expired or not); O(capacity), for status reports. */
    public int occupied() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    private int slot(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
