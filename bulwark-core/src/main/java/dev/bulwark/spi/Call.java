package dev.bulwark.spi;

import dev.bulwark.ThrowingSupplier;
import dev.bulwark.pipeline.Criticality;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One protected call as it travels through the stages: the operation (synchronous or
 * asynchronous), the entity on whose behalf it runs (the rate limit's key) and its
 * {@link Criticality}. A stage passes it on to the next step unchanged, runs the next step again
 * (retry) or concurrently (hedge), or passes a derived call ({@link #withOperation}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the operation's result type
 */
public final class Call<T> {

    private final ThrowingSupplier<T> operation;
    private final Supplier<? extends CompletionStage<T>> asyncOperation;
    private final String entityId;
    private final Criticality criticality;

    private Call(ThrowingSupplier<T> operation, Supplier<? extends CompletionStage<T>> asyncOperation,
                 String entityId, Criticality criticality) {
        this.operation = operation;
        this.asyncOperation = asyncOperation;
        this.entityId = entityId;
        this.criticality = criticality;
    }

    /** A synchronous call. */
    public static <T> Call<T> of(ThrowingSupplier<T> operation, String entityId, Criticality criticality) {
        return new Call<>(Objects.requireNonNull(operation, "operation"), null, entityId,
                Objects.requireNonNull(criticality, "criticality"));
    }

    /** An asynchronous call. */
    public static <T> Call<T> ofAsync(Supplier<? extends CompletionStage<T>> operation, String entityId,
                                      Criticality criticality) {
        return new Call<>(null, Objects.requireNonNull(operation, "operation"), entityId,
                Objects.requireNonNull(criticality, "criticality"));
    }

    /** The synchronous operation (null for an asynchronous call). */
    public ThrowingSupplier<T> operation() {
        return operation;
    }

    /** The asynchronous operation (null for a synchronous call). */
    public Supplier<? extends CompletionStage<T>> asyncOperation() {
        return asyncOperation;
    }

    /** Whether this call's operation returns a {@link CompletionStage}. */
    public boolean isAsync() {
        return asyncOperation != null;
    }

    /** The entity the call runs on behalf of, or null when the caller named none. */
    public String entityId() {
        return entityId;
    }

    /** How much the call matters under overload. */
    public Criticality criticality() {
        return criticality;
    }

    /** This call with another synchronous operation (a pool stage wrapping the user's operation, say). */
    public Call<T> withOperation(ThrowingSupplier<T> replacement) {
        return new Call<>(Objects.requireNonNull(replacement, "replacement"), null, entityId, criticality);
    }

    /** This call with another asynchronous operation. */
    public Call<T> withAsyncOperation(Supplier<? extends CompletionStage<T>> replacement) {
        return new Call<>(null, Objects.requireNonNull(replacement, "replacement"), entityId, criticality);
    }

    @Override
    public String toString() {
        return "Call[" + (isAsync() ? "async" : "sync") + ", entity=" + entityId + ", " + criticality + "]";
    }
}
