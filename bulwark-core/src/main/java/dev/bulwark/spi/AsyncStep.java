package dev.bulwark.spi;

import dev.bulwark.Result;
import dev.bulwark.time.Clock;
import java.util.concurrent.CompletionStage;

/** The asynchronous form of {@link Step}: the returned stage never completes exceptionally. */
public interface AsyncStep {

    /** Starts the inner stages and the call. */
    <T> CompletionStage<Result<T>> run(Call<T> call);

    /** The innermost step: starts the call's operation (see {@link Step#call()}). */
    static AsyncStep call() {
        return TerminalSteps.ASYNC;
    }

    /** The innermost step, dating its errors by {@code clock}. */
    static AsyncStep call(Clock clock) {
        return new TerminalSteps.Async(java.util.Objects.requireNonNull(clock, "clock"));
    }

    /** Whether {@code next} is the call itself. */
    static boolean isCall(AsyncStep next) {
        return next instanceof TerminalSteps.Async;
    }
}
