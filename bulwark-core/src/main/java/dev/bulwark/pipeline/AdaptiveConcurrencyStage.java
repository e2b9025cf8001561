package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The adaptive concurrency stage ({@link Slot#ADAPTIVE_CONCURRENCY}): outside the bulkhead and
 * the retry, so a call is admitted once however many attempts it makes, and its latency is what
 * the caller waits. Rejects with 7202 (the current limit in the context). A reconfiguration keeps
 * the limit, its baseline and its calls in flight. See docs/adaptive-concurrency.md.
 *
 * @param config the limit's configuration
 */
public record AdaptiveConcurrencyStage(AdaptiveConcurrencyConfig config) implements StageSpec {

    public AdaptiveConcurrencyStage {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public Slot slot() {
        return Slot.ADAPTIVE_CONCURRENCY;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, AdaptiveConcurrency.of(context.protectionName(), config, context.policyContext()));
    }

    @Override
    public Stage reconfigure(StageContext context, Stage previous) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(previous, "previous");
        if (previous instanceof Runtime running) {
            if (!running.limit.config().equals(config)) {
                running.limit.reconfigure(config);
            }
            return new Runtime(this, running.limit);
        }
        return create(context);
    }

    static final class Runtime implements Stage {
        private final AdaptiveConcurrencyStage spec;
        private final AdaptiveConcurrency limit;

        Runtime(AdaptiveConcurrencyStage spec, AdaptiveConcurrency limit) {
            this.spec = spec;
            this.limit = limit;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return limited(DirectStep.of(next), call.operation(), call.entityId(), call.criticality(), call);
        }

        private <T> Result<T> limited(DirectStep next, ThrowingSupplier<T> operation, String entityId,
                                      Criticality criticality, Call<T> call) {
            long permit = limit.tryAcquire();
            if (permit == AdaptiveConcurrency.NO_PERMIT) {
                return Result.err(limit.rejection());
            }
            Result<T> result;
            try {
                result = next.run(operation, entityId, criticality, call);
            } catch (VirtualMachineError fatal) {
                limit.onIgnored(permit);
                throw fatal;
            }
            limit.release(permit, result);
            return result;
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            long permit = limit.tryAcquire();
            if (permit == AdaptiveConcurrency.NO_PERMIT) {
                return CompletableFuture.completedFuture(Result.err(limit.rejection()));
            }
            CompletionStage<Result<T>> stage;
            try {
                stage = next.run(call);
            } catch (VirtualMachineError fatal) {
                limit.onIgnored(permit);
                throw fatal;
            }
            return stage.whenComplete((r, t) -> {
                if (t != null || r == null) {
                    limit.onIgnored(permit);
                } else {
                    limit.release(permit, r);
                }
            });
        }

        /** Links with a step class of this stage's own, so the JIT sees one target at each link. */
        @Override
        public Step link(Step next) {
            return new Linked(this, next);
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
                return stage.limited(next, operation, entityId, criticality, call);
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
            return limit.stats();
        }
    }
}
