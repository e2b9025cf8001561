package dev.bulwark;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.pipeline.Bulkhead;
import dev.bulwark.pipeline.Fallback;
import dev.bulwark.pipeline.FallbackConfig;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.pipeline.Retry;
import dev.bulwark.pipeline.Timeout;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One {@link Protection} made runnable: its stateful parts built, its breaker resolved, its parts
 * nested in the order of DESIGN §7.
 *
 * <p>Design: each part is optional, so each layer is a method that runs the next one directly
 * when the part is absent. The common synchronous shapes (rate limit, breaker, retry) then cost a
 * few field tests, one admission per part and the lambda the retry loops over; timeouts are the
 * only parts that hand the call to another thread. Each attempt goes through the breaker once:
 * through the breaker's own {@code execute} when nothing sits between it and the call, else through
 * its permit API ({@code tryAcquire} / {@code onResult} / {@code onFailure}) around the attempt
 * timeout, with the original exception for its classification. Either way it counts each attempt
 * exactly once.
 *
 * <p>Immutable after construction except for the lazily resolved breaker; thread-safe.
 */
final class ProtectionPipeline {

    private static final String SUCCESS = "success";
    private static final String FALLBACK = "fallback";
    private static final String REJECTED = "rejected";
    private static final String FAILURE = "failure";

    /** Outcomes of finished calls, kept across reconfigurations of a named protection. */
    static final class Counters {
        final LongAdder successes = new LongAdder();
        final LongAdder fallbacks = new LongAdder();
        final LongAdder failures = new LongAdder();
    }

    final ProtectionRegistry registry;
    final String key;
    final Protection spec;
    final Counters counters;
    final Fallback<Object> fallback;
    final Protection.RateLimitPart rateLimit;
    final Bulkhead bulkhead;
    final Timeout totalTimeout;
    final Retry retry;
    final BreakerRef breaker;
    final Timeout attemptTimeout;

    private final RateLimitGate gate;
    private final Clock clock;
    private final EventChannel executedChannel;
    private final Map<String, Object> successMetadata;
    private final Map<String, Object> fallbackMetadata;

    /**
     * Builds the runtime of {@code spec} under {@code key}, taking over from {@code previous} (the
     * runtime it replaces, or null) every stateful part whose configuration did not change.
     *
     * @throws dev.bulwark.error.InfraException if the breaker cannot be installed
     */
    ProtectionPipeline(ProtectionRegistry registry, String key, Protection spec, ProtectionPipeline previous) {
        PolicyContext context = registry.context();
        CircuitBreakers breakers = registry.breakers();
        this.registry = registry;
        this.key = key;
        this.spec = spec;
        this.gate = registry.gate();
        this.clock = context.clock();
        this.counters = previous != null ? previous.counters : new Counters();
        this.rateLimit = spec.rateLimit();

        this.fallback = spec.fallback() == null ? null
                : previous != null && previous.fallback != null && previous.spec.fallback() == spec.fallback()
                ? previous.fallback : Fallback.of(key, fallbackConfig(spec.fallback()), context);
        if (spec.bulkhead() == null) {
            this.bulkhead = null;
        } else if (previous != null && previous.bulkhead != null) {
            this.bulkhead = previous.bulkhead;   // keeps the calls in flight; the new limit applies at once
            if (!bulkhead.config().equals(spec.bulkhead())) {
                bulkhead.reconfigure(spec.bulkhead());
            }
        } else {
            this.bulkhead = Bulkhead.of(key, spec.bulkhead(), context);
        }
        this.totalTimeout = spec.totalTimeout() == null ? null
                : previous != null && previous.totalTimeout != null && previous.totalTimeout.config().equals(spec.totalTimeout())
                ? previous.totalTimeout : Timeout.of(key + ".total", spec.totalTimeout(), context);
        this.retry = spec.retry() == null ? null
                : previous != null && previous.retry != null && previous.retry.config().equals(spec.retry())
                ? previous.retry : Retry.of(key, spec.retry(), context);
        this.attemptTimeout = spec.attemptTimeout() == null ? null
                : previous != null && previous.attemptTimeout != null && previous.attemptTimeout.config().equals(spec.attemptTimeout())
                ? previous.attemptTimeout : Timeout.of(key + ".attempt", spec.attemptTimeout(), context);
        this.breaker = spec.circuitBreaker() == null ? null : new BreakerRef(spec.circuitBreaker(), breakers, clock);

        this.executedChannel = context.telemetry().channel(context.telemetry().name(Events.PROTECTION_EXECUTED));
        this.successMetadata = Map.of("key", key, "protections", spec.parts(), "outcome", SUCCESS);
        this.fallbackMetadata = Map.of("key", key, "protections", spec.parts(), "outcome", FALLBACK);
    }

