package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.internal.Closed;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Graceful degradation: when a call fails, answer something useful instead of the error — the
 * last good value while it is fresh enough, a static value, an alternate source — as its
 * {@link FallbackConfig} says.
 *
 * <pre>{@code
 * Fallback<Price> prices = Fallback.of("prices", FallbackConfig.<Price>builder()
 *         .lastGoodValue(Duration.ofMinutes(5)).value(Price.UNKNOWN).build(), infra.policyContext());
 * Price price = prices.call(() -> pricing.quote(sku));   // never throws while a fallback can answer
 * }</pre>
 *
 * <p><b>Outcome.</b> A success is returned (and kept as the last good value, stamped with the
 * context's clock, when last good values are configured). A failure the fallback handles is
 * replaced by its answer, an {@link Result.Ok}; if the supplier or function throws, the result is
 * error 7005 (FALLBACK_FAILED) with the exception as cause and the original code in the context
 * ({@code original_error_code}); when nothing can answer (no fresh last good value and nothing
 * else configured) the original error is returned.
 *
 * <p>The answer is computed on the thread that saw the failure (for the asynchronous forms, the
 * thread completing the call's stage). <b>Events</b>: {@code fallback.fallback_used} (source
 * {@code last_good}, {@code value}, {@code supplier} or {@code function}),
 * {@code fallback.fallback_failed}. Thread-safe.
 *
 * @param <T> the type of the call's value
 */
public final class Fallback<T> {

    private final String name;
    private final FallbackConfig<T> config;
    private final PolicyContext context;
    private final long lastGoodMaxAgeNanos;
    private volatile Stamped<T> lastGood;
    private final LongAdder used = new LongAdder();
    private final LongAdder lastGoodUsed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final EventChannel usedChannel;
    private final EventChannel failedChannel;

    private Fallback(String name, FallbackConfig<T> config, PolicyContext context) {
        this.name = PolicyNames.require(name);
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        this.lastGoodMaxAgeNanos = config.lastGoodMaxAge() == null ? -1 : config.lastGoodMaxAge().toNanos();
        Telemetry telemetry = context.telemetry();
        this.usedChannel = telemetry.channel(telemetry.name(Events.FALLBACK_USED));
        this.failedChannel = telemetry.channel(telemetry.name(Events.FALLBACK_FAILED));
    }

    /** A fallback on real time (see {@link PolicyContext#system()}). */
    public static <T> Fallback<T> of(String name, FallbackConfig<T> config) {
        return new Fallback<>(name, config, PolicyContext.system());
    }

    /**
     * A fallback on the given context (its clock ages the last good value).
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> Fallback<T> of(String name, FallbackConfig<T> config, PolicyContext context) {
        return new Fallback<>(name, config, context);
    }

    public String name() {
        return name;
    }

    public FallbackConfig<T> config() {
        return config;
    }

    public FallbackStats stats() {
        Stamped<T> kept = lastGood;
        return new FallbackStats(used.sum(), lastGoodUsed.sum(), failed.sum(),
                kept == null ? null : Duration.ofNanos(context.clock().nanoTime() - kept.nanos));
    }

    /** Runs {@code call}; a failure is answered by the fallback when it can. */
    public Result<T> execute(ThrowingSupplier<T> call) {
        Objects.requireNonNull(call, "call");
        return apply(() -> Outcomes.run(call, context.clock()));
    }

    /**
     * Runs {@code call}.
     *
     * @throws InfraException when the call fails and the fallback cannot answer
     */
    public T call(ThrowingSupplier<T> call) {
        return execute(call).getOrThrow();
    }

    /** The asynchronous form of {@link #execute}; the stage never completes exceptionally. */
    public CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> call) {
        Objects.requireNonNull(call, "call");
        return applyAsync(() -> Outcomes.runAsync(call, context.clock()));
    }

    /** The asynchronous form of {@link #call}. */
    public CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> call) {
        return Outcomes.toValueStage(executeAsync(call));
    }

    /** The composition form: {@code inner} already returns a {@link Result}. */
    public Result<T> apply(Supplier<Result<T>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return Result.err(closedError());
        }
        return handle(Outcomes.get(inner, context.clock()));
    }

    /** The asynchronous composition form; the stage never completes exceptionally. */
    public CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner) {
        Objects.requireNonNull(inner, "inner");
        if (context.isClosed()) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        CompletableFuture<Result<T>> done = new CompletableFuture<>();
        Outcomes.getAsync(inner, context.clock()).whenComplete((r, t) ->
                done.complete(handleOffTheCallersThread(t == null ? r : Result.err(Outcomes.failure(t, context.clock())))));
        return done;
    }

    /**
     * Keeps a success as the last good value, or answers a failure; the heart of the fallback. A
     * {@link VirtualMachineError} thrown by the supplier or function propagates (any other
     * throwable gives 7005).
     */
    public Result<T> handle(Result<T> outcome) {
        return handle(outcome, true);
    }

    /**
     * {@link #handle(Result)} for the asynchronous forms, where no caller's thread is there to throw
     * on: a {@link VirtualMachineError} of the supplier or function gives 7005 too, with the error as
     * cause, so the stage never completes exceptionally.
     */
    Result<T> handleOffTheCallersThread(Result<T> outcome) {
        return handle(outcome, false);
    }

    private Result<T> handle(Result<T> outcome, boolean rethrowFatal) {
        Objects.requireNonNull(outcome, "outcome");
        if (outcome instanceof Result.Ok<T> ok) {
            if (lastGoodMaxAgeNanos >= 0) {
                lastGood = new Stamped<>(ok.value(), context.clock().nanoTime());
            }
            return outcome;
        }
        InfraError error = ((Result.Err<T>) outcome).error();
        if (config.handleIf() != null && !config.handleIf().test(error)) {
            return outcome;
        }
        Stamped<T> kept = lastGood;
        if (kept != null) {
            long age = context.clock().nanoTime() - kept.nanos;
            if (age <= lastGoodMaxAgeNanos) {
                lastGoodUsed.increment();
                return answered(kept.value, "last_good", error, age);
            }
        }
        if (config.hasValue()) {
            return answered(config.value(), "value", error, -1);
        }
        if (config.supplier() != null) {
            try {
                return answered(config.supplier().get(), "supplier", error, -1);
            } catch (Exception | Error e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return fallbackFailed(error, e, rethrowFatal);
            }
        }
        if (config.function() != null) {
            try {
                return answered(config.function().apply(error), "function", error, -1);
            } catch (RuntimeException | Error e) {
                return fallbackFailed(error, e, rethrowFatal);
            }
        }
        return outcome;
    }

    private Result<T> answered(T value, String source, InfraError error, long ageNanos) {
        used.increment();
        if (usedChannel.isActive()) {
            usedChannel.emit(ageNanos >= 0 ? Map.of("age_ms", ageNanos / 1_000_000d) : Map.of(),
                    Map.of("name", name, "source", source, "error_code", error.code()));
        }
        return Result.ok(value);
    }

    private Result<T> fallbackFailed(InfraError original, Throwable thrown, boolean rethrowFatal) {
        if (rethrowFatal && thrown instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        failed.increment();
        if (failedChannel.isActive()) {
            failedChannel.emit(Map.of(), Map.of("name", name, "error_code", original.code()));
        }
        return Result.err(InfraError.builder(CoreErrorCode.FALLBACK_FAILED)
                .message("fallback '" + name + "' failed: " + thrown + " (after: " + original.message() + ")")
                .context("name", name)
                .context("original_error_code", original.code())
                .cause(thrown)
                .timestampMillis(context.clock().currentTimeMillis())
                .build());
    }

    /** 2102: the context (the infrastructure) is closed. */
    private InfraError closedError() {
        return Closed.error("fallback '" + name + "'", context.clock());
    }

    @Override
    public String toString() {
        return "Fallback[" + name + ", " + config + "]";
    }

    private record Stamped<T>(T value, long nanos) {
    }
}
