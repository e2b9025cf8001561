package dev.bulwark.circuit;

import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;

/**
 * The future of one {@link CircuitBreaker#executeAsync} call: it settles once, either when the
 * operation's stage completes (the outcome is counted) or when the caller cancels it (the permit
 * is given back uncounted and the operation's stage is cancelled too).
 */
final class AsyncCall<T> extends CompletableFuture<Result<T>> implements BiConsumer<T, Throwable> {

    private static final VarHandle SETTLED;

    static {
        try {
            SETTLED = MethodHandles.lookup().findVarHandle(AsyncCall.class, "settled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CircuitBreaker breaker;
    private final Phase phase;
    private final boolean timed;
    private final long start;
    private final CompletionStage<T> operation;
    @SuppressWarnings("unused") // accessed through SETTLED
    private volatile boolean settled;

    AsyncCall(CircuitBreaker breaker, Phase phase, boolean timed, long start, CompletionStage<T> operation) {
        this.breaker = breaker;
        this.phase = phase;
        this.timed = timed;
        this.start = start;
        this.operation = operation;
    }

    private boolean settle() {
        return SETTLED.compareAndSet(this, false, true);
    }

    @Override
    public void accept(T value, Throwable failure) {
        if (!settle()) {
            return;
        }
        try {
            InfraError error = failure == null
                    ? breaker.countReturned(phase, timed, start, value, null)
                    : breaker.countThrown(phase, timed, start, unwrap(failure), null);
            complete(error == null ? new Result.Ok<>(value) : Result.err(error));
        } catch (Throwable fatal) {
            // a VirtualMachineError that completed the stage (or its classification's): the permit is
            // back already; there is no caller's thread to throw it on, so the stage carries it as 5012
            complete(Result.err(breaker.uncountedOutcome(fatal)));
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && settle()) {
            breaker.countIgnored(phase);
            try {
                operation.toCompletableFuture().cancel(mayInterruptIfRunning);
            } catch (UnsupportedOperationException notAFuture) {
                // the stage cannot be cancelled from outside; its outcome will simply be ignored
            }
        }
        return cancelled;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
