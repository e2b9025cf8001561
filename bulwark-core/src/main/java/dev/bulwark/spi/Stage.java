package dev.bulwark.spi;

import dev.bulwark.Result;
import java.util.concurrent.CompletionStage;

/**
 * The runtime of one pipeline stage within one protection, built by its {@link StageSpec}: a
 * bulkhead with its places, a retry with its budget, a rate limit on the infrastructure's limiter.
 *
 * <p>A stage runs a call by doing its work and running {@code next} (zero, one or several times).
 * It never throws for a failure: it returns an {@code Err} with a coded error (its own rejection,
 * or what {@code next} returned). A {@link VirtualMachineError} from {@code next} must be allowed
 * to propagate, after giving back whatever the stage holds (a permit, a place).
 *
 * <pre>{@code
 * final class AuditStage implements Stage {
 *     public <T> Result<T> execute(Call<T> call, Step next) {
 *         audit.record(call.entityId());
 *         return next.run(call);
 *     }
 *     public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
 *         audit.record(call.entityId());
 *         return next.run(call);
 *     }
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Linking.</b> The pipeline links its stages once, when the protection is built:
 * {@link #link(Step)} returns the step that runs this stage around {@code next}. The default wraps
 * {@link #execute}; core's stages return a step class of their own, so that the JIT sees one
 * call target per link and can inline the whole chain.
 *
 * <p>Implementations are thread-safe: one runtime serves every concurrent call of its protection.
 */
public interface Stage {

    /** The configuration this runtime was built from. */
    StageSpec spec();

    /** Runs {@code call} under this stage; {@code next} runs the inner stages and the call. */
    <T> Result<T> execute(Call<T> call, Step next);

    /** The asynchronous form: no thread blocks on a wait; the stage never completes exceptionally. */
    <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next);

    /** The stage's state and counts now, or null when it has none worth reporting. */
    ComponentStatus status();

    /** The step that runs this stage around {@code next}; see "Linking". */
    default Step link(Step next) {
        Stage stage = this;
        return new Step() {
            @Override
            public <T> Result<T> run(Call<T> call) {
                return stage.execute(call, next);
            }
        };
    }

    /** The asynchronous form of {@link #link(Step)}. */
    default AsyncStep linkAsync(AsyncStep next) {
        Stage stage = this;
        return new AsyncStep() {
            @Override
            public <T> CompletionStage<Result<T>> run(Call<T> call) {
                return stage.executeAsync(call, next);
            }
        };
    }
}
