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
 * The hedge stage ({@link Slot#HEDGE}): inside the retry and outside the circuit breaker, so each
 * hedged attempt asks the breaker once and is counted by it once, and a retry starts a fresh
 * hedged call. Only for idempotent operations ({@link HedgeConfig} requires the declaration). An
 * equal configuration keeps the hedge, its budget and its latency window across a
 * reconfiguration. See docs/hedging.md.
 *
 * @param config the hedge's configuration
 */
public record HedgeStage(HedgeConfig config) implements StageSpec {

    public HedgeStage {
        Objects.requireNonNull(config, "config");
    }

    @Override
    public Slot slot() {
        return Slot.HEDGE;
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        return new Runtime(this, Hedge.of(context.protectionName(), config, context.policyContext()));
    }

    static final class Runtime implements Stage {
        private final HedgeStage spec;
        private final Hedge hedge;

        Runtime(HedgeStage spec, Hedge hedge) {
            this.spec = spec;
            this.hedge = hedge;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return hedge.apply(() -> next.run(call));
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return hedge.executeAsync(call, next);
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
            return hedge.stats();
        }
    }
}
