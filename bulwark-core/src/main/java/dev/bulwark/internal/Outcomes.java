package dev.bulwark.internal;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import dev.bulwark.time.Clock;
import java.util.function.Supplier;

/**
 * Turns what user code does (return, throw, complete a stage) into {@link Result}s, the one
 * currency of the protection pipeline. A failure of the protected call becomes
 * {@link ErrorCode#PROTECTED_OPERATION_FAILED} (an exception) or
 * {@link ErrorCode#PROTECTED_OPERATION_ERROR} (an {@link Error}, an interrupt or a
 * cancellation), with the original throwable as cause; an {@link InfraException} keeps its error.
 * Errors are dated by the clock of the infrastructure (or policy context) that runs the call.
 */
public final class Outcomes {

    private Outcomes() {
    }

    /** Runs the user's call; never throws (except a {@link VirtualMachineError}). */
    public static <T> Result<T> run(ThrowingSupplier<T> call, Clock clock) {
        try {
            return Result.ok(call.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.err(failure(e, clock));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            return Result.err(failure(t, clock));
        }
    }

    /** Runs one step of a pipeline that already returns a {@link Result}; never throws. */
    public static <T> Result<T> get(Supplier<Result<T>> step, Clock clock) {
        try {
            Result<T> result = step.get();
            return result != null ? result : Result.err(unknown("a protection step returned no result", clock));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            return Result.err(failure(t, clock));
        }
    }

    /** Starts the user's asynchronous call; the stage never completes exceptionally. */
    public static <T> CompletionStage<Result<T>> runAsync(Supplier<? extends CompletionStage<T>> call, Clock clock) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(Result.err(failure(t, clock)));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(Result.err(failure(new NullPointerException("the call returned no CompletionStage"), clock)));
        }
        return stage.handle((value, error) -> error == null ? Result.ok(value) : Result.err(failure(error, clock)));
    }

    /** Starts an asynchronous pipeline step; the stage never completes exceptionally. */
    public static <T> CompletionStage<Result<T>> getAsync(Supplier<? extends CompletionStage<Result<T>>> step, Clock clock) {
        CompletionStage<Result<T>> stage;
        try {
            stage = step.get();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(Result.err(failure(t, clock)));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(Result.err(unknown("a protection step returned no stage", clock)));
        }
        return stage.handle((result, error) -> error != null ? Result.err(failure(error, clock))
                : result != null ? result : Result.err(unknown("a protection step returned no result", clock)));
    }

    /** The error for a throwable that escaped the protected call. */
    public static InfraError failure(Throwable thrown, Clock clock) {
        Throwable t = unwrap(thrown);
        if (t instanceof InfraException infra) {
            return infra.error();
        }
        boolean abrupt = t instanceof Error || t instanceof InterruptedException || t instanceof CancellationException;
        ErrorCode code = abrupt ? CoreErrorCode.PROTECTED_OPERATION_ERROR : CoreErrorCode.PROTECTED_OPERATION_FAILED;
        return InfraError.builder(code)
                .message((abrupt ? "protected operation ended abruptly: " : "protected operation failed: ") + t)
                .cause(t)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    private static InfraError unknown(String message, Clock clock) {
        return InfraError.builder(CoreErrorCode.UNKNOWN).message(message).timestampMillis(clock.currentTimeMillis()).build();
    }

    /** Completes {@code target} with the value of {@code result}, or exceptionally with its {@link InfraException}. */
    public static <T> CompletionStage<T> toValueStage(CompletionStage<Result<T>> result) {
        CompletableFuture<T> target = new CompletableFuture<>();
        result.whenComplete((r, error) -> {
            if (error != null) {
                target.completeExceptionally(error);
            } else if (r instanceof Result.Ok<T> ok) {
                target.complete(ok.value());
            } else {
                target.completeExceptionally(((Result.Err<T>) r).error().toException());
            }
        });
        return target;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
