package dev.bulwark.ratelimit;

import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The default {@link LimitStore}: rate-limit state in this JVM's heap, compact and bounded.
 *
 * <p><b>Memory.</b> Each rule's states live in an open-addressing table over primitive arrays
 * (no object per key): a key costs its two string references, one control word and the
 * algorithm's state words, about 37 to 56 bytes with the default sliding window (the strings
 * themselves are the caller's). Segments grow and shrink with their load.
 *
 * <p><b>Expiry.</b> A state expires as soon as it is equivalent to an empty one (for example a
 * sliding window untouched for two windows, a full token bucket); since an expired state decides
 * exactly like an absent one, expiry changes no decision. {@link #sweepExpired()} frees expired
 * states and compacts sparse segments; the {@code Infrastructure} calls it periodically and tests
 * call it directly.
 *
 * <p><b>Key bound.</b> At most {@link #maxKeys()} states (one per key per rule) are held. When a
 * <em>new</em> key would exceed the bound, the caller's thread takes one bounded step of reclaiming
 * expired states (at most {@value KeyBudget#RECLAIM_STEP_SLOTS} slots, resuming where the last step
 * stopped, at most once per millisecond of store time) and the store asks its
 * {@linkplain Builder#backgroundSweeps background executor} for a full sweep (at most every 100 ms
 * of store time); if the step found no room, the request is <b>denied</b> with {@code remaining = 0}, reason
 * {@link Decision#KEY_BOUND} and a wait equal to the rule's expiry horizon
 * (after which every key idle now has expired: one window for the fixed window and the token
 * bucket, two for the sliding window, {@code L × T} for GCRA and the leaky bucket). Keys already
 * held keep their exact behaviour: flooding the store with new keys cannot reset or evict anyone's
 * state, and it cannot grow the heap beyond the bound. Denials at the bound are counted
 * ({@link #keyBoundRefusals()}). A new key whose hash collides with {@value KeyTable#MAX_SAME_HASH}
 * others in its probe run (a hash-flooding attack on {@code String.hashCode}) is refused the same way
 * and counted in {@link #hashFloodRefusals()}.
 *
 * <p><b>Concurrency.</b> Thread-safe. Updating an existing key takes no shared lock: a lock-free
 * lookup and a per-key spin lock held for a few dozen nanoseconds; inserts, removals and resizes
 * lock one of 64 segments of one rule's table. {@link #tryAcquire} allocates nothing.
 */
public final class InMemoryLimitStore implements LimitStore {

    /** The default bound on live states: one million. */
    public static final long DEFAULT_MAX_KEYS = 1_000_000;

    private final Clock clock;
    private final KeyBudget budget;
    private volatile KeyTable[] tablesByStateId = new KeyTable[0];
    private volatile boolean closed;

    private InMemoryLimitStore(Builder builder) {
        this.clock = builder.clock;
        this.budget = new KeyBudget(builder.maxKeys, new KeyBudget.Reclaimer() {
            @Override
            public long sweepStep(long now, KeyBudget.Step step) {
                return InMemoryLimitStore.this.sweepStep(now, step);
            }

            @Override
            public void sweepAll() {
                sweepExpired();
            }
        }, builder.backgroundSweeps);
    }

    /** A store on {@code clock} with the default key bound. */
    public static InMemoryLimitStore create(Clock clock) {
        return builder().clock(clock).build();
    }

    /** A builder: system clock, {@link #DEFAULT_MAX_KEYS}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
        LimitArguments.check(entityId, operation, limits, cost);
        long now = clock.nanoTime();
        int h = KeyTable.hash(entityId, operation);
        if (limits.size() == 1) {
            return acquireOne(h, entityId, operation, limits.get(0), cost, now);
        }
        return acquireAll(h, entityId, operation, limits, cost, now);
    }

    @Override
    public Decision acquire(String entityId, String operation, RateLimit limit, long cost) {
        LimitArguments.checkKey(entityId, operation);
        Objects.requireNonNull(limit, "limit");
        requireCost(cost);
        long now = clock.nanoTime();
        return acquireOne(KeyTable.hash(entityId, operation), entityId, operation, limit, cost, now);
    }

    @Override
    public long tryAcquire(String entityId, String operation, RateLimit limit, long cost) {
        LimitArguments.checkKey(entityId, operation);
        Objects.requireNonNull(limit, "limit");
        requireCost(cost);
        if (cost > limit.limit()) {
            requireOpen();
            return Decision.NEVER;
        }
        long now = clock.nanoTime();
        return tableFor(limit).tryAcquire(KeyTable.hash(entityId, operation), entityId, operation, now, cost);
    }

    @Override
    public Decision peek(String entityId, String operation, List<RateLimit> limits) {
        LimitArguments.check(entityId, operation, limits, 1);
        long now = clock.nanoTime();
        int h = KeyTable.hash(entityId, operation);
        Decision deciding = null;
        for (RateLimit rule : limits) {
            Decision d = peekOne(h, entityId, operation, rule, now);
            if (deciding == null || precedes(d, deciding)) {
                deciding = d;
            }
        }
        return deciding;
    }

    @Override
    public List<Decision> inspect(String entityId, String operation) {
        LimitArguments.checkKey(entityId, operation);
        requireOpen();
        long now = clock.nanoTime();
        int h = KeyTable.hash(entityId, operation);
        List<Decision> live = new ArrayList<>();
        KeyTable.SlotRef ref = new KeyTable.SlotRef();
        for (KeyTable table : tablesByStateId) {
            if (table == null || !table.lockExisting(ref, h, entityId, operation)) {
                continue;
            }
            try {
                RuleKernel k = table.kernel;
                int b = ref.index * k.stride;
                if (!k.isExpired(ref.words(), b, now)) {
                    live.add(k.decide(ref.words(), b, now, 1, false, k.rule));
                }
            } finally {
                table.unlock(ref);
            }
        }
        return live;
    }

    @Override
    public boolean reset(String entityId, String operation) {
        LimitArguments.checkKey(entityId, operation);
        requireOpen();
        long now = clock.nanoTime();
        int h = KeyTable.hash(entityId, operation);
        boolean hadLiveState = false;
        for (KeyTable table : tablesByStateId) {
            if (table != null) {
                hadLiveState |= table.remove(h, entityId, operation, now);
            }
        }
        return hadLiveState;
    }

    /** The number of states held, expired ones not yet swept included. */
    @Override
    public long keyCount() {
        return budget.live();
    }

    @Override
    public long sweepExpired() {
        long now = clock.nanoTime();
        long removed = 0;
        for (KeyTable table : tablesByStateId) {
            if (table != null) {
                removed += table.sweep(now);
            }
        }
        return removed;
    }

    /** Where the next bounded reclaiming step starts among the tables; one stepper at a time (see {@link KeyBudget}). */
    private int stepTable;

    /** One bounded reclaiming step over the tables, resuming where the previous one stopped. */
    private long sweepStep(long now, KeyBudget.Step step) {
        KeyTable[] tables = tablesByStateId;
        long removed = 0;
        for (int visited = 0; step.slots > 0 && visited <= tables.length; ) {
            if (stepTable >= tables.length) {
                stepTable = 0;
            }
            KeyTable table = tables[stepTable];
            if (table == null) {
                stepTable++;
                visited++;
                continue;
            }
            step.passDone = false;
            removed += table.sweepStep(now, step);
            if (step.passDone) {
                stepTable++;
                visited++;
            }
        }
        return removed;
    }

    /** The store's bound, live keys and refusals. */
    @Override
    public Status status() {
        return new Status(keyCount(), maxKeys(), keyBoundRefusals(), hashFloodRefusals());
    }

    /**
     * The status of an {@link InMemoryLimitStore}.
     *
     * @param keys              live states (one per key per rule)
     * @param maxKeys           the bound on live states
     * @param keyBoundRefusals  requests refused because the bound was reached
     * @param hashFloodRefusals requests refused because too many keys collided
     */
    public record Status(long keys, long maxKeys, long keyBoundRefusals, long hashFloodRefusals)
            implements ComponentStatus {
    }

    /** The bound on live states. */
    public long maxKeys() {
        return budget.maxKeys;
    }

    /** How many new keys were denied because the store was at its bound. */
    public long keyBoundRefusals() {
        return budget.refusedAtBound();
    }

    /** How many new keys were denied because their hash collided with too many others. */
    public long hashFloodRefusals() {
        return budget.refusedFlood();
    }

    /** Slots allocated across all tables (live, expired and free); memory is about 28 bytes per slot. */
    public long slotCapacity() {
        long total = 0;
        for (KeyTable table : tablesByStateId) {
            if (table != null) {
                total += table.capacity();
            }
        }
        return total;
    }

    /**
     * Drops every table and closes the store for good: later decisions, peeks, inspections and
     * resets throw {@link dev.bulwark.error.InfraException} 2102 SERVICE_UNAVAILABLE ("in-memory limit
     * store is closed"; a {@code RateLimiter} answers it as {@code Err}); {@link #keyCount()} and
     * {@link #sweepExpired()} answer 0. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            tablesByStateId = new KeyTable[0];
            budget.clear();
        }
    }

    @Override
    public String toString() {
        return "InMemoryLimitStore[keys=" + keyCount() + ", maxKeys=" + maxKeys() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ deciding

    private Decision acquireOne(int h, String entityId, String operation, RateLimit rule, long cost, long now) {
        if (cost > rule.limit()) {
            return never(peekOne(h, entityId, operation, rule, now));
        }
        return tableFor(rule).acquire(h, entityId, operation, now, cost, rule);
    }

    private Decision acquireAll(int h, String entityId, String operation, List<RateLimit> limits, long cost, long now) {
        for (RateLimit rule : limits) {
            if (cost > rule.limit()) {
                return never(peekOne(h, entityId, operation, rule, now));
            }
        }
        int n = limits.size();
        KeyTable[] tables = new KeyTable[n];
        KeyTable.SlotRef[] refs = new KeyTable.SlotRef[n];
        Integer[] lockOrder = new Integer[n];
        for (int i = 0; i < n; i++) {
            tables[i] = tableFor(limits.get(i));
            lockOrder[i] = i;
        }
        Arrays.sort(lockOrder, (a, b) -> Integer.compare(limits.get(a).stateId(), limits.get(b).stateId()));
        int locked = 0;
        try {
            for (; locked < n; locked++) {
                int i = lockOrder[locked];
                KeyTable.SlotRef ref = new KeyTable.SlotRef();
                if (!tables[i].lockOrInsert(ref, h, entityId, operation, now)) {
                    return tables[i].refused(limits.get(i), ref.refusal);
                }
                refs[i] = ref;
            }
            boolean admitted = true;
            for (int i = 0; i < n && admitted; i++) {
                RuleKernel k = tables[i].kernel;
                admitted = k.admits(refs[i].words(), refs[i].index * k.stride, now, cost);
            }
            Decision deciding = null;
            for (int i = 0; i < n; i++) {
                RuleKernel k = tables[i].kernel;
                int b = refs[i].index * k.stride;
                Decision d;
                if (admitted) {
                    k.record(refs[i].words(), b, now, cost);
                    d = Decision.allowed(limits.get(i), k.remaining(refs[i].words(), b, now), k.resetAfter(refs[i].words(), b, now));
                } else if (!k.admits(refs[i].words(), b, now, cost)) {
                    d = k.decide(refs[i].words(), b, now, cost, false, limits.get(i));
                } else {
                    continue;
                }
                if (deciding == null || precedes(d, deciding)) {
                    deciding = d;
                }
            }
            return deciding;
        } finally {
            for (int j = 0; j < locked; j++) {
                int i = lockOrder[j];
                tables[i].unlock(refs[i]);
            }
        }
    }

    /** The one-unit decision of one rule without recording or inserting anything. */
    private Decision peekOne(int h, String entityId, String operation, RateLimit rule, long now) {
        if (rule.limit() == 0) {
            requireOpen();
            return Decision.denied(rule, 0, Decision.NEVER, 0);
        }
        KeyTable table = tableFor(rule);
        RuleKernel k = table.kernel;
        KeyTable.SlotRef ref = new KeyTable.SlotRef();
        if (table.lockExisting(ref, h, entityId, operation)) {
            try {
                return k.decide(ref.words(), ref.index * k.stride, now, 1, false, rule);
            } finally {
                table.unlock(ref);
            }
        }
        long[] empty = new long[k.stride];
        k.initEmpty(empty, 0, now);
        return k.decide(empty, 0, now, 1, false, rule);
    }

    /** Whether {@code candidate} decides over {@code current} (which comes earlier in list order). */
    private static boolean precedes(Decision candidate, Decision current) {
        if (candidate.allowed() != current.allowed()) {
            return !candidate.allowed();
        }
        return candidate.allowed()
                ? candidate.remaining() < current.remaining()
                : candidate.retryAfterNanos() > current.retryAfterNanos();
    }

    private static Decision never(Decision current) {
        return Decision.denied(current.rule(), current.remaining(), Decision.NEVER, current.resetAfter().toNanos());
    }

    private KeyTable tableFor(RateLimit rule) {
        KeyTable[] tables = tablesByStateId;
        int id = rule.stateId();
        if (id < tables.length) {
            KeyTable table = tables[id];
            if (table != null) {
                return table;
            }
        }
        return createTable(rule);
    }

    /** After {@link #close()}: 2102 (the decision paths reach this through {@link #createTable}, off the hot path). */
    private void requireOpen() {
        if (closed) {
            throw dev.bulwark.internal.Closed.error("in-memory limit store", clock).toException();
        }
    }

    private synchronized KeyTable createTable(RateLimit rule) {
        requireOpen();
        KeyTable[] tables = tablesByStateId;
        int id = rule.stateId();
        if (id < tables.length && tables[id] != null) {
            return tables[id];
        }
        KeyTable[] grown = id < tables.length ? tables.clone() : Arrays.copyOf(tables, Math.max(id + 1, 2 * tables.length));
        KeyTable table = new KeyTable(new RuleKernel(rule), budget);
        grown[id] = table;
        tablesByStateId = grown;
        return table;
    }

    private static void requireCost(long cost) {
        String problem = LimitArguments.costProblem(cost);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Builds an {@link InMemoryLimitStore}; not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.system();
        private long maxKeys = DEFAULT_MAX_KEYS;
        private Executor backgroundSweeps;

        private Builder() {
        }

        /** The clock decisions are made on (the {@code Infrastructure}'s clock; a {@code ManualClock} in tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The bound on live states (one per key per rule).
         *
         * @throws IllegalArgumentException if {@code maxKeys} is below 1
         */
        public Builder maxKeys(long maxKeys) {
            if (maxKeys < 1) {
                throw new IllegalArgumentException("maxKeys must be >= 1, was " + maxKeys);
            }
            this.maxKeys = maxKeys;
            return this;
        }

        /**
         * Where the store runs the full sweep it asks for when it reaches its bound with no room
         * found by a caller's bounded step (the {@code Infrastructure} passes its scheduler thread).
         * Without one, expired states are reclaimed only by those bounded steps and by
         * {@link InMemoryLimitStore#sweepExpired()} (which the {@code Infrastructure} calls
         * periodically). The executor must not run the task on the calling thread.
         */
        public Builder backgroundSweeps(Executor executor) {
            this.backgroundSweeps = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public InMemoryLimitStore build() {
            return new InMemoryLimitStore(this);
        }
    }
}
