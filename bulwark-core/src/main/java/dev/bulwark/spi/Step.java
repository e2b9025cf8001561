package dev.bulwark.spi;

import dev.bulwark.Result;
import dev.bulwark.time.Clock;

/**
 * The rest of the pipeline, as a stage sees it: the stages inside it, then the call. Running it
 * never throws for a failure of the call (that is an {@code Err}); only a
 * {@link VirtualMachineError} propagates.
 */
public interface Step {

    /** Runs the inner stages and the call. */
    <T> Result<T> run(Call<T> call);

    /**
     * The innermost step: runs the call's operation, turning what it throws into an {@code Err}
     * (5003, 5012; an {@code InfraException} keeps its error), dated by the system clock. A
     * protection's chain ends in {@link #call(Clock)} on its infrastructure's clock.
     */
    static Step call() {
        return TerminalSteps.SYNC;
    }

    /** The innermost step, dating its errors by {@code clock}. */
    static Step call(Clock clock) {
        return new TerminalSteps.Sync(java.util.Objects.requireNonNull(clock, "clock"));
    }

    /** Whether {@code next} is the call itself, so a stage may take a shorter path when nothing sits between. */
    static boolean isCall(Step next) {
        return next instanceof TerminalSteps.Sync;
    }
}
