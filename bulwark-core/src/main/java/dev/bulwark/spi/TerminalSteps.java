package dev.bulwark.spi;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.internal.Outcomes;
import dev.bulwark.internal.pipeline.DirectStep;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.time.Clock;
import java.util.concurrent.CompletionStage;

/** The steps that run the call itself, dating the errors they make by a clock. */
final class TerminalSteps {

    private TerminalSteps() {
    }

    static final Sync SYNC = new Sync(Clock.system());
    static final Async ASYNC = new Async(Clock.system());

    /** The innermost synchronous step. */
    static final class Sync extends DirectStep {
        private final Clock clock;

        Sync(Clock clock) {
            super(null);
            this.clock = clock;
        }

        @Override
        public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
            return Outcomes.run(operation, clock);
        }

        @Override
        public String toString() {
            return "the call";
        }
    }

    /** The innermost asynchronous step. */
    record Async(Clock clock) implements AsyncStep {
        @Override
        public <T> CompletionStage<Result<T>> run(Call<T> call) {
            return Outcomes.runAsync(call.asyncOperation(), clock);
        }

        @Override
        public String toString() {
            return "the call";
        }
    }
}
