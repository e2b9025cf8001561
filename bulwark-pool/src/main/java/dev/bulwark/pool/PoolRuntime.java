package dev.bulwark.pool;

import dev.bulwark.Result;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.health.Health;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectState;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.EvictionConfig;
import org.apache.commons.pool2.impl.EvictionPolicy;

/**
 * What a {@link Pool} and a {@link KeyedPool} share: checkout (breaker, places, waiting, borrow
 * from Commons Pool), the end of a lease, the lifecycle of resources as Commons Pool drives it
 * (create, validate, destroy, eviction decisions) and the counts and events.
 *
 * <p><b>Timing.</b> Every time Bulwark decides on (checkout timeout, linger, idle age, idle
 * validation interval, leak threshold, the breaker) is read from the infrastructure's clock; a
 * checkout's timeout is a task on the infrastructure's timer (the manual clock in tests). Commons
 * Pool never waits (its places are never exhausted: Bulwark hands out places before it borrows)
 * and its evictor thread is off: {@link #maintain} runs its {@code evict()} with Bulwark's
 * eviction policy.
 */
final class PoolRuntime<T> {

    private static final String CHECKED_OUT_HERE = "checked out here";

    final String name;
    final PoolConfig config;
    private final Clock clock;
    private final Timer timer;
    final CircuitBreaker breaker;
    private final long lingerNanos;
    private final long evictIdleNanos;
    private final long validateIdleNanos;
    private final long leakNanos;

    private final EventChannel checkedOut;
    private final EventChannel rejected;
    private final EventChannel created;
    private final EventChannel destroyed;
    private final EventChannel leakSuspected;

    private final AtomicLong ids = new AtomicLong();
    private final LongAdder createdCount = new LongAdder();
    private final LongAdder destroyedCount = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private final LongAdder leaks = new LongAdder();
    private final Set<Lease<T>> leases;
    private final boolean timeAfterCheckout;
    /** Whether the return of a resource is timed: only eviction and the overflow's linger read it. */
    private final boolean timeReturns;
    private volatile boolean closed;
    private volatile Scheduler.Task maintenance;

