package dev.bulwark.spi;

import dev.bulwark.Result;

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
     * (5003, 5012; an {@code InfraException} keeps its error). A stage may test {@code next ==
     * Step.call()} to take a shorter path when nothing sits between it and the call.
     */
    static Step call() {
        return TerminalSteps.SYNC;
    }
}
