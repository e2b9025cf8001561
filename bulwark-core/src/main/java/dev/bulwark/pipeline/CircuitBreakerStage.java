package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import dev.bulwark.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The circuit breaker stage ({@link Slot#CIRCUIT_BREAKER}): each attempt asks the breaker named
 * {@code name} in the infrastructure's registry, and is counted by it exactly once. The breaker's
 * state lives in the registry, so it outlives any reconfiguration that keeps the name (and, with
 * an equal {@code config}, its history too).
 *
 * <p>With nothing between it and the call, an attempt runs through the breaker's own
 * {@code execute}; with an attempt timeout or a pool inside, through its permit API
 * ({@code tryAcquire}, then {@code onResult} / {@code onFailure} with the original exception for
 * its classification).
 *
 * @param name   the breaker's name in the registry
 * @param config the configuration to install it with when missing or configured otherwise, or
 *               null to use the breaker installed under {@code name} (5005 while none is)
 */
public record CircuitBreakerStage(String name, CircuitBreakerConfig config) implements StageSpec {

    public CircuitBreakerStage {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("circuit breaker name must be non-blank, was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
    }

    @Override
    public Slot slot() {
        return Slot.CIRCUIT_BREAKER;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, context.circuitBreakers(), context.policyContext().clock());
    }

    static final class Runtime implements Stage {
        private final CircuitBreakerStage spec;
        private final CircuitBreakers registry;
        private final Clock clock;
        private volatile CircuitBreaker resolved;

        Runtime(CircuitBreakerStage spec, CircuitBreakers registry, Clock clock) {
            this.spec = spec;
            this.registry = registry;
            this.clock = clock;
            CircuitBreaker installed = registry.get(spec.name).orElse(null);
            if (spec.config != null && (installed == null || !Objects.equals(installed.config(), spec.config))) {
                installed = registry.install(spec.name, spec.config);
            }
            this.resolved = installed;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        CircuitBreaker resolve() {
            CircuitBreaker cb = resolved;
            if (cb == null) {
                cb = registry.get(spec.name).orElse(null);
                resolved = cb;
            }
            return cb;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return Step.isCall(next) ? executeDirectly(call.operation())
                    : executeAround(DirectStep.of(next), call.operation(), call.entityId(), call.criticality(), call);
        }

        /** Nothing between the breaker and the call: the breaker's own path (one admission, one count, the original exception). */
        <T> Result<T> executeDirectly(ThrowingSupplier<T> operation) {
            CircuitBreaker cb = resolve();
            return cb != null ? cb.execute(operation, null) : Result.err(notFound());
        }

        /** Something inside the breaker (an attempt timeout, a pool): the permit API around it. */
        private <T> Result<T> executeAround(DirectStep next, ThrowingSupplier<T> operation, String entityId,
                                            Criticality criticality, Call<T> call) {
            CircuitBreaker cb = resolve();
            if (cb == null) {
                return Result.err(notFound());
            }
            InfraError rejection = cb.tryAcquireOrRejection();
            if (rejection != null) {
                return Result.err(rejection);
            }
            boolean timing = timesCalls(cb);
            long begin = timing ? clock.nanoTime() : 0L;
            Result<T> result;
            try {
                result = next.run(operation, entityId, criticality, call);
            } catch (VirtualMachineError fatal) {
                cb.onIgnored();
                throw fatal;
            }
            record(cb, result, timing ? clock.nanoTime() - begin : 0L);
            return result;
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            CircuitBreaker cb = resolve();
            if (cb == null) {
                return CompletableFuture.completedFuture(Result.err(notFound()));
            }
            if (AsyncStep.isCall(next)) {
                return cb.executeAsync(call.asyncOperation());
            }
            InfraError rejection = cb.tryAcquireOrRejection();
            if (rejection != null) {
                return CompletableFuture.completedFuture(Result.err(rejection));
            }
            boolean timing = timesCalls(cb);
            long begin = timing ? clock.nanoTime() : 0L;
            CompletionStage<Result<T>> stage;
            try {
                stage = next.run(call);
            } catch (VirtualMachineError fatal) {
                cb.onIgnored();
                throw fatal;
            }
            return stage.whenComplete((r, t) -> record(cb, t == null ? r : Result.err(Outcomes.failure(t, clock)),
                    timing ? clock.nanoTime() - begin : 0L));
        }

        /** Links with a step class of this stage's own, so the JIT sees one target at each link. */
        @Override
        public Step link(Step next) {
            return Step.isCall(next) ? new LinkedToCall(this) : new Linked(this, next);
        }

        private static final class LinkedToCall extends DirectStep {
            private final Runtime stage;

            LinkedToCall(Runtime stage) {
                super(null);
                this.stage = stage;
            }

            @Override
            public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
                return stage.executeDirectly(operation);
            }
        }

        @Override
        public AsyncStep linkAsync(AsyncStep next) {
            return new LinkedAsync(this, next);
        }

        private static final class Linked extends DirectStep {
            private final Runtime stage;

            Linked(Runtime stage, Step next) {
                super(next);
                this.stage = stage;
            }

            @Override
            public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
                return stage.executeAround(next, operation, entityId, criticality, call);
            }
        }

        private record LinkedAsync(Runtime stage, AsyncStep next) implements AsyncStep {
            @Override
            public <T> CompletionStage<Result<T>> run(Call<T> call) {
                return stage.executeAsync(call, next);
            }
        }

        @Override
        public ComponentStatus status() {
            CircuitBreaker cb = resolve();
            return cb == null ? null : cb.stats();
        }

        private static boolean timesCalls(CircuitBreaker cb) {
            return cb.config().slowCallRate().isPresent();
        }

        /**
         * Counts one attempt's outcome, once. A {@link VirtualMachineError} that completed an
         * asynchronous attempt is not the dependency's answer: its permit is given back uncounted.
         */
        private static void record(CircuitBreaker cb, Result<?> result, long durationNanos) {
            if (result instanceof Result.Ok<?> ok) {
                cb.onResult(durationNanos, ok.value());
            } else {
                InfraError error = ((Result.Err<?>) result).error();
                if (error.cause() instanceof VirtualMachineError) {
                    cb.onIgnored();
                } else {
                    cb.onFailure(durationNanos, error.cause() != null ? error.cause() : error.toException());
                }
            }
        }

        private InfraError notFound() {
            return InfraError.builder(CoreErrorCode.CIRCUIT_BREAKER_NOT_FOUND)
                    .message("no circuit breaker named '" + spec.name + "' is installed")
                    .context("circuit_breaker", spec.name)
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }
    }
}
