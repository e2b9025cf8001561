package dev.bulwark.spi;

import dev.bulwark.Result;
import dev.bulwark.internal.Outcomes;
import java.util.concurrent.CompletionStage;

/** The steps that run the call itself. */
final class TerminalSteps {

    private TerminalSteps() {
    }

    static final Step SYNC = new Step() {
        @Override
        public <T> Result<T> run(Call<T> call) {
            return Outcomes.run(call.operation());
        }

        @Override
        public String toString() {
            return "the call";
        }
    };

    static final AsyncStep ASYNC = new AsyncStep() {
        @Override
        public <T> CompletionStage<Result<T>> run(Call<T> call) {
            return Outcomes.runAsync(call.asyncOperation());
        }

        @Override
        public String toString() {
            return "the call";
        }
    };
}
