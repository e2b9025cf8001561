package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Closed;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Limits how many calls run at once, so that a slow dependency cannot take every thread of the
 * service with it. A caller that finds the bulkhead full waits up to
 * {@link BulkheadConfig#maxWait()} for a place, then is rejected with error 7001 (BULKHEAD_FULL,
 * no stack trace, HTTP 503).
 *
 * <pre>{@code
 * Bulkhead reports = Bulkhead.of("reports", BulkheadConfig.of(4).withMaxWait(Duration.ofMillis(50)), infra.policyContext());
 * Result<Report> report = reports.execute(() -> renderer.render(request));
 * }</pre>
 *
 * <p><b>Guarantee.</b> Never more than {@code maxConcurrentCalls} calls hold a place at once; a
 * place is given back when the call ends, however it ends. Admission without waiting is one
 * compare-and-set. Waiting callers are served in arrival order, but a caller arriving just as a
 * place frees may take it first (the bulkhead is not strictly fair). The synchronous forms block
 * while waiting; the asynchronous forms wait without a thread. Waits are timed by the context's
 * {@link dev.bulwark.time.Timer}.
 *
 * <p>{@link #tryAcquirePermit()} / {@link #releasePermit()} serve callers that run the call
 * themselves; a release with no place held is ignored (and counted), so it cannot raise the capacity. {@link #reconfigure} changes the limit at run time, keeping the calls in flight.
 * <b>Event</b>: {@code bulkhead.call_rejected}. Thread-safe.
 */
public final class Bulkhead implements Policy {

    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int GAVE_UP = 2;

    private final String name;
    private final PolicyContext context;
    private volatile BulkheadConfig config;
    /** Places held now; never above the limit and never below zero (an unmatched release is ignored). */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder unmatchedReleases = new LongAdder();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final EventChannel rejectedChannel;

    private Bulkhead(String name, BulkheadConfig config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        Telemetry telemetry = context.telemetry();
        this.rejectedChannel = telemetry.channel(telemetry.name(Events.BULKHEAD_CALL_REJECTED));
    }

    /** A bulkhead on real time (see {@link PolicyContext#system()}). */
    public static Bulkhead of(String name, BulkheadConfig config) {
        return new Bulkhead(name, config, PolicyContext.system());
    }

    /**
     * A bulkhead on the given context.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Bulkhead of(String name, BulkheadConfig config, PolicyContext context) {
        return new Bulkhead(name, config, context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyContext context() {
        return context;
    }

    public BulkheadConfig config() {
        return config;
    }

    public BulkheadStats stats() {
        BulkheadConfig c = config;
        return new BulkheadStats(c.maxConcurrentCalls(), inFlight.get(), waitingCount.get(), admitted.sum(),
                rejected.sum(), unmatchedReleases.sum());
    }

    /**
     * Takes a place if one is free now and nobody is waiting for one; never waits. A caller that
     * got a place must {@link #releasePermit() release} it exactly once. False once the context is
     * closed (see {@link PolicyContext#isClosed()}).
     */
    public boolean tryAcquirePermit() {
        return !context.isClosed() && takeFreePlace();
    }

    private boolean takeFreePlace() {
        if (waitingCount.get() == 0 && grab()) {
            admitted.increment();
            return true;
        }
        return false;
    }

    /**
     * Gives back a place taken by {@link #tryAcquirePermit()} and hands it to the longest
     * waiting caller, if any. A release while no place is held (one release too many) is ignored
     * and counted in {@link BulkheadStats#unmatchedReleases()}: it can never raise the capacity.
     */
    public void releasePermit() {
        while (true) {
            int held = inFlight.get();
            if (held <= 0) {
                unmatchedReleases.increment();
                return;
            }
            if (inFlight.compareAndSet(held, held - 1)) {
                break;
            }
        }
        if (waitingCount.get() != 0) {
            drain();
        }
    }

    /**
     * Changes the limit and the wait, keeping the calls in flight: after shrinking, new calls are
     * admitted only once the calls in flight are below the new limit.
     */
    public void reconfigure(BulkheadConfig newConfig) {
        Objects.requireNonNull(newConfig, "newConfig");
        config = newConfig; // places are counted as held, so the new limit applies to the next grab
        drain();
    }

    @Override
    public <T> Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return Result.err(closedError());
        }
        if (!takeFreePlace()) {
            long maxWait = config.maxWait().toNanos();
            if (maxWait == 0) {
                return Result.err(rejection(false));
            }
            Waiter waiter = enqueue(maxWait);
            boolean granted;
            try {
                granted = waiter.future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (!waiter.giveUp()) {
                    releasePermit();
                }
                return Result.err(Outcomes.failure(e, context.clock()));
            } catch (ExecutionException e) {
                return Result.err(Outcomes.failure(e, context.clock()));
            }
            if (!granted) {
                return Result.err(context.isClosed() ? closedError() : rejection(true));
            }
        }
        try {
            return Outcomes.get(inner, context.clock());
        } finally {
            releasePermit();
        }
    }

    @Override
    public <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        if (takeFreePlace()) {
            return runHoldingPermit(inner, true);
        }
        long maxWait = config.maxWait().toNanos();
        if (maxWait == 0) {
            return CompletableFuture.completedFuture(Result.err(rejection(false)));
        }
        Waiter waiter = enqueue(maxWait);
        CompletableFuture<Result<T>> result = waiter.future.thenCompose(granted -> granted
                ? runHoldingPermit(inner, false)
                : CompletableFuture.completedFuture(Result.err(context.isClosed() ? closedError() : rejection(true))));
        result.whenComplete((r, t) -> {
            if (result.isCancelled()) {
                waiter.giveUp();
            }
        });
        return result;
    }

    /**
     * Starts {@code inner} in the place just taken and gives the place back when it completes. A
     * {@link VirtualMachineError} thrown while starting gives the place back too; it propagates on
     * the caller's thread, and becomes 5012 on a thread that granted a waiter its place.
     */
    private <T> CompletionStage<Result<T>> runHoldingPermit(Supplier<? extends CompletionStage<Result<T>>> inner,
                                                            boolean onCallersThread) {
        CompletableFuture<Result<T>> done = new CompletableFuture<>();
        CompletionStage<Result<T>> started;
        try {
            started = Outcomes.getAsync(inner, context.clock());
        } catch (VirtualMachineError fatal) {
            releasePermit();
            if (onCallersThread) {
                throw fatal;
            }
            return CompletableFuture.completedFuture(Result.err(Outcomes.failure(fatal, context.clock())));
        }
        started.whenComplete((r, t) -> {
            releasePermit();
            done.complete(t == null ? r : Result.err(Outcomes.failure(t, context.clock())));
        });
        return done;
    }

    private boolean grab() {
        while (true) {
            int held = inFlight.get();
            if (held >= config.maxConcurrentCalls()) {
                return false;
            }
            if (inFlight.compareAndSet(held, held + 1)) {
                return true;
            }
        }
    }

    private Waiter enqueue(long maxWaitNanos) {
        Waiter waiter = new Waiter();
        synchronized (queue) {
            queue.add(waiter);
            waitingCount.incrementAndGet();
        }
        // A place may have been freed between the failed attempt and the enqueue: the releaser
        // then did not see us waiting, so look again ourselves.
        drain();
        if (waiter.state.get() == WAITING) {
            try {
                waiter.expiry = context.timer().schedule(maxWaitNanos, waiter::giveUp);
            } catch (IllegalStateException closedTimer) {
                waiter.giveUp(); // no timer to end the wait: give up now (2102 when the context is closed)
            }
        }
        return waiter;
    }

    /** Hands free places to waiting callers, in order. Futures are completed outside the lock. */
    private void drain() {
        List<Waiter> granted = null;
        synchronized (queue) {
            while (!queue.isEmpty() && grab()) {
                Waiter next = queue.poll();
                waitingCount.decrementAndGet();
                if (next.state.compareAndSet(WAITING, GRANTED)) {
                    if (granted == null) {
                        granted = new ArrayList<>(2);
                    }
                    granted.add(next);
                } else {
                    inFlight.decrementAndGet(); // it gave up meanwhile: the place it was to get is free again
                }
            }
        }
        if (granted != null) {
            for (Waiter w : granted) {
                admitted.increment();
                Scheduler.Task expiry = w.expiry;
                if (expiry != null) {
                    expiry.cancel();
                }
                w.future.complete(Boolean.TRUE);
            }
        }
    }

    /** 2102: the context (the infrastructure) is closed. */
    private InfraError closedError() {
        return Closed.error("bulkhead '" + name + "'", context.clock());
    }

    private InfraError rejection(boolean waited) {
        rejected.increment();
        BulkheadConfig c = config;
        if (rejectedChannel.isActive()) {
            rejectedChannel.emit(Map.of("max_concurrent", c.maxConcurrentCalls()), Map.of("name", name, "waited", waited));
        }
        return InfraError.builder(CoreErrorCode.BULKHEAD_FULL)
                .message("bulkhead '" + name + "' is full: " + c.maxConcurrentCalls() + " calls in flight"
                        + (waited ? " after waiting " + c.maxWait().toMillis() + " ms" : ""))
                .context("name", name)
                .context("max_concurrent", c.maxConcurrentCalls())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    @Override
    public String toString() {
        return "Bulkhead[" + name + ", " + config + "]";
    }

    /** A caller waiting for a place; it is granted one, or gives up (wait over, interrupted, cancelled). */
    private final class Waiter {
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile Scheduler.Task expiry;

        /** Stops waiting; false if a place was already granted (the caller then owns it). */
        boolean giveUp() {
            if (!state.compareAndSet(WAITING, GAVE_UP)) {
                return state.get() == GAVE_UP;
            }
            synchronized (queue) {
                if (queue.remove(this)) {
                    waitingCount.decrementAndGet();
                }
            }
            future.complete(Boolean.FALSE);
            return true;
        }
    }
}
