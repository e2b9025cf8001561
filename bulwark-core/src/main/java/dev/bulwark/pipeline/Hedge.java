package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cuts the tail latency of an idempotent call by hedging: when the first attempt has not answered
 * after a delay, a second one starts (up to {@link HedgeConfig#maxAttempts()}), and the first
 * success is the call's result; the other attempts are cancelled and whatever they return later
 * is ignored. See docs/hedging.md.
 *
 * <pre>{@code
 * Hedge hedge = Hedge.of("catalog", HedgeConfig.builder().idempotent()
 *         .delayAtPercentile(95, Duration.ofMillis(20)).build(), infra.policyContext());
 * Result<Item> item = hedge.execute(() -> catalog.item(id));
 * }</pre>
 *
 * <p><b>Delay.</b> Fixed, or a rolling percentile of the latency of first attempts (an attempt
 * cancelled because another won counts with the time it had run: a lower bound that keeps the
 * slow ones above the percentile). Attempt n + 1 starts one delay after attempt n.
 *
 * <p><b>Budget.</b> Each call deposits {@link HedgeConfig#budgetRatio()} tokens into a bucket of
 * {@link HedgeConfig#budgetBurst()}; each extra attempt takes one. When the whole dependency is
 * slow every call would hedge: the budget then caps the extra load (≤ burst + ratio × calls) and
 * hedging stops until calls refill it ({@code hedge.budget_exhausted}).
 *
 * <p><b>Outcome.</b> The first success. A call whose single attempt failed returns that error
 * unchanged (a rejection stays a rejection). When every attempt of a hedged call failed: error
 * 7301 (HEDGE_FAILED) with the first failure's exception as cause and its retry strategy, and
 * {@code attempts} and {@code first_error_code} in the context. Failures do not start attempts:
 * retrying is the retry stage's business (it sits outside the hedge); an attempt that fails
 * leaves the others running, and the call ends when one succeeds or all have failed.
 *
 * <p><b>Synchronous forms.</b> Every attempt runs on the context's executor (so a hedge can win
 * while the first attempt is still blocked); the caller's thread waits for the first success. On
 * real time it waits one delay at a time and starts the next attempt itself when a delay passes,
 * so a call that answers in time arms no timer task; on another timer (a
 * {@link dev.bulwark.time.ManualClock}) the timer starts the hedges.
 * Losers still running are interrupted (their interrupt is cleared once they return, so pooled
 * threads stay clean). An interrupted caller interrupts every attempt and gets 5012.
 *
 * <p><b>Asynchronous forms.</b> Nothing blocks; extra attempts start from the context's
 * {@link dev.bulwark.time.Timer} on its executor. Losers' futures are cancelled
 * ({@code cancel(true)}), the operation's own future included. Cancelling the returned future
 * cancels every attempt. An attempt that has already completed when it is started (a cache hit)
 * returns at once without arming any timer.
 *
 * <p>The breaker stage, inside the hedge, sees each attempt exactly once; a cancelled or
 * interrupted loser ends with a cancellation or an interrupt, which the breaker ignores.
 * <b>Events</b>: {@code hedge.attempt_started}, {@code hedge.budget_exhausted}. Thread-safe.
 */
public final class Hedge implements Policy {

    private static final long MILLI_TOKENS = 1000;

    private final String name;
    private final HedgeConfig config;
    private final PolicyContext context;
    private final int maxAttempts;
    private final long fixedDelayNanos;
    private final RollingLatency latency;
    private final AtomicLong budgetMilliTokens;
    private final long budgetCapMilliTokens;
    private final long depositMilliTokens;
    private final LongAdder calls = new LongAdder();
    private final LongAdder hedgedCalls = new LongAdder();
    private final LongAdder extraAttempts = new LongAdder();
    private final LongAdder wonByHedge = new LongAdder();
    private final LongAdder budgetRefusals = new LongAdder();
    private final LongAdder allFailed = new LongAdder();
    private final EventChannel startedChannel;
    private final EventChannel budgetChannel;
    /** Whether the context's timer is real time: a synchronous caller then waits out the delays itself. */
    private final boolean realTime;

    private Hedge(String name, HedgeConfig config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        this.maxAttempts = config.maxAttempts();
        this.fixedDelayNanos = config.delay().toNanos();
        this.latency = config.isAdaptive()
                ? new RollingLatency(config.latencyWindow().toNanos(), config.percentile(), config.minSamples(),
                fixedDelayNanos, config.minDelay().toNanos(), config.maxDelay().toNanos(), context.clock().nanoTime())
                : null;
        this.budgetCapMilliTokens = config.budgetBurst() * MILLI_TOKENS;
        this.depositMilliTokens = Math.max(1, Math.round(config.budgetRatio() * MILLI_TOKENS));
        this.budgetMilliTokens = new AtomicLong(budgetCapMilliTokens);
        Telemetry telemetry = context.telemetry();
        this.startedChannel = telemetry.channel(Events.HEDGE_ATTEMPT_STARTED);
        this.budgetChannel = telemetry.channel(Events.HEDGE_BUDGET_EXHAUSTED);
        this.realTime = context.timer() instanceof dev.bulwark.internal.SystemTimer;
    }

    /** A hedge on real time (see {@link PolicyContext#system()}). */
    public static Hedge of(String name, HedgeConfig config) {
        return new Hedge(name, config, PolicyContext.system());
    }

    /**
     * A hedge on the given context (its executor runs the attempts, its timer starts the hedges).
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Hedge of(String name, HedgeConfig config, PolicyContext context) {
        return new Hedge(name, config, context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyContext context() {
        return context;
    }

    public HedgeConfig config() {
        return config;
    }

    /** Counters, the delay in force and the budget, now. */
    public HedgeStats stats() {
        return new HedgeStats(calls.sum(), hedgedCalls.sum(), extraAttempts.sum(), wonByHedge.sum(),
                budgetRefusals.sum(), allFailed.sum(), Duration.ofNanos(delayNanos()),
                budgetMilliTokens.get() / (double) MILLI_TOKENS);
    }

    /** The delay before the next attempt, now. */
    long delayNanos() {
        return latency == null ? fixedDelayNanos : latency.estimateNanos();
    }

    // ---------------------------------------------------------------- synchronous

    @Override
    public <T> Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        SyncRace<T> race = new SyncRace<>(inner, begin());
        if (realTime) {
            race.launch(0);
            return race.awaitHedging(); // the waiting caller is the timer: no timer task per call
        }
        race.arm();
        race.launch(0);
        return race.await();
    }

    // ---------------------------------------------------------------- asynchronous

    @Override
    public <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        return startAsync(null, attempt -> Outcomes.getAsync(inner, context.clock()));
    }

    @Override
    public <T> CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> call) {
        Objects.requireNonNull(call, "call");
        return startAsync(call, attempt -> Outcomes.runAsync(attempt, context.clock()));
    }

    /** The stage's form: each attempt runs {@code next} on a call whose operation's stage it keeps, to cancel it. */
    <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
        if (AsyncStep.isCall(next)) {
            return startAsync(call.asyncOperation(), attempt -> Outcomes.runAsync(attempt, context.clock()));
        }
        return startAsync(call.asyncOperation(), attempt -> next.run(call.withAsyncOperation(attempt)));
    }

    private <T> CompletionStage<Result<T>> startAsync(Supplier<? extends CompletionStage<T>> operation,
                                                      Function<AsyncAttempt<T>, CompletionStage<Result<T>>> starter) {
        long start = begin();
        AsyncAttempt<T> first = new AsyncAttempt<>(operation);
        CompletionStage<Result<T>> firstResult = first.start(starter, context.clock());
        if (isDone(firstResult)) {
            if (latency != null) {
                long now = context.clock().nanoTime();
                latency.record(now, now - start);
            }
            return firstResult;
        }
        AsyncRace<T> race = new AsyncRace<>(start, operation, starter);
        race.attempts[0] = first;
        race.started = 1;
        race.arm();
        race.watch(0, firstResult);
        race.promise.whenComplete((r, t) -> {
            if (race.promise.isCancelled()) {
                race.abandon(null);
            }
        });
        return race.promise;
    }

    private static boolean isDone(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture().isDone();
        } catch (UnsupportedOperationException notAFuture) {
            return false;
        }
    }

    // ---------------------------------------------------------------- budget and bookkeeping

    /** Counts a call, deposits its share of budget; returns its start time (0 when the delay is fixed). */
    private long begin() {
        calls.increment();
        AtomicLong tokens = budgetMilliTokens;
        long current;
        while ((current = tokens.get()) < budgetCapMilliTokens
                && !tokens.compareAndSet(current, Math.min(budgetCapMilliTokens, current + depositMilliTokens))) {
            Thread.onSpinWait();
        }
        return latency == null ? 0L : context.clock().nanoTime();
    }

    private boolean withdrawToken() {
        AtomicLong tokens = budgetMilliTokens;
        long current;
        while ((current = tokens.get()) >= MILLI_TOKENS) {
            if (tokens.compareAndSet(current, current - MILLI_TOKENS)) {
                return true;
            }
        }
        return false;
    }

    private InfraError hedgeFailed(int attempts, InfraError first) {
        allFailed.increment();
        return InfraError.builder(CoreErrorCode.HEDGE_FAILED)
                .message("'" + name + "': all " + attempts + " hedged attempts failed; first error: " + first.message())
                .context("name", name)
                .context("attempts", attempts)
                .context("first_error_code", first.code())
                .cause(first.toException())
                .retryStrategy(first.retryStrategy())
                .retryAfter(first.retryAfter())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    @Override
    public String toString() {
        return "Hedge[" + name + ", " + config + "]";
    }

    /**
     * One call's attempts racing: started by the caller (the first) and the timer (the others),
     * decided by the first success or the last failure, under this object's lock (uncontended but
     * for the moments an attempt ends or a hedge starts).
     */
    private abstract class Race<T> {
        final CompletableFuture<Result<T>> promise = new CompletableFuture<>();
        final long startNanos;
        final long delay = delayNanos();
        int started;
        int finished;
        boolean decided;
        boolean budgetRefused;
        /** A synchronous call on real time: its waiting caller starts the next attempts, not the timer. */
        boolean selfTimed;
        long firstEndNanos = Long.MIN_VALUE;
        InfraError firstFailure;
        Scheduler.Task nextHedge;

        Race(long startNanos) {
            this.startNanos = startNanos;
        }

        /** Starts attempt {@code index} (the first on the caller's thread, others on the executor). */
        abstract void launch(int index);

        abstract void cancel(int index);

        /** Arms the timer for the next attempt; called with the lock held, or before the race is shared. */
        final void arm() {
            try {
                nextHedge = context.timer().schedule(delay, this::onDelay);
            } catch (IllegalStateException timerClosed) {
                nextHedge = null; // no more hedging: the infrastructure is closing
            }
        }

        /** The delay passed: start the next attempt if nothing has answered and the budget allows it. */
        final void onDelay() {
            int index;
            synchronized (this) {
                nextHedge = null;
                if (decided || started >= maxAttempts) {
                    return;
                }
                if (!withdrawToken()) {
                    budgetRefused = true;
                    budgetRefusals.increment();
                    if (budgetChannel.isActive()) {
                        budgetChannel.emit(Map.of(EventKeys.ATTEMPT, started + 1), Map.of(EventKeys.NAME, name));
                    }
                    return;
                }
                index = started++;
                if (started < maxAttempts && !selfTimed) {
                    arm();
                }
            }
            if (index == 1) {
                hedgedCalls.increment();
            }
            extraAttempts.increment();
            if (startedChannel.isActive()) {
                startedChannel.emit(Map.of(EventKeys.ATTEMPT, index + 1, EventKeys.DELAY_MS, index * delay / 1_000_000d),
                        Map.of(EventKeys.NAME, name));
            }
            try {
                context.executor().execute(() -> launch(index));
            } catch (RejectedExecutionException e) {
                onResult(index, Result.err(Outcomes.failure(e, context.clock())));
            }
        }

        /** Attempt {@code index} ended with {@code result}. */
        final void onResult(int index, Result<T> result) {
            Result<T> outcome;
            int attempts;
            Scheduler.Task pending;
            synchronized (this) {
                if (decided) {
                    return; // a loser's late result: ignored
                }
                finished++;
                if (index == 0 && latency != null) {
                    firstEndNanos = context.clock().nanoTime();
                }
                if (result instanceof Result.Ok) {
                    outcome = result;
                } else {
                    InfraError error = ((Result.Err<T>) result).error();
                    if (firstFailure == null) {
                        firstFailure = error;
                    }
                    if (finished < started) {
                        return; // others are still running
                    }
                    outcome = started == 1 ? result : null;
                }
                decided = true;
                attempts = started;
                pending = nextHedge;
                nextHedge = null;
            }
            if (pending != null) {
                pending.cancel();
            }
            if (outcome == null) {
                outcome = Result.err(hedgeFailed(attempts, firstFailure));
            } else if (outcome.isOk() && index > 0) {
                wonByHedge.increment();
            }
            finish(attempts, index);
            promise.complete(outcome);
        }

        /** Ends the race without a winner (caller interrupted or cancelled); {@code outcome} may be null. */
        final void abandon(Result<T> outcome) {
            int attempts;
            Scheduler.Task pending;
            synchronized (this) {
                if (decided) {
                    return;
                }
                decided = true;
                attempts = started;
                pending = nextHedge;
                nextHedge = null;
            }
            if (pending != null) {
                pending.cancel();
            }
            finish(attempts, -1);
            if (outcome != null) {
                promise.complete(outcome);
            }
        }

        /** Cancels every attempt but the winner and records the first attempt's latency. */
        private void finish(int attempts, int winner) {
            for (int i = 0; i < attempts; i++) {
                if (i != winner) {
                    cancel(i);
                }
            }
            if (latency != null) {
                long now = context.clock().nanoTime();
                long end = firstEndNanos != Long.MIN_VALUE ? firstEndNanos : now;
                latency.record(now, end - startNanos);
            }
        }
    }

    /** A synchronous call: attempts on the executor, the caller waiting for the promise. */
    private final class SyncRace<T> extends Race<T> {
        final Supplier<Result<T>> inner;
        final SyncAttempt[] attempts = new SyncAttempt[maxAttempts];

        SyncRace(Supplier<Result<T>> inner, long startNanos) {
            super(startNanos);
            this.inner = inner;
            this.started = 1;
            this.selfTimed = realTime;
        }

        @Override
        void launch(int index) {
            SyncAttempt attempt = new SyncAttempt(this, index);
            synchronized (this) {
                attempts[index] = attempt;
            }
            if (index == 0) {
                try {
                    context.executor().execute(attempt);
                } catch (RejectedExecutionException e) {
                    onResult(0, Result.err(Outcomes.failure(e, context.clock())));
                }
            } else {
                attempt.run();  // already on the executor
            }
        }

        @Override
        void cancel(int index) {
            SyncAttempt attempt;
            synchronized (this) {
                attempt = attempts[index];
            }
            if (attempt != null) {
                attempt.cancel();
            }
        }

        void runAttempt(SyncAttempt attempt) {
            Result<T> result = Outcomes.get(inner, context.clock());
            attempt.finished();
            onResult(attempt.index, result);
        }

        /**
         * Waits on the real-time clock: one delay at a time for an answer, starting the next
         * attempt itself when the delay passes (the same step the timer would take).
         */
        Result<T> awaitHedging() {
            try {
                while (true) {
                    boolean more;
                    synchronized (this) {
                        more = !decided && started < maxAttempts && !budgetRefused;
                    }
                    if (!more) {
                        return promise.get();
                    }
                    try {
                        return promise.get(delay, java.util.concurrent.TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException late) {
                        onDelay();
                    }
                }
            } catch (InterruptedException e) {
                return interrupted(e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                return Result.err(Outcomes.failure(e, context.clock()));
            }
        }

        private Result<T> interrupted(InterruptedException e) {
            Thread.currentThread().interrupt();
            Result<T> interrupted = Result.err(Outcomes.failure(e, context.clock()));
            abandon(interrupted);
            return promise.getNow(interrupted);
        }

        Result<T> await() {
            try {
                return promise.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Result<T> interrupted = Result.err(Outcomes.failure(e, context.clock()));
                abandon(interrupted);
                return promise.getNow(interrupted);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                return Result.err(Outcomes.failure(e, context.clock()));
            }
        }
    }

    /** One synchronous attempt: interruptible while (and only while) it runs. */
    private static final class SyncAttempt implements Runnable {
        final SyncRace<?> race;
        final int index;
        private Thread runner;
        private boolean cancelled;
        private boolean done;
        private boolean interruptedByUs;

        SyncAttempt(SyncRace<?> race, int index) {
            this.race = race;
            this.index = index;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (cancelled) {
                    done = true;
                    return;
                }
                runner = Thread.currentThread();
            }
            try {
                race.runAttempt(this);
            } catch (VirtualMachineError fatal) {
                finished();
                race.abandon(null);
                race.promise.completeExceptionally(fatal);
                throw fatal;
            }
        }

        /** The attempt returned: no interrupt may reach its thread any more (and ours is cleared). */
        void finished() {
            boolean clear;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                runner = null;
                clear = interruptedByUs;
            }
            if (clear) {
                Thread.interrupted();
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (runner != null && !done) {
                interruptedByUs = true;
                runner.interrupt();
            }
        }
    }

    /** An asynchronous call: attempts started by the caller and the timer, completing the promise. */
    private final class AsyncRace<T> extends Race<T> {
        final Supplier<? extends CompletionStage<T>> operation;
        final Function<AsyncAttempt<T>, CompletionStage<Result<T>>> starter;
        @SuppressWarnings("unchecked")
        final AsyncAttempt<T>[] attempts = new AsyncAttempt[maxAttempts];

        AsyncRace(long startNanos, Supplier<? extends CompletionStage<T>> operation,
                  Function<AsyncAttempt<T>, CompletionStage<Result<T>>> starter) {
            super(startNanos);
            this.operation = operation;
            this.starter = starter;
        }

        @Override
        void launch(int index) {
            AsyncAttempt<T> attempt = new AsyncAttempt<>(operation);
            synchronized (this) {
                attempts[index] = attempt;
            }
            CompletionStage<Result<T>> result;
            try {
                result = attempt.start(starter, context.clock());
            } catch (VirtualMachineError fatal) {
                onResult(index, Result.err(Outcomes.failure(fatal, context.clock())));
                throw fatal;
            }
            watch(index, result);
        }

        void watch(int index, CompletionStage<Result<T>> result) {
            result.whenComplete((r, t) -> onResult(index, t != null ? Result.err(Outcomes.failure(t, context.clock()))
                    : r != null ? r : Result.err(InfraError.of(CoreErrorCode.UNKNOWN, "a protection step returned no result"))));
        }

        @Override
        void cancel(int index) {
            AsyncAttempt<T> attempt;
            synchronized (this) {
                attempt = attempts[index];
            }
            if (attempt != null) {
                attempt.cancel();
            }
        }
    }

    /**
     * One asynchronous attempt. As the operation given to the inner steps it keeps the stage the
     * user's operation returned, so that cancelling a loser reaches the operation itself, whatever
     * sits between.
     */
    private static final class AsyncAttempt<T> implements Supplier<CompletionStage<T>> {
        private final Supplier<? extends CompletionStage<T>> operation;
        private volatile CompletionStage<T> operationStage;
        private volatile CompletionStage<Result<T>> resultStage;
        private volatile boolean cancelled;

        AsyncAttempt(Supplier<? extends CompletionStage<T>> operation) {
            this.operation = operation;
        }

        CompletionStage<Result<T>> start(Function<AsyncAttempt<T>, CompletionStage<Result<T>>> starter,
                                         dev.bulwark.time.Clock clock) {
            CompletionStage<Result<T>> result;
            try {
                result = starter.apply(this);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                result = CompletableFuture.completedFuture(Result.err(Outcomes.failure(t, clock)));
            }
            if (result == null) {
                result = CompletableFuture.completedFuture(
                        Result.err(InfraError.of(CoreErrorCode.UNKNOWN, "a protection step returned no stage")));
            }
            resultStage = result;
            if (cancelled) {
                cancel();
            }
            return result;
        }

        @Override
        public CompletionStage<T> get() {
            CompletionStage<T> stage = operation.get();
            operationStage = stage;
            if (cancelled && stage != null) {
                cancelStage(stage);
            }
            return stage;
        }

        void cancel() {
            cancelled = true;
            CompletionStage<T> op = operationStage;
            if (op != null) {
                cancelStage(op);
            }
            CompletionStage<Result<T>> result = resultStage;
            if (result != null) {
                cancelStage(result);
            }
        }

        private static void cancelStage(CompletionStage<?> stage) {
            try {
                stage.toCompletableFuture().cancel(true);
            } catch (UnsupportedOperationException notCancellable) {
                // a stage that is not a future cannot be cancelled: it is abandoned, its result ignored
            }
        }
    }
}
