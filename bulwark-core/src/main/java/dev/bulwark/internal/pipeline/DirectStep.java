package dev.bulwark.internal.pipeline;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.Step;
import java.util.Objects;

/**
 * A built-in step that also runs with the call's parts passed one by one, so that a chain of
 * built-in stages runs without a {@link Call} object.
 *
 * <p>Why: a protection's chain spans several methods that the JIT often compiles separately (each
 * is hot on its own before the caller is), and a {@code Call} passed across such a boundary is
 * allocated instead of scalar-replaced: measured, 32 B and about 5 ns per call on the rate limit +
 * retry + breaker pipeline, in some JVM runs and not others (docs/benchmarks.md). Passing the
 * three fields makes the cost the same in every run. A stage written against the SPI still sees a
 * {@code Call}: {@link #of(Step)} makes one for it, and {@link #run(Call)} takes one apart.
 */
public abstract class DirectStep implements Step {

    /** Runs the inner stages and the call, as {@link #run(Call)} does with a call of these parts. */
    public abstract <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality);

    @Override
    public final <T> Result<T> run(Call<T> call) {
        return run(call.operation(), call.entityId(), call.criticality());
    }

    /** {@code next} as a direct step: itself when it is one, else a step that makes the {@link Call} it takes. */
    public static DirectStep of(Step next) {
        Objects.requireNonNull(next, "next");
        return next instanceof DirectStep direct ? direct : new CallMaking(next);
    }

    /** Runs a step written against the SPI, which takes a {@link Call}. */
    private static final class CallMaking extends DirectStep {
        private final Step next;

        CallMaking(Step next) {
            this.next = next;
        }

        @Override
        public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality) {
            return next.run(Call.of(operation, entityId, criticality));
        }

        @Override
        public String toString() {
            return next.toString();
        }
    }
}
