package dev.bulwark.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The states of one rule (one {@link RuleKernel}) for every key, in open-addressing hash tables
 * over primitive arrays.
 *
 * <h2>Layout</h2>
 * The table is split into {@value #SEGMENTS} segments by the low bits of the key's hash. A segment
 * holds a {@link Slots}: per slot one {@code int} control word, two references (entity id and
 * operation; the caller's strings, not copies) and {@code stride} state words. With compressed
 * references a sliding-window slot takes 4 + 8 + 16 = 28 bytes; segments grow to a load of one
 * half when they pass three quarters, so a live key costs 37 to 56 bytes.
 *
 * <h2>Concurrency</h2>
 * The control word of a slot is {@code hash bits 31..3 | LOCK | kind} where kind is EMPTY, FULL,
 * TOMBSTONE or MOVED. Finding an existing key takes no shared lock: probe reading control words
 * with acquire semantics; a FULL slot with the key's hash bits is locked (a CAS sets its LOCK bit,
 * a release store clears it) and only then are its keys compared, once: keys change only under
 * the slot lock, so the comparison cannot be invalidated by a removal and reuse of the slot
 * meanwhile. A slot of another key with the same hash bits is unlocked again and the probe goes
 * on. The holder of a slot lock never runs user code or allocates, so holds are a few tens of
 * nanoseconds. Anything that changes which key a slot holds (insert, removal by sweep or reset,
 * rehash) runs under the segment's {@link ReentrantLock}; removal and rehash also take the slot
 * lock, so a state is never moved or dropped while an update holds it. A rehash marks every old
 * slot MOVED before publishing the new arrays (volatile access to {@code slotsBySegment}); a
 * reader meeting MOVED waits on the segment lock and retries.
 *
 * <p>Lock order, which keeps multi-rule acquisition free of deadlock: a thread holding locks of
 * tables with smaller rule ids may take this table's locks; within a table, the segment lock
 * comes before slot locks, and a slot-lock holder never waits for its own table's segment lock.
 *
 * <h2>Bounds</h2>
 * Inserting asks the store's {@link KeyBudget}; when it refuses, the budget takes one bounded
 * reclaiming step ({@link #sweepStep}: at most {@value KeyBudget#RECLAIM_STEP_SLOTS} slots, at most
 * once per millisecond of store time, skipping busy segments) and asks the store's background
 * executor for a full sweep, then asks again. A caller's thread never sweeps a whole segment or the
 * whole store. A key whose hash bits collide with {@value #MAX_SAME_HASH} others in its probe run is
 * refused too, so crafted {@code String.hashCode} collisions cannot turn lookups into long scans.
 */
final class KeyTable {

    static final int SEGMENTS = 64;
    static final int MAX_SAME_HASH = 8;
    private static final int MIN_CAPACITY = 4;

    /** Why a new key was refused (in {@link SlotRef#refusal}). */
    static final int NOT_REFUSED = 0;
    static final int REFUSED_AT_BOUND = 1;
    static final int REFUSED_FLOOD = 2;

    private static final int EMPTY = 0;
    private static final int FULL = 1;
    private static final int TOMBSTONE = 2;
    private static final int MOVED = 3;
    private static final int KIND = 3;
    private static final int LOCK = 4;
    private static final int HASH_BITS = ~7;

    /** Results of a lock-free probe. */
    private static final int ABSENT = -1;
    private static final int RELOCATING = -2;

    private static final VarHandle CTRL = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Slots[].class);

    final RuleKernel kernel;
    private final KeyBudget budget;
    /**
     * The current arrays of each segment, published by {@link #rehash} (volatile access through
     * {@link #SLOTS}). Kept apart from {@link Segment} so that the lock-free path reaches a key's
     * control word with one reference fewer.
     */
    private final Slots[] slotsBySegment = new Slots[SEGMENTS];
    /** Each segment's lock and counters, used by inserts, removals and resizes only. */
    private final Segment[] segments = new Segment[SEGMENTS];
    /** Where the next bounded reclaiming step starts; used by one stepper at a time (see {@link KeyBudget#reclaim}). */
    private int stepSegment;
    private int stepSlot;

    KeyTable(RuleKernel kernel, KeyBudget budget) {
        this.kernel = kernel;
        this.budget = budget;
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(i);
            slotsBySegment[i] = new Slots(MIN_CAPACITY, kernel.stride);
        }
    }

    /** The slot arrays of one segment; replaced whole by a rehash. */
    static final class Slots {
        final int capacity;
        final int[] ctrl;
        final Object[] keys;
        final long[] words;

        Slots(int capacity, int stride) {
            this.capacity = capacity;
            this.ctrl = new int[capacity];
            this.keys = new Object[2 * capacity];
            this.words = new long[stride * capacity];
        }
    }

    private static final class Segment {
        final ReentrantLock lock = new ReentrantLock();
        final int index;
        /** Guarded by lock. */
        int live;
        int tombstones;

        Segment(int index) {
            this.index = index;
        }
    }

    private Slots slots(int segment) {
        return (Slots) SLOTS.getVolatile(slotsBySegment, segment);
    }

    private Slots slots(Segment seg) {
        return slots(seg.index);
    }

    /** Where a locked key lives: the arrays and the slot index. Filled by the lock methods. */
    static final class SlotRef {
        Slots slots;
        int index;
        int hash;
        /** Why the last insert through this ref was refused ({@link #REFUSED_AT_BOUND}, {@link #REFUSED_FLOOD}). */
        int refusal;

        long[] words() {
            return slots.words;
        }
    }

    /** The key's hash: both strings' cached hash codes, mixed (murmur3's finaliser). */
    static int hash(String entityId, String operation) {
        int h = entityId.hashCode() * 0x9E3779B1 + operation.hashCode();
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    // ------------------------------------------------------------------ the primitive path

    /**
     * Admits and records {@code cost} for the key if the rule allows it, without allocating.
     *
     * @return 0 if admitted; the exact wait otherwise; {@link KeyBudget#refusalWait} if the key is new
     *         and the store is at its bound
     */
    long tryAcquire(int h, String entityId, String operation, long t, long cost) {
        int si = h & (SEGMENTS - 1);
        while (true) {
            Slots s = slots(si);
            int i = lockKey(s, h, entityId, operation);
            if (i >= 0) {
                try {
                    return kernel.tryAcquire(s.words, i * kernel.stride, t, cost);
                } finally {
                    unlockSlot(s, i, h);
                }
            } else if (i == RELOCATING) {
                awaitRelocation(segments[si], s);
            } else {
                SlotRef ref = insertLocked(segments[si], h, entityId, operation, t, null);
                if (ref.refusal != NOT_REFUSED) {
                    return budget.refusalWait(kernel);
                }
                try {
                    return kernel.tryAcquire(ref.slots.words, ref.index * kernel.stride, t, cost);
                } finally {
                    unlockSlot(ref.slots, ref.index, h);
                }
            }
        }
    }

    /**
     * The decision for {@code cost} of {@code rule} (whose state this table holds), recorded if
     * allowed; a denial with the expiry horizon when the key is new and the store refuses it.
     */
    Decision acquire(int h, String entityId, String operation, long t, long cost, RateLimit rule) {
        int si = h & (SEGMENTS - 1);
        while (true) {
            Slots s = slots(si);
            int i = lockKey(s, h, entityId, operation);
            if (i >= 0) {
                try {
                    return kernel.decide(s.words, i * kernel.stride, t, cost, true, rule);
                } finally {
                    unlockSlot(s, i, h);
                }
            } else if (i == RELOCATING) {
                awaitRelocation(segments[si], s);
            } else {
                SlotRef ref = insertLocked(segments[si], h, entityId, operation, t, null);
                if (ref.refusal != NOT_REFUSED) {
                    return refused(rule, ref.refusal);
                }
                try {
                    return kernel.decide(ref.slots.words, ref.index * kernel.stride, t, cost, true, rule);
                } finally {
                    unlockSlot(ref.slots, ref.index, h);
                }
            }
        }
    }

    /** The denial of a new key the store refused: remaining 0, the rule's expiry horizon as wait, and why. */
    Decision refused(RateLimit rule, int refusal) {
        long wait = budget.refusalWait(kernel);
        return Decision.refused(rule, wait, refusal == REFUSED_FLOOD ? Decision.HASH_FLOOD : Decision.KEY_BOUND);
    }

    // ------------------------------------------------------------------ locking for decisions

    /**
     * Locks the key's slot, inserting an empty state if absent.
     *
     * @return false if the key is new and the store refuses it (key bound or hash flood; which one
     *         is in {@code ref.refusal})
     */
    boolean lockOrInsert(SlotRef ref, int h, String entityId, String operation, long t) {
        return lock(ref, h, entityId, operation, t, true);
    }

    /** Locks the key's slot if the key is present; false (nothing locked) if absent. */
    boolean lockExisting(SlotRef ref, int h, String entityId, String operation) {
        return lock(ref, h, entityId, operation, 0L, false);
    }

    private boolean lock(SlotRef ref, int h, String entityId, String operation, long t, boolean insertIfAbsent) {
        ref.hash = h;
        int si = h & (SEGMENTS - 1);
        while (true) {
            Slots s = slots(si);
            int i = lockKey(s, h, entityId, operation);
            if (i >= 0) {
                ref.slots = s;
                ref.index = i;
                return true;
            } else if (i == RELOCATING) {
                awaitRelocation(segments[si], s);
            } else {
                return insertIfAbsent && insertLocked(segments[si], h, entityId, operation, t, ref).refusal == NOT_REFUSED;
            }
        }
    }

    void unlock(SlotRef ref) {
        unlockSlot(ref.slots, ref.index, ref.hash);
    }

    // ------------------------------------------------------------------ removal and sweeping

    /**
     * Removes the key's state.
     *
     * @return whether the removed state was live (not expired) at {@code t}
     */
    boolean remove(int h, String entityId, String operation, long t) {
        Segment seg = segments[h & (SEGMENTS - 1)];
        seg.lock.lock();
        try {
            Slots s = slots(seg);
            int i = lockKey(s, h, entityId, operation);
            if (i < 0) {
                return false; // under the segment lock the key cannot move or vanish: absent
            }
            boolean live = !kernel.isExpired(s.words, i * kernel.stride, t);
            clearLockedSlot(seg, s, i);
            budget.release(1);
            return live;
        } finally {
            seg.lock.unlock();
        }
    }

    /** Removes every expired state and compacts segments that became sparse; returns how many were removed. */
    long sweep(long t) {
        long removed = 0;
        for (Segment seg : segments) {
            seg.lock.lock();
            try {
                removed += sweepSegment(seg, t);
            } finally {
                seg.lock.unlock();
            }
        }
        return removed;
    }

    /**
     * One bounded step of reclaiming at the key bound: looks at up to {@code step.slots} slots from
     * where the previous step stopped, removing the expired states among them, and skips segments
     * whose lock another thread holds (so it never blocks, and may run while the caller holds locks
     * of any table; it never compacts, which would wait for slot locks the caller may hold).
     * Sets {@code step.passDone} when it has been through every segment once. Called by one thread
     * at a time (the budget's stepper).
     *
     * @return how many states were removed
     */
    long sweepStep(long t, KeyBudget.Step step) {
        long removed = 0;
        while (step.slots > 0) {
            if (stepSegment >= SEGMENTS) {
                stepSegment = 0;
                stepSlot = 0;
                step.passDone = true;
                return removed;
            }
            Segment seg = segments[stepSegment];
            if (!seg.lock.tryLock()) {
                stepSegment++;
                stepSlot = 0;
                step.slots--;
                continue;
            }
            try {
                Slots s = slots(seg);
                int end = (int) Math.min(s.capacity, (long) stepSlot + step.slots);
                int freed = 0;
                for (int i = stepSlot; i < end; i++) {
                    freed += sweepSlot(seg, s, i, t);
                }
                step.slots -= Math.max(1, end - stepSlot);
                budget.release(freed);
                removed += freed;
                if (end >= s.capacity) {
                    stepSegment++;
                    stepSlot = 0;
                } else {
                    stepSlot = end;
                }
            } finally {
                seg.lock.unlock();
            }
        }
        return removed;
    }

    /** Slots allocated in all segments (for status and memory accounting). */
    long capacity() {
        long total = 0;
        for (Segment seg : segments) {
            total += slots(seg).capacity;
        }
        return total;
    }

    // ------------------------------------------------------------------ internals

    /**
     * Probes {@code s} for the key and locks its slot: the lock-free lookup of the primitive path.
     * A FULL slot with the key's hash bits is locked first and its keys compared after (so the
     * comparison, made once, is stable: keys only change under the slot lock); one that holds
     * another key is unlocked again and the probe goes on. A locked slot that appears to hold the
     * key is waited for.
     *
     * @return the index of the key's slot, locked by the caller; {@link #ABSENT}; or
     *         {@link #RELOCATING} during a rehash
     */
    private static int lockKey(Slots s, int h, String entityId, String operation) {
        int cap = s.capacity;
        int unlocked = (h & HASH_BITS) | FULL;
        int i = home(h, cap);
        int spins = 0;
        for (int probes = 0; probes < cap; ) {
            int c = (int) CTRL.getAcquire(s.ctrl, i);
            if (c == unlocked) {
                if (!CTRL.compareAndSet(s.ctrl, i, unlocked, unlocked | LOCK)) {
                    continue; // changed meanwhile: look at this slot again
                }
                if (holds(s, i, entityId, operation)) {
                    return i;
                }
                CTRL.setRelease(s.ctrl, i, unlocked); // another key with the same hash bits
            } else if (c == (unlocked | LOCK)) {
                // a racy read of the keys: if they are ours the slot is ours (keys change only
                // under the lock), and a stale answer costs one more look at this slot
                if (holds(s, i, entityId, operation)) {
                    backOff(++spins);
                    continue;
                }
            } else if ((c & KIND) == EMPTY) {
                return ABSENT;
            } else if ((c & KIND) == MOVED) {
                return RELOCATING;
            }
            probes++;
            if (++i == cap) {
                i = 0;
            }
        }
        return ABSENT;
    }

    /** The first slot to probe: the hash scaled to the capacity (no power-of-two capacities needed). */
    private static int home(int h, int capacity) {
        return (int) (((h & 0xFFFF_FFFFL) * capacity) >>> 32);
    }

    private static boolean holds(Slots s, int i, String entityId, String operation) {
        Object entity = s.keys[2 * i];
        Object op = s.keys[2 * i + 1];
        return (entity == entityId || entityId.equals(entity)) && (op == operation || operation.equals(op));
    }

    /**
     * Sets the LOCK bit of FULL slot {@code i} if it still holds the key.
     *
     * @return false if the slot was removed, moved or reused meanwhile (the caller probes again)
     */
    private static boolean lockSlot(Slots s, int i, int h, String entityId, String operation) {
        int unlocked = (h & HASH_BITS) | FULL;
        int spins = 0;
        while (true) {
            int c = (int) CTRL.getVolatile(s.ctrl, i);
            if (c == unlocked) {
                if (CTRL.compareAndSet(s.ctrl, i, unlocked, unlocked | LOCK)) {
                    if (holds(s, i, entityId, operation)) {
                        return true;
                    }
                    CTRL.setRelease(s.ctrl, i, unlocked);
                    return false;
                }
            } else if (c != (unlocked | LOCK)) {
                return false;
            } else {
                backOff(++spins);
            }
        }
    }

    private static void unlockSlot(Slots s, int i, int h) {
        CTRL.setRelease(s.ctrl, i, (h & HASH_BITS) | FULL);
    }

    private static void backOff(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private void awaitRelocation(Segment seg, Slots seen) {
        if (slots(seg) == seen) {
            seg.lock.lock(); // the rehash holds it until the new arrays are published
            seg.lock.unlock();
        }
    }

    /**
     * Under the segment lock, finds or inserts the key and returns its slot locked (in {@code ref}, or
     * a new ref when null); when the store refuses a new key, the ref's {@code refusal} says why.
     */
    private SlotRef insertLocked(Segment seg, int h, String entityId, String operation, long t, SlotRef ref) {
        SlotRef out = ref != null ? ref : new SlotRef();
        out.hash = h;
        out.refusal = NOT_REFUSED;
        int tag = h & HASH_BITS;
        seg.lock.lock();
        try {
            while (true) {
                Slots s = slots(seg);
                int cap = s.capacity;
                int i = home(h, cap);
                int free = -1;
                int sameHash = 0;
                for (int probes = 0; probes < cap; probes++) {
                    int c = (int) CTRL.getVolatile(s.ctrl, i);
                    int kind = c & KIND;
                    if (kind == EMPTY) {
                        if (free < 0) {
                            free = i;
                        }
                        break;
                    }
                    if (kind == TOMBSTONE) {
                        if (free < 0) {
                            free = i;
                        }
                    } else if ((c & HASH_BITS) == tag) {
                        if (holds(s, i, entityId, operation)) {
                            // inserted by another thread since our lock-free probe
                            if (lockSlot(s, i, h, entityId, operation)) {
                                out.slots = s;
                                out.index = i;
                                return out;
                            }
                            throw new IllegalStateException("slot changed under the segment lock");
                        }
                        sameHash++;
                    }
                    if (++i == cap) {
                        i = 0;
                    }
                }
                boolean reusesTombstone = free >= 0 && (int) CTRL.getVolatile(s.ctrl, free) == TOMBSTONE;
                if (free < 0 || (!reusesTombstone && 4L * (seg.live + seg.tombstones + 1) > 3L * cap)) {
                    rehash(seg, Math.max(MIN_CAPACITY, 2 * (seg.live + 1)));
                    continue;
                }
                if (sameHash >= MAX_SAME_HASH) {
                    budget.refuseFlood();
                    out.refusal = REFUSED_FLOOD;
                    return out;
                }
                if (!budget.tryReserve()) {
                    if (budget.reclaim(t) > 0) {
                        continue; // probe again: the step may have freed slots of this segment too
                    }
                    budget.refuse();
                    out.refusal = REFUSED_AT_BOUND;
                    return out;
                }
                s.keys[2 * free] = entityId;
                s.keys[2 * free + 1] = operation;
                kernel.initEmpty(s.words, free * kernel.stride, t);
                if (reusesTombstone) {
                    seg.tombstones--;
                }
                seg.live++;
                CTRL.setRelease(s.ctrl, free, tag | FULL | LOCK);
                out.slots = s;
                out.index = free;
                return out;
            }
        } finally {
            seg.lock.unlock();
        }
    }

    /** Under the segment lock: removes expired states, then compacts if sparse or full of tombstones. */
    private long sweepSegment(Segment seg, long t) {
        Slots s = slots(seg);
        int removed = 0;
        for (int i = 0; i < s.capacity; i++) {
            removed += sweepSlot(seg, s, i, t);
        }
        budget.release(removed);
        boolean sparse = s.capacity > MIN_CAPACITY && 8L * seg.live < s.capacity;
        boolean cluttered = 4L * seg.tombstones > s.capacity;
        if (sparse || cluttered) {
            rehash(seg, Math.max(MIN_CAPACITY, 2 * seg.live));
        }
        return removed;
    }

    /**
     * Under the segment lock: removes the state of slot {@code i} if it is expired (a locked state is
     * in use right now, so not idle: it is left alone). The caller releases the budget.
     *
     * @return 1 if a state was removed, else 0
     */
    private int sweepSlot(Segment seg, Slots s, int i, long t) {
        int c = (int) CTRL.getVolatile(s.ctrl, i);
        if ((c & KIND) != FULL || (c & LOCK) != 0 || !CTRL.compareAndSet(s.ctrl, i, c, c | LOCK)) {
            return 0;
        }
        if (kernel.isExpired(s.words, i * kernel.stride, t)) {
            clearLockedSlot(seg, s, i);
            return 1;
        }
        CTRL.setRelease(s.ctrl, i, c);
        return 0;
    }

    /** Under the segment lock, with slot {@code i} locked by the caller: frees the slot (unlocking it). */
    private static void clearLockedSlot(Segment seg, Slots s, int i) {
        s.keys[2 * i] = null;
        s.keys[2 * i + 1] = null;
        CTRL.setRelease(s.ctrl, i, TOMBSTONE);
        seg.live--;
        seg.tombstones++;
    }

    /** Under the segment lock: copies the live slots into new arrays of {@code capacity} and publishes them. */
    private void rehash(Segment seg, int capacity) {
        Slots old = slots(seg);
        Slots fresh = new Slots(capacity, kernel.stride);
        int stride = kernel.stride;
        for (int i = 0; i < old.capacity; i++) {
            int c;
            int spins = 0;
            while (true) {
                c = (int) CTRL.getVolatile(old.ctrl, i);
                if ((c & LOCK) != 0) {
                    backOff(++spins); // an update holds the slot; it finishes without our lock
                } else if (CTRL.compareAndSet(old.ctrl, i, c, MOVED)) {
                    break;
                }
            }
            if ((c & KIND) != FULL) {
                continue;
            }
            String entityId = (String) old.keys[2 * i];
            String operation = (String) old.keys[2 * i + 1];
            int h = hash(entityId, operation);
            int j = home(h, capacity);
            while (fresh.ctrl[j] != EMPTY) {
                if (++j == capacity) {
                    j = 0;
                }
            }
            fresh.ctrl[j] = (h & HASH_BITS) | FULL;
            fresh.keys[2 * j] = entityId;
            fresh.keys[2 * j + 1] = operation;
            System.arraycopy(old.words, i * stride, fresh.words, j * stride, stride);
        }
        seg.tombstones = 0;
        SLOTS.setVolatile(slotsBySegment, seg.index, fresh);
    }
}
