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
 * The bulkhead stage ({@link Slot#BULKHEAD}): at most so many calls at once. A reconfiguration
 * keeps the bulkhead and its calls in flight, under the new limit.
 *
 * @param config the bulkhead's configuration
 */
public record BulkheadStage(BulkheadConfig config) implements StageSpec {

    public BulkheadStage {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public Slot slot() {
        return Slot.BULKHEAD;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, Bulkhead.of(context.protectionName(), config, context.policyContext()));
    }

    @Override
    public Stage reconfigure(StageContext context, Stage previous) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(previous, "previous");
        if (previous instanceof Runtime running) {
            if (!running.bulkhead.config().equals(config)) {
                running.bulkhead.reconfigure(config);
            }
            return new Runtime(this, running.bulkhead);
        }
        return create(context);
    }

    static final class Runtime implements Stage {
        private final BulkheadStage spec;
        private final Bulkhead bulkhead;

        Runtime(BulkheadStage spec, Bulkhead bulkhead) {
            this.spec = spec;
            this.bulkhead = bulkhead;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return bulkhead.apply(() -> next.run(call));
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return bulkhead.applyAsync(() -> next.run(call));
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
            private final Bulkhead bulkhead;

            Linked(Runtime stage, Step next) {
                super(next);
                this.bulkhead = stage.bulkhead;
            }

            @Override
            public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
                return bulkhead.apply(() -> next.run(operation, entityId, criticality, call));
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
            return bulkhead.stats();
        }
    }
}
