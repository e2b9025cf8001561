package dev.bulwark.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.InfraException;
import dev.bulwark.internal.Outcomes;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A resilience policy that wraps a call whatever its result type: {@link Retry},
 * {@link Timeout}, {@link Bulkhead}. ({@link Fallback} is typed by the value it substitutes.)
 *
 * <p>Every policy offers four forms: {@link #execute} returns a {@link Result} and never throws for
 * an expected failure; {@link #call} returns the value or throws {@link InfraException};
 * {@link #executeAsync} and {@link #callAsync} are their {@link CompletionStage} forms. A call that
 * throws becomes error 5003 (an exception) or 5012 (an {@code Error}, interrupt or cancellation)
 * with the throwable as cause; an {@link InfraException} thrown by the call keeps its error.
 *
 * <p>{@link #apply} and {@link #applyAsync} are the composition forms: the inner step already
 * returns a {@code Result} (another policy, a breaker...), so policies nest without turning errors
 * into exceptions and back. Implementations are thread-safe.
 */
public interface Policy {

    /** The name reported in events and errors. */
    String name();

    /** What the policy runs on: its clock (which also dates its errors), timer, executor, telemetry. */
    PolicyContext context();

    /**
     * Runs {@code inner} under this policy.
     *
     * @param inner the protected step; if it throws, the throwable becomes an error as for a call
     * @return the result of {@code inner}, or this policy's error
     */
    <T> Result<T> apply(Supplier<Result<T>> inner);

    /**
     * Runs the asynchronous step {@code inner} under this policy. The returned stage never
     * completes exceptionally: failures are {@link Result.Err}s.
     */
    <T> CompletionStage<Result<T>> applyAsync(Supplier<? extends CompletionStage<Result<T>>> inner);

    /** Runs {@code call} under this policy; never throws for a failure of the call or a rejection. */
    default <T> Result<T> execute(ThrowingSupplier<T> call) {
        return apply(() -> Outcomes.run(call, context().clock()));
    }

    /**
     * Runs {@code call} under this policy.
     *
     * @throws InfraException carrying the error when the call fails or is rejected
     */
    default <T> T call(ThrowingSupplier<T> call) {
        return execute(call).getOrThrow();
    }

    /** Runs the asynchronous {@code call} under this policy; the stage never completes exceptionally. */
    default <T> CompletionStage<Result<T>> executeAsync(Supplier<? extends CompletionStage<T>> call) {
        return applyAsync(() -> Outcomes.runAsync(call, context().clock()));
    }

    /** Like {@link #executeAsync}, but the stage completes exceptionally with an {@link InfraException} on failure. */
    default <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> call) {
        return Outcomes.toValueStage(executeAsync(call));
    }
}
