package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Closed;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Scheduler;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Bounds how long a caller waits for a call: when the time is up the caller gets error 7002
 * (OPERATION_TIMED_OUT, no stack trace, HTTP 504) on time, whatever the call is doing.
 *
 * <pre>{@code
 * Timeout timeout = Timeout.of("pricing", TimeoutConfig.of(Duration.ofMillis(300)), infra.policyContext());
 * Result<Price> price = timeout.execute(() -> pricing.quote(order));
 * }</pre>
 *
 * <p><b>Synchronous forms.</b> The call runs on the context's executor while the caller waits for
 * its result or the deadline, whichever comes first. On timeout the call's thread is interrupted
 * (unless {@link TimeoutConfig#withInterruptOnTimeout disabled}); a call that ignores interrupts is
 * abandoned — it runs on, its result is discarded, and the caller is not kept waiting. An interrupt
 * the timeout delivered is cleared once the call returns, so pooled threads stay clean. If the
 * caller itself is interrupted while waiting, the call is interrupted too and the caller gets
 * error 5012. (With a direct executor such as {@code Runnable::run} the call runs on the caller's
 * thread and only its interruption can end it early.) A {@link VirtualMachineError} thrown by the
 * call is handed to the waiting caller at once and rethrown there, as it would be without a
 * timeout (see docs/errors.md, "Errors thrown by user code").
 *
 * <p><b>Asynchronous forms.</b> The returned stage completes with 7002 at the deadline and the
 * call's future is cancelled ({@code cancel(true)}, when interruption is enabled). Cancelling the
 * returned stage's future cancels the call's future and the deadline.
 *
 * <p>The deadline is kept by the context's {@link dev.bulwark.time.Timer}: with a
 * {@link dev.bulwark.time.ManualClock} it fires when the clock is advanced past it. <b>Event</b>:
 * {@code timeout.timed_out}. Thread-safe.
 */
public final class Timeout implements Policy {

    private final String name;
    private final TimeoutConfig config;
    private final PolicyContext context;
    private final long timeoutNanos;
    private final LongAdder calls = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final EventChannel timedOutChannel;

    private Timeout(String name, TimeoutConfig config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        this.timeoutNanos = config.timeout().toNanos();
        Telemetry telemetry = context.telemetry();
        this.timedOutChannel = telemetry.channel(telemetry.name(Events.TIMEOUT_TIMED_OUT));
    }

    /** A timeout on real time (see {@link PolicyContext#system()}). */
    public static Timeout of(String name, TimeoutConfig config) {
        return new Timeout(name, config, PolicyContext.system());
    }

    /**
     * A timeout on the given context.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Timeout of(String name, TimeoutConfig config, PolicyContext context) {
        return new Timeout(name, config, context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyContext context() {
        return context;
    }

    public TimeoutConfig config() {
        return config;
    }

    public TimeoutStats stats() {
        return new TimeoutStats(calls.sum(), timedOut.sum());
    }

    @Override
    public <T> Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return Result.err(closedError());
        }
        calls.increment();
        CompletableFuture<Result<T>> promise = new CompletableFuture<>();
        Worker<T> worker = new Worker<>(inner, promise, context.clock());
        Scheduler.Task deadline;
        try {
            deadline = context.timer().schedule(timeoutNanos, () -> expire(promise, worker.decided, worker::interrupt));
        } catch (IllegalStateException closedTimer) {
            return Result.err(closedError());
        }
        try {
            context.executor().execute(worker);
        } catch (RejectedExecutionException e) {
            deadline.cancel();
            return Result.err(context.isClosed() ? closedError() : Outcomes.failure(e, context.clock()));
        }
        try {
            return promise.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (config.interruptOnTimeout()) {
                worker.interrupt();
            }
            worker.decided.set(true);
            return Result.err(Outcomes.failure(e, context.clock()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof VirtualMachineError fatal) {
                throw fatal; // handed over by the worker: the caller sees it at once, as without a timeout
            }
            return Result.err(Outcomes.failure(e, context.clock()));
        } finally {
            deadline.cancel();
        }
    }

    @Override
    public <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        return race(inner::get, true);
    }

    @Override
    public <T> CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> call) {
        Objects.requireNonNull(call, "call");
        return race(call::get, false);
    }

    @Override
    public <T> Result<T> execute(ThrowingSupplier<T> call) {
        Objects.requireNonNull(call, "call");
        return apply(() -> Outcomes.run(call, context.clock()));
    }

    /**
     * Starts {@code start} and completes the returned stage with its outcome or, at the deadline,
     * with 7002, cancelling the started stage.
     */
    @SuppressWarnings("unchecked")
    private <T> CompletionStage<Result<T>> race(Supplier<? extends CompletionStage<?>> start, boolean yieldsResults) {
        if (context.isClosed()) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        calls.increment();
        CompletableFuture<Result<T>> promise = new CompletableFuture<>();
        StageHolder holder = new StageHolder(config.interruptOnTimeout());
        Scheduler.Task deadline;
        try {
            deadline = context.timer().schedule(timeoutNanos, () -> expire(promise, holder.decided, holder::cancel));
        } catch (IllegalStateException closedTimer) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        CompletionStage<?> stage;
        try {
            stage = start.get();
            if (stage == null) {
                throw new NullPointerException("the call returned no CompletionStage");
            }
        } catch (VirtualMachineError fatal) {
            holder.decided.set(true);
            deadline.cancel();
            throw fatal;
        } catch (Throwable t) {
            deadline.cancel();
            if (holder.decided.compareAndSet(false, true)) {
                promise.complete(Result.err(Outcomes.failure(t, context.clock())));
            }
            return promise;
        }
        holder.set(stage);
        promise.whenComplete((r, t) -> {
            if (promise.isCancelled() && holder.decided.compareAndSet(false, true)) {
                deadline.cancel();      // the caller gave up: stop the clock and the call
                holder.cancel();
            }
        });
        stage.whenComplete((value, thrown) -> {
            deadline.cancel();
            if (!holder.decided.compareAndSet(false, true)) {
                return;
            }
            if (thrown != null) {
                promise.complete(Result.err(Outcomes.failure(thrown, context.clock())));
            } else if (yieldsResults) {
                promise.complete(value != null ? (Result<T>) value
                        : Result.err(InfraError.of(CoreErrorCode.UNKNOWN, "a protection step returned no result")));
            } else {
                promise.complete(Result.ok((T) value));
            }
        });
        return promise;
    }

    /** The deadline passed: unless the call's outcome was decided first, report and time the caller out. */
    private <T> void expire(CompletableFuture<Result<T>> promise, AtomicBoolean decided, Runnable onExpiry) {
        if (!decided.compareAndSet(false, true)) {
            return;
        }
        if (context.isClosed()) { // run early by a closing timer: the caller is released with 2102, not 7002
            if (config.interruptOnTimeout()) {
                onExpiry.run();
            }
            promise.complete(Result.err(closedError()));
            return;
        }
        timedOut.increment();
        if (timedOutChannel.isActive()) {
            timedOutChannel.emit(Map.of("timeout_ms", timeoutNanos / 1_000_000d), Map.of("name", name));
        }
        if (config.interruptOnTimeout()) {
            onExpiry.run();
        }
        promise.complete(Result.err(timedOutError()));
    }

    /** 2102: the context (the infrastructure) is closed. */
    private InfraError closedError() {
        return Closed.error("timeout '" + name + "'", context.clock());
    }

    private InfraError timedOutError() {
        return InfraError.builder(CoreErrorCode.OPERATION_TIMED_OUT)
                .message("'" + name + "' timed out after " + config.timeout().toMillis() + " ms")
                .context("name", name)
                .context("timeout_ms", config.timeout().toMillis())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    @Override
    public String toString() {
        return "Timeout[" + name + ", " + config + "]";
    }

    /** Runs the call on the executor; can interrupt it while (and only while) it runs. */
    private static final class Worker<T> implements Runnable {
        final AtomicBoolean decided = new AtomicBoolean();
        private final Supplier<Result<T>> inner;
        private final CompletableFuture<Result<T>> promise;
        private final dev.bulwark.time.Clock clock;
        private Thread runner;
        private boolean finished;
        private boolean interruptedByUs;

        Worker(Supplier<Result<T>> inner, CompletableFuture<Result<T>> promise, dev.bulwark.time.Clock clock) {
            this.inner = inner;
            this.promise = promise;
            this.clock = clock;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (decided.get()) {
                    finished = true;
                    return;
                }
                runner = Thread.currentThread();
            }
            Result<T> result = null;
            VirtualMachineError fatal = null;
            try {
                result = Outcomes.get(inner, clock);
            } catch (VirtualMachineError e) {
                fatal = e;
            } finally {
                boolean clear;
                synchronized (this) {
                    finished = true;
                    runner = null;
                    clear = interruptedByUs;
                }
                if (clear) {
                    Thread.interrupted();
                }
            }
            if (decided.compareAndSet(false, true)) {
                if (fatal != null) {
                    promise.completeExceptionally(fatal); // the waiting caller rethrows it
                } else {
                    promise.complete(result);
                }
            } else if (fatal != null) {
                throw fatal; // the caller has gone (timed out): nobody else can see it
            }
        }

        synchronized void interrupt() {
            if (runner != null && !finished) {
                interruptedByUs = true;
                runner.interrupt();
            }
        }
    }

    /** The started stage, to cancel on timeout even if the timeout fires while it is being started. */
    private static final class StageHolder {
        final AtomicBoolean decided = new AtomicBoolean();
        private final boolean interrupt;
        private CompletionStage<?> stage;
        private boolean expired;

        StageHolder(boolean interrupt) {
            this.interrupt = interrupt;
        }

        void set(CompletionStage<?> started) {
            boolean cancelNow;
            synchronized (this) {
                stage = started;
                cancelNow = expired;
            }
            if (cancelNow) {
                cancel(started);
            }
        }

        void cancel() {
            CompletionStage<?> started;
            synchronized (this) {
                expired = true;
                started = stage;
            }
            if (started != null) {
                cancel(started);
            }
        }

        private void cancel(CompletionStage<?> started) {
            try {
                started.toCompletableFuture().cancel(interrupt);
            } catch (UnsupportedOperationException notCancellable) {
                // a stage that cannot be turned into a future cannot be cancelled: it is abandoned
            }
        }
    }
}