    PoolRuntime(String name, PoolConfig config, Clock clock, Timer timer, Telemetry telemetry, CircuitBreaker breaker) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.timer = timer;
        this.breaker = breaker;
        this.lingerNanos = config.overflowLinger().toNanos();
        this.evictIdleNanos = config.evictIdleAfter() == null ? -1 : config.evictIdleAfter().toNanos();
        this.validateIdleNanos = config.validateWhileIdle() == null ? -1 : config.validateWhileIdle().toNanos();
        this.leakNanos = config.leakThreshold() == null ? -1 : config.leakThreshold().toNanos();
        this.leases = leakNanos < 0 ? null : ConcurrentHashMap.newKeySet();
        this.timeAfterCheckout = leases != null || config.breaker().slowCallRate().isPresent();
        this.timeReturns = evictionWanted();
        this.checkedOut = telemetry.channel(PoolEvents.CHECKED_OUT);
        this.rejected = telemetry.channel(PoolEvents.CHECKOUT_REJECTED);
        this.created = telemetry.channel(PoolEvents.RESOURCE_CREATED);
        this.destroyed = telemetry.channel(PoolEvents.RESOURCE_DESTROYED);
        this.leakSuspected = telemetry.channel(PoolEvents.LEAK_SUSPECTED);
    }

    // ---------------------------------------------------------------- checkout

    @SuppressWarnings("unchecked")
    Result<Lease<T>> checkout(Lane<T> lane, long timeoutNanos) {
        Object out = acquire(lane, timeoutNanos, true);
        if (out instanceof Lease<?>) {
            return Result.ok((Lease<T>) out);
        }
        return (Result<Lease<T>>) out;
    }

    /**
     * A checkout: a {@link Lease}, or only its {@link Entry} when no lease is wanted and leak
     * detection does not track one ({@code withResource} needs none: it ends what it started), or
     * the refusal (a {@code Result.Err}).
     */
    private Object acquire(Lane<T> lane, long timeoutNanos, boolean leaseWanted) {
        // the start is read only when something needs it: a wait, a refusal, a slow-call breaker,
        // the checked_out event, the leak threshold (a clock read is a fair share of this path's cost)
        boolean timed = timeAfterCheckout || checkedOut.isActive();
        long start = timed ? clock.nanoTime() : 0L;
        if (closed) {
            return rejectClosed(lane, timed ? start : clock.nanoTime());
        }
        InfraError breakerRejection = breaker.tryAcquireOrRejection();
        if (breakerRejection != null) {
            return breakerOpen(breakerRejection, lane, timed ? start : clock.nanoTime());
        }
        if (!lane.capacity.tryAcquire()) {
            if (!timed) {
                start = clock.nanoTime();
                timed = true;
            }
            Result<Lease<T>> refused = await(lane, timeoutNanos, start);
            if (refused != null) {
                breaker.onIgnored();
                return refused;
            }
        }
        // a place is ours from here: every way out gives it back or turns it into a lease
        if (closed) {
            lane.capacity.release();
            breaker.onIgnored();
            return rejectClosed(lane, timed ? start : clock.nanoTime());
        }
        Entry<T> entry;
        try {
            entry = lane.borrow();
        } catch (VirtualMachineError fatal) {
            lane.capacity.release();
            breaker.onIgnored();
            throw fatal;
        } catch (Throwable failure) {
            lane.capacity.release();
            if (closed || failure instanceof IllegalStateException && failure.getMessage() != null
                    && failure.getMessage().contains("not open")) {
                breaker.onIgnored();
                return rejectClosed(lane, timed ? start : clock.nanoTime());
            }
            long now = clock.nanoTime();
            if (!timed) {
                start = now;  // the creation's time is unknown: the failure counts as instant
            }
            breaker.onFailure(now - start, failure);
            boolean validation = failure instanceof NoSuchElementException;
            Throwable cause = validation && failure.getCause() != null ? failure.getCause() : failure;
            return reject(PoolErrorCode.POOL_RESOURCE_FAILED,
                    validation ? Reasons.VALIDATION_FAILED : Reasons.CREATION_FAILED, lane, start,
                    "pool '" + name + "': " + (validation ? "a new resource failed validation" : "creating a resource failed")
                            + ": " + cause, cause);
        }
        long now = timeAfterCheckout ? clock.nanoTime() : start;
        breaker.onSuccess(now - start);
        lane.active.increment();
        if (checkedOut.isActive()) {
            checkedOut.emit(Map.of(PoolEvents.WAIT_NS, timed ? clock.nanoTime() - start : 0L), Map.of(PoolEvents.POOL, name));
        }
        if (!leaseWanted && leases == null) {
            return entry;
        }
        Lease<T> lease = new Lease<>(this, entry, now, leases == null ? null : new Throwable(CHECKED_OUT_HERE));
        if (leases != null) {
            leases.add(lease);
        }
        return lease;
    }

    /**
     * 7102 while the breaker refuses: O(1) and allocation-free after the first refusal of each
     * opening. Like the breaker's own cached rejection, the error is built once per rejection the
     * breaker hands out (a new one each time it opens or changes state), so its timestamp and
     * message are those of the first refusal of that phase.
     */
    private Result<Lease<T>> breakerOpen(InfraError breakerRejection, Lane<T> lane, long start) {
        rejections.increment();
        CachedRefusal<T> cached = breakerRefusal;
        if (cached == null || cached.breakerRejection != breakerRejection) {
            InfraError error = InfraError.builder(PoolErrorCode.POOL_RESOURCE_FAILED)
                    .message("pool '" + name + "': resource creation is failing, its breaker is "
                            + breaker.state().label() + " (" + breakerRejection.message() + ")")
                    .timestampMillis(clock.currentTimeMillis())
                    .context("pool", name)
                    .context("reason", Reasons.BREAKER_OPEN)
                    .context("breaker", breaker.name())
                    .context("waited_ms", 0L)
                    .build();
            cached = new CachedRefusal<>(breakerRejection, Result.err(error));
            breakerRefusal = cached;
        }
        if (rejected.isActive()) {
            rejected.emit(Map.of(PoolEvents.WAIT_NS, clock.nanoTime() - start), Map.of(PoolEvents.POOL, name,
                    PoolEvents.REASON, Reasons.BREAKER_OPEN, PoolEvents.ERROR_CODE, PoolErrorCode.POOL_RESOURCE_FAILED.code()));
        }
        return cached.refusal;
    }

    private record CachedRefusal<T>(InfraError breakerRejection, Result<Lease<T>> refusal) {
    }

    private volatile CachedRefusal<T> breakerRefusal;

    /** Waits for a place: null once one is ours, else the refusal. */
    private Result<Lease<T>> await(Lane<T> lane, long timeoutNanos, long start) {
        if (timeoutNanos <= 0) {
            timeouts.increment();
            return timedOut(lane, start, timeoutNanos);
        }
        Capacity.Waiter waiter;
        try {
            waiter = lane.capacity.acquireOrEnqueue(config.maxWaiters());
        } catch (Capacity.WaitersFull full) {
            rejections.increment();
            return reject(PoolErrorCode.POOL_EXHAUSTED, Reasons.WAITERS_FULL, lane, start,
                    "pool '" + name + "' is exhausted and " + config.maxWaiters() + " callers already wait", null);
        }
        if (waiter == null) {
            return null;
        }
        Scheduler.Task deadline;
        try {
            deadline = timer.schedule(timeoutNanos, () -> waiter.end(Capacity.Waiter.TIMED_OUT));
        } catch (IllegalStateException timerClosed) {
            deadline = null;
            waiter.end(Capacity.Waiter.CLOSED);
        }
        int end = waiter.await();
        if (deadline != null) {
            deadline.cancel();
        }
        if (end == Capacity.Waiter.GRANTED) {
            return null;
        }
        lane.capacity.forget(waiter);
        return switch (end) {
            case Capacity.Waiter.TIMED_OUT -> {
                timeouts.increment();
                yield timedOut(lane, start, timeoutNanos);
            }
            case Capacity.Waiter.INTERRUPTED -> reject(PoolErrorCode.POOL_EXHAUSTED, Reasons.INTERRUPTED, lane, start,
                    "pool '" + name + "': the caller was interrupted while waiting for a resource", null);
            default -> rejectClosed(lane, start);
        };
    }

    private Result<Lease<T>> timedOut(Lane<T> lane, long start, long timeoutNanos) {
        return reject(PoolErrorCode.POOL_EXHAUSTED, Reasons.TIMEOUT, lane, start,
                "pool '" + name + "' is exhausted: no resource within " + timeoutNanos / 1_000_000 + " ms", null);
    }

    private Result<Lease<T>> rejectClosed(Lane<T> lane, long start) {
        rejections.increment();
        return reject(PoolErrorCode.POOL_CLOSED, Reasons.CLOSED, lane, start, "pool '" + name + "' is closed", null);
    }

    private Result<Lease<T>> reject(PoolErrorCode code, String reason, Lane<T> lane, long start, String message,
                                    Throwable cause) {
        long waited = clock.nanoTime() - start;
        if (rejected.isActive()) {
            rejected.emit(Map.of(PoolEvents.WAIT_NS, waited), Map.of(PoolEvents.POOL, name, PoolEvents.REASON, reason,
                    PoolEvents.ERROR_CODE, code.code()));
        }
        InfraError.Builder error = InfraError.builder(code)
                .message(message)
                .timestampMillis(clock.currentTimeMillis())
                .context("pool", name)
                .context("reason", reason)
                .context("waiters", lane.capacity.waiters())
                .context("waited_ms", waited / 1_000_000)
                .context("active", lane.active())
                .context("max_size", config.maxSize())
                .context("max_overflow", config.maxOverflow());
        if (cause != null) {
            error.cause(cause);
        }
        return Result.err(error.build());
    }

    // ---------------------------------------------------------------- the end of a lease

    void end(Lease<T> lease, boolean destroy, String reason) {
        if (lease.pool() != this) {
            throw new IllegalArgumentException(lease + " is not a lease of pool '" + name + "'");
        }
        if (!lease.markEnded()) {
            throw new IllegalStateException(lease + " was already checked in (or invalidated): a lease ends once");
        }
        if (leases != null) {
            leases.remove(lease);
        }
        giveBackOrDestroy(lease.entry, destroy, reason);
    }

    /** Gives a checked-out resource back (or destroys it) and frees its place. */
    private void giveBackOrDestroy(Entry<T> entry, boolean destroy, String reason) {
        Lane<T> lane = entry.lane;
        lane.active.decrement();
        try {
            if (destroy || closed) {
                entry.destroyReason = closed && !destroy ? Reasons.CLOSED : reason;
                invalidate(lane, entry);
            } else {
                if (timeReturns) {
                    entry.returnedNanos = clock.nanoTime();
                }
                lane.giveBack(entry);
            }
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable ignored) {
            // Commons Pool has destroyed it already (destroy failures are swallowed by the lifecycle)
        } finally {
            lane.capacity.release();
        }
    }

    /**
     * Destroys a checked-out resource. Commons Pool 2.13 replaces an invalidated resource at once
     * ({@code addObject} inside {@code invalidateObject}); that creation is refused here, so that
     * every resource is created by a checkout, under the pool's places and its breaker.
     */
    private void invalidate(Lane<T> lane, Entry<T> entry) throws Exception {
        INVALIDATING.set(Boolean.TRUE);
        try {
            lane.invalidate(entry);
        } catch (NoReplacement expected) {
            // the resource is destroyed; its replacement was refused
        } finally {
            INVALIDATING.remove();
        }
    }

    private static final ThreadLocal<Boolean> INVALIDATING = new ThreadLocal<>();

    /** Refuses the replacement Commons Pool creates after an invalidation (preallocated, no stack). */
    private static final class NoReplacement extends Exception {
        static final NoReplacement INSTANCE = new NoReplacement();

        private NoReplacement() {
            super("no replacement: resources are created by checkouts", null, false, false);
        }
    }

    /** Runs {@code work} with a resource of {@code lane}; see {@link Pool#withResource}. */
    @SuppressWarnings("unchecked")
    <R> Result<R> withResource(Lane<T> lane, long timeoutNanos, ResourceFunction<? super T, ? extends R> work) {
        Objects.requireNonNull(work, "work");
        Object out = acquire(lane, timeoutNanos, false);
        if (out instanceof Result<?> refused) {
            return (Result<R>) refused;  // an Err: it holds no value of either type
        }
        Lease<T> lease = out instanceof Lease<?> l ? (Lease<T>) l : null;
        Entry<T> entry = lease != null ? lease.entry : (Entry<T>) out;
        R value;
        try {
            value = work.apply(entry.resource);
        } catch (VirtualMachineError fatal) {
            finishQuietly(lease, entry, true);
            throw fatal;
        } catch (Throwable failure) {
            boolean poisoned;
            try {
                poisoned = config.poisons(failure);
            } catch (VirtualMachineError fatal) {
                finishQuietly(lease, entry, true);
                throw fatal;
            }
            finish(lease, entry, poisoned);
            return Result.err(operationFailed(failure, poisoned));
        }
        finish(lease, entry, false);
        return Result.ok(value);
    }

    /** Ends what {@code withResource} checked out: its lease when it has one, else the entry. */
    private void finish(Lease<T> lease, Entry<T> entry, boolean poisoned) {
        if (lease != null) {
            end(lease, poisoned, Reasons.POISONED);
        } else {
            giveBackOrDestroy(entry, poisoned, Reasons.POISONED);
        }
    }

    private void finishQuietly(Lease<T> lease, Entry<T> entry, boolean poisoned) {
        if (lease != null) {
            endQuietly(lease, poisoned, Reasons.POISONED);
        } else {
            giveBackOrDestroy(entry, poisoned, Reasons.POISONED);
        }
    }

    InfraError operationFailed(Throwable failure, boolean poisoned) {
        if (failure instanceof InfraException infra && infra.error() != null) {
            return InfraError.builder(PoolErrorCode.POOLED_OPERATION_FAILED)
                    .message("pool '" + name + "': the work with a resource failed: " + infra.error().message())
                    .timestampMillis(clock.currentTimeMillis())
                    .context("pool", name).context("poisoned", poisoned)
                    .context("original_error_code", infra.error().code())
                    .cause(failure).build();
        }
        return InfraError.builder(PoolErrorCode.POOLED_OPERATION_FAILED)
                .message("pool '" + name + "': the work with a resource failed: " + failure)
                .timestampMillis(clock.currentTimeMillis())
                .context("pool", name).context("poisoned", poisoned)
                .cause(failure).build();
    }

    void endQuietly(Lease<T> lease, boolean destroy, String reason) {
        try {
            end(lease, destroy, reason);
        } catch (IllegalStateException alreadyEnded) {
            // nothing to give back
        }
    }

    // ---------------------------------------------------------------- the lifecycle Commons Pool drives

    PooledObject<Entry<T>> make(Lane<T> lane) throws Exception {
        if (INVALIDATING.get() != null) {
            throw NoReplacement.INSTANCE;
        }
        T resource = lane.create();
        if (resource == null) {
            throw new NullPointerException("the resource factory of pool '" + name + "' created null");
        }
        Entry<T> entry = new Entry<>(resource, lane, ids.incrementAndGet(), clock.nanoTime());
        int alive = lane.alive.incrementAndGet();
        createdCount.increment();
        if (created.isActive()) {
            created.emit(Map.of(), Map.of(PoolEvents.POOL, name,
                    PoolEvents.REASON, alive > lane.maxSize ? Reasons.OVERFLOW : Reasons.CORE));
        }
        return new DefaultPooledObject<>(entry);
    }

    /** Commons Pool's validation: on borrow (when configured) and, for idle resources, when due. */
    boolean validate(PooledObject<Entry<T>> pooled) {
        Entry<T> entry = pooled.getObject();
        long now = clock.nanoTime();
        if (pooled.getState() == PooledObjectState.EVICTION
                && (validateIdleNanos < 0 || now - entry.validatedNanos < validateIdleNanos)) {
            return true; // an idle test that is not due yet
        }
        boolean valid;
        try {
            valid = entry.lane.validate(entry.resource);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable failed) {
            valid = false;
        }
        if (valid) {
            entry.validatedNanos = now;
        } else {
            entry.destroyReason = Reasons.VALIDATION_FAILED;
        }
        return valid;
    }

    void destroy(PooledObject<Entry<T>> pooled) {
        Entry<T> entry = pooled.getObject();
        String reason = closed && Reasons.INVALIDATED.equals(entry.destroyReason) ? Reasons.CLOSED : entry.destroyReason;
        try {
            entry.lane.destroy(entry.resource);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable ignored) {
            // the factory could not dispose of it cleanly; it is gone from the pool all the same
        } finally {
            entry.lane.alive.decrementAndGet();
            destroyedCount.increment();
            if (destroyed.isActive()) {
                destroyed.emit(Map.of(), Map.of(PoolEvents.POOL, name, PoolEvents.REASON, reason));
            }
        }
    }

    /** Bulwark's eviction decision for one idle resource, on the infrastructure's clock. */
    final EvictionPolicy<Entry<T>> evictionPolicy = new EvictionPolicy<>() {
        @Override
        public boolean evict(EvictionConfig ignored, PooledObject<Entry<T>> underTest, int idleCount) {
            Entry<T> entry = underTest.getObject();
            long idleFor = clock.nanoTime() - entry.returnedNanos;
            if (evictIdleNanos >= 0 && idleFor >= evictIdleNanos) {
                entry.destroyReason = Reasons.IDLE_EVICTED;
                return true;
            }
            if (entry.lane.alive.get() > entry.lane.maxSize && idleFor >= lingerNanos) {
                entry.destroyReason = Reasons.OVERFLOW_EXPIRED;
                return true;
            }
            return false;
        }
    };

    /** Whether Commons Pool's {@code evict()} has anything to do for this configuration. */
    boolean evictionWanted() {
        return evictIdleNanos >= 0 || validateIdleNanos >= 0 || config.maxOverflow() > 0;
    }

    // ---------------------------------------------------------------- leaks, status, health, close

    /** Reports leases held longer than the leak threshold, once each (sweeps may overlap: one at a time here). */
    synchronized void reportLeaks() {
        if (leases == null) {
            return;
        }
        long now = clock.nanoTime();
        for (Lease<T> lease : leases) {
            long held = now - lease.checkedOutNanos;
            if (!lease.leakReported && lease.isActive() && held >= leakNanos) {
                lease.leakReported = true;
                leaks.increment();
                if (leakSuspected.isActive()) {
                    leakSuspected.emit(Map.of(PoolEvents.HELD_MS, held / 1_000_000),
                            Map.of(PoolEvents.POOL, name, PoolEvents.STACK, stackOf(lease.checkedOutAt)));
                }
            }
        }
    }

    private static String stackOf(Throwable at) {
        StringWriter out = new StringWriter();
        at.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    PoolStatus status(int maxSize, int maxOverflow, int idle, int active, int waiters, int overflow) {
        return new PoolStatus(name, maxSize, maxOverflow, idle, active, waiters, overflow, createdCount.sum(),
                destroyedCount.sum(), timeouts.sum(), rejections.sum(), leaks.sum(), breaker.state());
    }

    /** Exhausted or breaker open: DEGRADED, or DOWN when the pool is marked critical. */
    Health health(PoolStatus status) {
        boolean breakerOpen = status.breaker() == dev.bulwark.circuit.State.OPEN
                || status.breaker() == dev.bulwark.circuit.State.DISABLED;
        Health health;
        if (closed) {
            health = Health.down("pool '" + name + "' is closed");
        } else if (breakerOpen) {
            String why = "resource creation is failing: its breaker is " + status.breaker().label()
                    + " and checkouts fail fast (7102)";
            health = config.critical() ? Health.down(why + "; marked critical") : Health.degraded(why);
        } else if (status.exhausted()) {
            String why = "exhausted: every resource is checked out (" + status.active() + "), " + status.waiters()
                    + " callers wait";
            health = config.critical() ? Health.down(why + "; marked critical") : Health.degraded(why);
        } else {
            health = Health.up();
        }
        return health.withDetail("active", status.active()).withDetail("idle", status.idle())
                .withDetail("waiters", status.waiters()).withDetail("breaker", status.breaker().label())
                .withDetail("critical", config.critical());
    }

    boolean isClosed() {
        return closed;
    }

    void maintenance(Scheduler.Task task) {
        this.maintenance = task;
    }

    /** Marks the pool closed; the caller then closes its lanes and Commons Pool. */
    boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        Scheduler.Task task = maintenance;
        if (task != null) {
            task.cancel();
        }
        return true;
    }
}
