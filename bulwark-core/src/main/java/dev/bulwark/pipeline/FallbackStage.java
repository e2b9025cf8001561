package dev.bulwark.pipeline;

import dev.bulwark.Result;
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
 * The fallback stage ({@link Slot#FALLBACK}, always outermost): what answers when everything
 * inside fails. Its runtime keeps the last good value; an equal configuration keeps it across a
 * reconfiguration.
 *
 * @param config the fallback's configuration
 */
public record FallbackStage(FallbackConfig<?> config) implements StageSpec {

    public FallbackStage {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public Slot slot() {
        return Slot.FALLBACK;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, Fallback.of(context.protectionName(), typed(config), context.policyContext()));
    }

    @SuppressWarnings("unchecked")
    private static FallbackConfig<Object> typed(FallbackConfig<?> config) {
        return (FallbackConfig<Object>) config;
    }

    /** The runtime: a {@link Fallback} applied to what the inner steps return. */
    public static final class Runtime implements Stage {
        private final FallbackStage spec;
        private final Fallback<Object> fallback;

        Runtime(FallbackStage spec, Fallback<Object> fallback) {
            this.spec = spec;
            this.fallback = fallback;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        /** Keeps a success as the last good value, or answers a failure. */
        @SuppressWarnings("unchecked")
        public <T> Result<T> handle(Result<T> outcome) {
            Objects.requireNonNull(outcome, "outcome");
            return (Result<T>) fallback.handle((Result<Object>) outcome);
        }

        /**
         * {@link #handle} for an outcome that completed an asynchronous call: a
         * {@link VirtualMachineError} of the fallback gives 7005 instead of failing the stage.
         */
        @SuppressWarnings("unchecked")
        public <T> Result<T> handleAsync(Result<T> outcome) {
            return (Result<T>) fallback.handleOffTheCallersThread((Result<Object>) outcome);
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return handle(next.run(call));
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return next.run(call).thenApply(this::handleAsync);
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

        private record Linked(Runtime stage, Step next) implements Step {
            @Override
            public <T> Result<T> run(Call<T> call) {
                return stage.execute(call, next);
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
            return fallback.stats();
        }
    }
}
