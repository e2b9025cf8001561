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
 * A timeout stage: the total timeout ({@link Slot#TOTAL_TIMEOUT}, bounding attempts and their
 * backoff) or the attempt timeout ({@link Slot#ATTEMPT_TIMEOUT}, inside the breaker, so a
 * timed-out attempt counts as its failure).
 *
 * @param slot   {@link Slot#TOTAL_TIMEOUT} or {@link Slot#ATTEMPT_TIMEOUT}
 * @param config the timeout
 */
public record TimeoutStage(Slot slot, TimeoutConfig config) implements StageSpec {

    public TimeoutStage {
        Objects.requireNonNull(config, "config");
        if (!Slot.TOTAL_TIMEOUT.equals(slot) && !Slot.ATTEMPT_TIMEOUT.equals(slot)) {
            throw new IllegalArgumentException("a timeout stage sits in total_timeout or attempt_timeout, was " + slot);
        }
    }

    /** A bound on the whole call, retries and their waits included. */
    public static TimeoutStage total(TimeoutConfig config) {
        return new TimeoutStage(Slot.TOTAL_TIMEOUT, config);
    }

    /** A bound on each attempt. */
    public static TimeoutStage attempt(TimeoutConfig config) {
        return new TimeoutStage(Slot.ATTEMPT_TIMEOUT, config);
    }

    @Override
    public Stage create(StageContext context) {
        Objects.requireNonNull(context, "context");
        String suffix = Slot.TOTAL_TIMEOUT.equals(slot) ? ".total" : ".attempt";
        return new Runtime(this, Timeout.of(context.protectionName() + suffix, config, context.policyContext()));
    }

    static final class Runtime implements Stage {
        private final TimeoutStage spec;
        private final Timeout timeout;

        Runtime(TimeoutStage spec, Timeout timeout) {
            this.spec = spec;
            this.timeout = timeout;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return timeout.apply(() -> next.run(call));
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(next, "next");
            return AsyncStep.isCall(next) ? timeout.executeAsync(call.asyncOperation())
                    : timeout.applyAsync(() -> next.run(call));
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
            return timeout.stats();
        }
    }
}
