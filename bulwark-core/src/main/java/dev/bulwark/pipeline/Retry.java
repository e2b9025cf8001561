package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.spi.Call;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.internal.Closed;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Runs a call again when it fails with an error that may go away: up to
 * {@link RetryConfig#maxAttempts()} attempts, waiting between them as {@link RetryConfig}
 * describes (backoff with jitter, at least the error's {@code retryAfter}), within an optional
 * {@link RetryBudget}.
 *
 * <pre>{@code
 * Retry retry = Retry.of("inventory", RetryConfig.builder()
 *         .maxAttempts(4).exponentialBackoff(Duration.ofMillis(50), Duration.ofSeconds(1)).jitter(0.5)
 *         .budget(RetryBudget.of(0.1, 10))
 *         .build(), infra.policyContext());
 * Result<Stock> stock = retry.execute(() -> inventory.stock(sku));
 * }</pre>
 *
 * <p><b>Outcome.</b> The first success is returned. An error that may not be retried is returned
 * as it is, and so is an error whose {@code retryAfter} exceeds {@link RetryConfig#maxRetryAfter()}.
 * When every attempt failed, the result is error 7003 (RETRIES_EXHAUSTED) whose cause is the last
 * error's exception and whose context holds {@code attempts} and {@code last_error_code}; when the
 * budget refuses a retry, error 7004 (RETRY_BUDGET_EXHAUSTED) in the same form. Neither is retried
 * by an outer retry.
 *
 * <p><b>Waiting.</b> The synchronous forms wait on the context's {@link dev.bulwark.time.Timer}
 * (real sleep, or an advance of a {@link dev.bulwark.time.ManualClock}); an interrupt while
 * waiting ends the retries with the last error and keeps the thread's interrupt status. The
 * asynchronous forms never block: the next attempt is scheduled on the timer and started on the
 * context's executor; cancelling the returned stage's future stops further attempts.
 *
 * <p><b>Events</b>: {@code retry.retry_scheduled}, {@code retry.exhausted},
 * {@code retry.budget_exhausted}. Thread-safe; one instance serves any number of calls and holds
 * the budget's tokens.
 */
public final class Retry implements Policy {

    private static final long MILLI_TOKENS = 1000;

    private final String name;
    private final RetryConfig config;
    private final PolicyContext context;
    private final AtomicLong budgetMilliTokens;
    private final long budgetCapMilliTokens;
    private final long depositMilliTokens;
    private final long maxRetryAfterNanos;
    private final LongAdder retries = new LongAdder();
    private final LongAdder exhausted = new LongAdder();
    private final LongAdder budgetRejections = new LongAdder();
    private final EventChannel scheduledChannel;
    private final EventChannel exhaustedChannel;
    private final EventChannel budgetChannel;

    private Retry(String name, RetryConfig config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        RetryBudget budget = config.budget();
        this.budgetCapMilliTokens = budget == null ? 0 : budget.burst() * MILLI_TOKENS;
        this.depositMilliTokens = budget == null ? 0 : Math.max(1, Math.round(budget.retryRatio() * MILLI_TOKENS));
        this.budgetMilliTokens = budget == null ? null : new AtomicLong(budgetCapMilliTokens);
        this.maxRetryAfterNanos = config.maxRetryAfter().toNanos();
        Telemetry telemetry = context.telemetry();
        this.scheduledChannel = telemetry.channel(telemetry.name(Events.RETRY_SCHEDULED));
        this.exhaustedChannel = telemetry.channel(telemetry.name(Events.RETRY_EXHAUSTED));
        this.budgetChannel = telemetry.channel(telemetry.name(Events.RETRY_BUDGET_EXHAUSTED));
    }

    /** A retry on real time, with no telemetry listener (see {@link PolicyContext#system()}). */
    public static Retry of(String name, RetryConfig config) {
        return new Retry(name, config, PolicyContext.system());
    }

    /**
     * A retry on the given context ({@code infra.policyContext()}, or one with a manual clock).
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Retry of(String name, RetryConfig config, PolicyContext context) {
        return new Retry(name, config, context);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PolicyContext context() {
        return context;
    }

    public RetryConfig config() {
        return config;
    }

    /** Counters and the budget's tokens, now. */
    public RetryStats stats() {
        return new RetryStats(retries.sum(), exhausted.sum(), budgetRejections.sum(),
                budgetMilliTokens == null ? Double.NaN : budgetMilliTokens.get() / (double) MILLI_TOKENS);
    }

    @Override
    public <T> Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return Result.err(closedError());
        }
        return retried(inner, null, null, null, null, null);
    }

    /**
     * Runs the attempts: {@code inner} if given, else {@code next} with the call's parts (the retry
     * stage's form, with no lambda per call; it calls this directly, one inlining level less).
     */
    <T> Result<T> retried(Supplier<Result<T>> inner, DirectStep next, ThrowingSupplier<T> operation,
                                  String entityId, Criticality criticality, Call<T> call) {
        startCall();
        Result<T> first = inner != null ? Outcomes.get(inner, context.clock()) : next.run(operation, entityId, criticality, call);
        return first instanceof Result.Ok ? first : retriedAfter(first, inner, next, operation, entityId, criticality, call);
    }

    /** The attempts after a failed first one (kept out of the success path so that it stays small). */
    private <T> Result<T> retriedAfter(Result<T> failed, Supplier<Result<T>> inner, DirectStep next,
                                       ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
        Result<T> result = failed;
        for (int attempt = 1; ; attempt++) {
            if (context.isClosed()) {
                return Result.err(closedError()); // closed while this call was under way: no further attempt
            }
            InfraError error = ((Result.Err<T>) result).error();
            long delay = nextDelay(attempt, error);
            if (delay < 0) {
                return stopped(delay, attempt, error);
            }
            if (Thread.currentThread().isInterrupted()) {
                return result;
            }
            try {
                if (delay > 0) {
                    context.timer().sleep(delay);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result;
            }
            result = inner != null ? Outcomes.get(inner, context.clock()) : next.run(operation, entityId, criticality, call);
            if (result instanceof Result.Ok) {
                return result;
            }
        }
    }

    @Override
    public <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        startCall();
        AsyncRetry<T> retry = new AsyncRetry<>(inner);
        retry.attempt();
        return retry.promise;
    }

    private void startCall() {
        AtomicLong tokens = budgetMilliTokens;
        if (tokens != null) {
            long current;
            while ((current = tokens.get()) < budgetCapMilliTokens
                    && !tokens.compareAndSet(current, Math.min(budgetCapMilliTokens, current + depositMilliTokens))) {
                Thread.onSpinWait();
            }
        }
    }

    private boolean withdrawRetryToken() {
        AtomicLong tokens = budgetMilliTokens;
        if (tokens == null) {
            return true;
        }
        long current;
        while ((current = tokens.get()) >= MILLI_TOKENS) {
            if (tokens.compareAndSet(current, current - MILLI_TOKENS)) {
                return true;
            }
        }
        return false;
    }

    private static final long NOT_RETRYABLE = -1;
    private static final long EXHAUSTED = -2;
    private static final long RETRY_AFTER_TOO_LONG = -3;
    private static final long BUDGET_EXHAUSTED = -4;

    /**
     * After attempt number {@code attempt} failed with {@code error}: the wait before the next
     * attempt (and the retry is then counted), or a negative reason to stop.
     */
    private long nextDelay(int attempt, InfraError error) {
        RetryStrategy strategy = error.retryStrategy();
        if (!strategy.isRetryable() || (config.retryIf() != null && !config.retryIf().test(error))) {
            return NOT_RETRYABLE;
        }
        if (attempt >= config.maxAttempts()) {
            return EXHAUSTED;
        }
        long delay = 0;
        if (strategy != RetryStrategy.IMMEDIATE) {
            delay = jittered(config.backoffNanos(attempt));
            Duration retryAfter = error.retryAfter();
            if (retryAfter != null) {
                long after = retryAfter.toNanos();
                if (after > maxRetryAfterNanos) {
                    return RETRY_AFTER_TOO_LONG;
                }
                delay = Math.max(delay, after);
            }
        }
        if (!withdrawRetryToken()) {
            return BUDGET_EXHAUSTED;
        }
        retries.increment();
        if (scheduledChannel.isActive()) {
            scheduledChannel.emit(Map.of("attempt", attempt + 1, "delay_ms", delay / 1_000_000d),
                    Map.of("name", name, "error_code", error.code()));
        }
        return delay;
    }

    private long jittered(long backoff) {
        double jitter = config.jitter();
        if (jitter == 0 || backoff == 0) {
            return backoff;
        }
        RandomGenerator random = config.random() != null ? config.random() : ThreadLocalRandom.current();
        return backoff - (long) (backoff * jitter * random.nextDouble());
    }

    private <T> Result<T> stopped(long reason, int attempts, InfraError last) {
        if (reason == EXHAUSTED) {
            exhausted.increment();
            if (exhaustedChannel.isActive()) {
                exhaustedChannel.emit(Map.of("attempts", attempts), Map.of("name", name, "error_code", last.code()));
            }
            return Result.err(giveUp(CoreErrorCode.RETRIES_EXHAUSTED,
                    "'" + name + "': all " + attempts + " attempts failed; last error: " + last.message(), attempts, last));
        }
        if (reason == BUDGET_EXHAUSTED) {
            budgetRejections.increment();
            if (budgetChannel.isActive()) {
                budgetChannel.emit(Map.of("attempt", attempts + 1), Map.of("name", name, "error_code", last.code()));
            }
            return Result.err(giveUp(CoreErrorCode.RETRY_BUDGET_EXHAUSTED,
                    "'" + name + "': retry budget exhausted after " + attempts + " attempt(s); last error: " + last.message(),
                    attempts, last));
        }
        return Result.err(last);
    }

    private InfraError giveUp(ErrorCode code, String message, int attempts, InfraError last) {
        return InfraError.builder(code)
                .message(message)
                .context("name", name)
                .context("attempts", attempts)
                .context("last_error_code", last.code())
                .cause(last.toException())
                .timestampMillis(context.clock().currentTimeMillis())
                .build();
    }

    /** 2102: the context (the infrastructure) is closed. */
    private InfraError closedError() {
        return Closed.error("retry '" + name + "'", context.clock());
    }

    @Override
    public String toString() {
        return "Retry[" + name + ", " + config + "]";
    }

    /** One asynchronous call: attempts chained through the timer, never blocking a thread. */
    private final class AsyncRetry<T> implements BiConsumer<Result<T>, Throwable> {
        final CompletableFuture<Result<T>> promise = new CompletableFuture<>();
        final Supplier<? extends CompletionStage<Result<T>>> inner;
        volatile Scheduler.Task pending;
        int attempt;

        AsyncRetry(Supplier<? extends CompletionStage<Result<T>>> inner) {
            this.inner = inner;
            promise.whenComplete((r, t) -> {
                Scheduler.Task task = pending;
                if (task != null) {
                    task.cancel();
                }
            });
        }

        void attempt() {
            if (promise.isDone()) {
                return;
            }
            if (attempt > 0 && context.isClosed()) {
                promise.complete(Result.err(closedError()));
                return;
            }
            attempt++;
            CompletionStage<Result<T>> started;
            try {
                started = Outcomes.getAsync(inner, context.clock());
            } catch (VirtualMachineError fatal) {
                if (attempt == 1) {
                    throw fatal; // the first attempt starts on the caller's thread: it propagates there
                }
                // a later attempt starts on the executor (or the timer's advance): no caller to throw to
                promise.complete(Result.err(Outcomes.failure(fatal, context.clock())));
                return;
            }
            started.whenComplete(this);
        }

        @Override
        public void accept(Result<T> result, Throwable thrown) {
            Result<T> outcome = thrown != null ? Result.err(Outcomes.failure(thrown, context.clock())) : result;
            if (outcome instanceof Result.Ok || promise.isDone()) {
                promise.complete(outcome);
                return;
            }
            InfraError error = ((Result.Err<T>) outcome).error();
            if (context.isClosed()) {
                promise.complete(Result.err(closedError())); // no further attempt once the context is closed
                return;
            }
            long delay = nextDelay(attempt, error);
            if (delay < 0) {
                promise.complete(stopped(delay, attempt, error));
            } else if (delay == 0) {
                resume();
            } else {
                try {
                    pending = context.timer().schedule(delay, this::resume);
                } catch (IllegalStateException closedTimer) {
                    promise.complete(context.isClosed() ? Result.err(closedError()) : outcome);
                }
            }
        }

        /** Starts the next attempt on the executor (never on the timer's thread). */
        void resume() {
            try {
                context.executor().execute(this::attempt);
            } catch (java.util.concurrent.RejectedExecutionException rejected) {
                promise.complete(Result.err(context.isClosed() ? closedError() : Outcomes.failure(rejected, context.clock())));
            }
        }
    }
}