    @SuppressWarnings("unchecked")
    private static FallbackConfig<Object> fallbackConfig(FallbackConfig<?> config) {
        return (FallbackConfig<Object>) config;
    }

    // ---------------------------------------------------------------- synchronous

    <T> Result<T> execute(String entityId, ThrowingSupplier<T> call) {
        boolean report = executedChannel.isActive();
        long start = report ? clock.nanoTime() : 0L;
        return finish(admitted(entityId, call), start, report);
    }

    private <T> Result<T> admitted(String entityId, ThrowingSupplier<T> call) {
        if (rateLimit != null) {
            InfraError denied = checkRate(entityId);
            if (denied != null) {
                return Result.err(denied);
            }
        }
        return bulkhead != null ? bulkhead.apply(() -> bounded(call)) : bounded(call);
    }

    private <T> Result<T> bounded(ThrowingSupplier<T> call) {
        return totalTimeout != null ? totalTimeout.apply(() -> retried(call)) : retried(call);
    }

    private <T> Result<T> retried(ThrowingSupplier<T> call) {
        return retry != null ? retry.apply(() -> attempt(call)) : attempt(call);
    }

    private <T> Result<T> attempt(ThrowingSupplier<T> call) {
        if (breaker == null) {
            return timedAttempt(call);
        }
        CircuitBreaker cb = breaker.resolve();
        if (cb == null) {
            return Result.err(breaker.notFound());
        }
        if (attemptTimeout == null) {
            return cb.execute(call);   // the breaker's own path: one admission, one count, the original exception
        }
        if (!cb.tryAcquire()) {
            return Result.err(breaker.rejection(cb));
        }
        boolean timing = breaker.timesCalls(cb);
        long begin = timing ? clock.nanoTime() : 0L;
        Result<T> result;
        try {
            result = timedAttempt(call);
        } catch (VirtualMachineError fatal) {
            cb.onIgnored();
            throw fatal;
        }
        breaker.record(cb, result, timing ? clock.nanoTime() - begin : 0L);
        return result;
    }

    private <T> Result<T> timedAttempt(ThrowingSupplier<T> call) {
        return attemptTimeout != null ? attemptTimeout.apply(() -> Outcomes.run(call)) : Outcomes.run(call);
    }

    // ---------------------------------------------------------------- asynchronous

    <T> CompletionStage<Result<T>> executeAsync(String entityId, Supplier<? extends CompletionStage<T>> call) {
        boolean report = executedChannel.isActive();
        long start = report ? clock.nanoTime() : 0L;
        return admittedAsync(entityId, call).thenApply(r -> finish(r, start, report));
    }

    private <T> CompletionStage<Result<T>> admittedAsync(String entityId, Supplier<? extends CompletionStage<T>> call) {
        if (rateLimit != null) {
            InfraError denied = checkRate(entityId);
            if (denied != null) {
                return CompletableFuture.completedFuture(Result.err(denied));
            }
        }
        return bulkhead != null ? bulkhead.applyAsync(() -> boundedAsync(call)) : boundedAsync(call);
    }

    private <T> CompletionStage<Result<T>> boundedAsync(Supplier<? extends CompletionStage<T>> call) {
        return totalTimeout != null ? totalTimeout.applyAsync(() -> retriedAsync(call)) : retriedAsync(call);
    }

    private <T> CompletionStage<Result<T>> retriedAsync(Supplier<? extends CompletionStage<T>> call) {
        return retry != null ? retry.applyAsync(() -> attemptAsync(call)) : attemptAsync(call);
    }

    private <T> CompletionStage<Result<T>> attemptAsync(Supplier<? extends CompletionStage<T>> call) {
        if (breaker == null) {
            return timedAttemptAsync(call);
        }
        CircuitBreaker cb = breaker.resolve();
        if (cb == null) {
            return CompletableFuture.completedFuture(Result.err(breaker.notFound()));
        }
        if (attemptTimeout == null) {
            return cb.executeAsync(call);
        }
        if (!cb.tryAcquire()) {
            return CompletableFuture.completedFuture(Result.err(breaker.rejection(cb)));
        }
        boolean timing = breaker.timesCalls(cb);
        long begin = timing ? clock.nanoTime() : 0L;
        CompletionStage<Result<T>> stage;
        try {
            stage = timedAttemptAsync(call);
        } catch (VirtualMachineError fatal) {
            cb.onIgnored();
            throw fatal;
        }
        return stage.whenComplete((r, t) -> breaker.record(cb, t == null ? r : Result.err(Outcomes.failure(t)),
                timing ? clock.nanoTime() - begin : 0L));
    }

