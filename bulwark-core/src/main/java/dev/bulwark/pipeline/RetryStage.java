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
import java.util.concurrent.CompletionStage;

/**
 * The retry stage ({@link Slot#RETRY}): failed attempts run again, each through the stages inside
 * it (hedge, breaker, attempt timeout). An equal configuration keeps the retry budget across a
 * reconfiguration.
 *
 * @param config the retry's configuration
 */
public record RetryStage(RetryConfig config) implements StageSpec {

    public RetryStage {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public Slot slot() {
        return Slot.RETRY;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, Retry.of(context.protectionName(), config, context.policyContext()));
    }

    static final class Runtime implements Stage {
        private final RetryStage spec;
        private final Retry retry;

        Runtime(RetryStage spec, Retry retry) {
            this.spec = spec;
            this.retry = retry;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return retry.retried(null, DirectStep.of(next), call.operation(), call.entityId(), call.criticality(), call);
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return retry.applyAsync(() -> next.run(call));
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
            private final Retry retry;

            Linked(Runtime stage, Step next) {
                super(next);
                this.retry = stage.retry;
            }

            @Override
            public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
                return retry.retried(null, next, operation, entityId, criticality, call);
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
            return retry.stats();
        }
    }
}
