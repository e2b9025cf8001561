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
 * allocated instead of scalar-replaced: measured, 32 B and a few ns per call on the rate limit +
 * retry + breaker pipeline, in some JVM runs and not others (docs/benchmarks.md, "Stage fold
 * without a Call").
 *
 * <p>A stage written against the SPI still sees the {@code Call} it always saw, the same object
 * across stages and attempts: a chain that reaches such a stage ({@link #reachesCallStage()}) is
 * run with one {@code Call}, which every built-in step passes on beside the parts; only a chain of
 * built-in steps alone runs with {@code call} null.
 */
public abstract class DirectStep implements Step {

    /** The step this one runs around, as a direct step; null for a step that runs the call itself. */
    protected final DirectStep next;
    private final boolean reachesCallStage;

    /** @param next the step this one runs around (null for a step that runs the call itself) */
    protected DirectStep(Step next) {
        this.next = next == null ? null : of(next);
        this.reachesCallStage = this.next != null && this.next.reachesCallStage;
    }

    /** A step that hands the call to a stage written against the SPI. */
    private DirectStep() {
        this.next = null;
        this.reachesCallStage = true;
    }

    /**
     * Runs the inner stages and the call, as {@link #run(Call)} does with a call of these parts.
     *
     * @param call the call these parts come from, passed on to any stage written against the SPI;
     *             null only when no such stage is inside ({@link #reachesCallStage()} is false)
     */
    public abstract <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call);

    @Override
    public final <T> Result<T> run(Call<T> call) {
        return run(call.operation(), call.entityId(), call.criticality(), call);
    }

    /** Whether a stage written against the SPI is inside this step, so a {@link Call} must be made before it. */
    public final boolean reachesCallStage() {
        return reachesCallStage;
    }

    /** {@code next} as a direct step: itself when it is one, else a step that hands it the {@link Call}. */
    public static DirectStep of(Step next) {
        Objects.requireNonNull(next, "next");
        return next instanceof DirectStep direct ? direct : new ToCallStage(next);
    }

    /** Runs a step written against the SPI with the call's {@link Call}. */
    private static final class ToCallStage extends DirectStep {
        private final Step callStage;

        ToCallStage(Step callStage) {
            this.callStage = callStage;
        }

        @Override
        public <T> Result<T> run(ThrowingSupplier<T> operation, String entityId, Criticality criticality, Call<T> call) {
            return callStage.run(call != null ? call : Call.of(operation, entityId, criticality));
        }

        @Override
        public String toString() {
            return callStage.toString();
        }
    }
}