    private <T> CompletionStage<Result<T>> timedAttemptAsync(Supplier<? extends CompletionStage<T>> call) {
        return attemptTimeout != null ? attemptTimeout.executeAsync(call) : Outcomes.runAsync(call);
    }

    // ---------------------------------------------------------------- shared

    private InfraError checkRate(String callEntityId) {
        String entityId = callEntityId != null ? callEntityId : rateLimit.entityId();
        if (entityId == null) {
            return InfraError.builder(ErrorCode.RATE_LIMITER_INVALID_INPUT)
                    .message("protection '" + key + "' limits each caller: pass the entity id to executeProtected")
                    .context("key", key)
                    .context("operation", rateLimit.operation())
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }
        return gate.acquire(entityId, rateLimit.operation(), rateLimit.rule());
    }

    @SuppressWarnings("unchecked")
    private <T> Result<T> finish(Result<T> outcome, long start, boolean report) {
        Result<T> result = outcome;
        boolean fellBack = false;
        if (fallback != null) {
            result = (Result<T>) fallback.handle((Result<Object>) outcome);
            fellBack = outcome.isErr() && result.isOk();
        }
        Map<String, Object> metadata;
        if (fellBack) {
            counters.fallbacks.increment();
            metadata = fallbackMetadata;
        } else if (result.isOk()) {
            counters.successes.increment();
            metadata = successMetadata;
        } else {
            counters.failures.increment();
            metadata = null;
        }
        if (report) {
            if (metadata == null) {
                InfraError error = ((Result.Err<T>) result).error();
                metadata = Map.of("key", key, "protections", spec.parts(),
                        "outcome", error.isRejection() ? REJECTED : FAILURE, "error_code", error.code());
            }
            executedChannel.emit(Map.of("duration_us", (clock.nanoTime() - start) / 1_000L), metadata);
        }
        return result;
    }

    @Override
    public String toString() {
        return "ProtectionPipeline[" + key + ", " + spec.parts() + "]";
    }

    /** The breaker part: resolved by name in the registry, installed when a config says so. */
    static final class BreakerRef {
        final String name;
        private final CircuitBreakers registry;
        private final Clock clock;
        private volatile CircuitBreaker resolved;

        BreakerRef(Protection.CircuitBreakerPart part, CircuitBreakers registry, Clock clock) {
            this.name = part.name();
            this.registry = registry;
            this.clock = clock;
            CircuitBreakerConfig wanted = part.config();
            CircuitBreaker installed = registry.get(name).orElse(null);
            if (wanted != null && (installed == null || !Objects.equals(installed.config(), wanted))) {
                installed = registry.install(name, wanted);
            }
            this.resolved = installed;
        }

        CircuitBreaker resolve() {
            CircuitBreaker cb = resolved;
            if (cb == null) {
                cb = registry.get(name).orElse(null);
                resolved = cb;
            }
            return cb;
        }

        boolean timesCalls(CircuitBreaker cb) {
            return cb.config().slowCallRate().isPresent();
        }

        /** Counts one attempt's outcome, once. */
        void record(CircuitBreaker cb, Result<?> result, long durationNanos) {
            if (result instanceof Result.Ok<?> ok) {
                cb.onResult(durationNanos, ok.value());
            } else {
                InfraError error = ((Result.Err<?>) result).error();
                cb.onFailure(durationNanos, error.cause() != null ? error.cause() : error.toException());
            }
        }

        InfraError rejection(CircuitBreaker cb) {
            InfraError error = cb.rejectionError();
            if (error != null) {
                return error;
            }
            return InfraError.builder(ErrorCode.CIRCUIT_BREAKER_BLOWN)
                    .message("circuit breaker '" + name + "' rejected the call (" + cb.state() + ")")
                    .context("circuit_breaker", name)
                    .context("state", cb.state().toString())
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }

        InfraError notFound() {
            return InfraError.builder(ErrorCode.CIRCUIT_BREAKER_NOT_FOUND)
                    .message("no circuit breaker named '" + name + "' is installed")
                    .context("circuit_breaker", name)
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }
    }
}
