package dev.bulwark.pool;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.InfraError;
import dev.bulwark.spi.AsyncStep;
import dev.bulwark.spi.Call;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.Slot;
import dev.bulwark.spi.Stage;
import dev.bulwark.spi.StageContext;
import dev.bulwark.spi.StageSpec;
import dev.bulwark.spi.Step;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The {@code pool(name)} stage, in {@link Slot#POOL} (the innermost slot: inside the attempt
 * timeout, so the wait for a resource counts against each attempt, and each retry attempt checks
 * a resource out anew). The call runs with a resource of the {@link Pools} pool {@code pool},
 * reached through {@link PooledCall#resource(Class)}; the resource goes back when the call ends, or
 * is destroyed when the call threw something that poisons it ({@link PoolConfig#poisons}) or a
 * {@link VirtualMachineError}.
 *
 * <ul>
 *   <li>Synchronous calls wait for a resource up to the pool's checkout timeout; the refusal is the
 *       pool's 7101 / 7102 / 7103. What the operation throws is the pipeline's, as for any call
 *       (5003, 5012), so a breaker around the stage classifies the caller's own exception.</li>
 *   <li>Asynchronous calls never block a thread: the checkout does not wait (7101 at once when no
 *       resource is free), the resource is the current thread's while the supplier starts the work,
 *       and it goes back when the call's stage completes.</li>
 * </ul>
 *
 * <p>An immutable value: equal when the pool names are equal.
 *
 * @param pool the name of the pool
 */
public record PoolStage(String pool) implements StageSpec {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /**
     * @throws NullPointerException     if {@code pool} is null
     * @throws IllegalArgumentException if it is not a pool name (lower_snake_case)
     */
    public PoolStage {
        Objects.requireNonNull(pool, "pool must not be null");
        if (!NAME.matcher(pool).matches()) {
            throw new IllegalArgumentException("pool must be a pool name (lower_snake_case, at most 63), was '" + pool + "'");
        }
    }

    /** The stage running calls with a resource of the pool {@code pool}. */
    public static PoolStage of(String pool) {
        return new PoolStage(pool);
    }

    @Override
    public Slot slot() {
        return Slot.POOL;
    }

    /**
     * @throws IllegalStateException if the {@link Pools} module is not installed or has no pool of that name
     */
    @Override
    public Stage create(StageContext context) {
        Pools pools = context.component(Pools.class).orElseThrow(() -> new IllegalStateException(
                "the pool stage needs the Pools module: Infrastructure.builder().install(Pools.builder()...asModule())"));
        Pool<Object> found = pools.find(pool).map(p -> (Pool<Object>) p).orElseThrow(() -> new IllegalStateException(
                "the pool stage names pool '" + pool + "', which the Pools module does not have"));
        return new Runtime(this, found);
    }

    private static final class Runtime implements Stage {
        private final PoolStage spec;
        private final Pool<Object> pool;

        Runtime(PoolStage spec, Pool<Object> pool) {
            this.spec = spec;
            this.pool = pool;
        }

        @Override
        public StageSpec spec() {
            return spec;
        }

        @Override
        public <T> Result<T> execute(Call<T> call, Step next) {
            Result<Lease<Object>> out = pool.checkout();
            if (out instanceof Result.Err<Lease<Object>> err) {
                return Result.err(err.error());
            }
            Lease<Object> lease = ((Result.Ok<Lease<Object>>) out).value();
            Object resource = lease.resource();
            ThrowingSupplier<T> operation = call.operation();
            Throwable[] thrown = new Throwable[1];
            Call<T> withResource = call.withOperation(() -> {
                Object previous = PooledCall.enter(resource);
                try {
                    return operation.get();
                } catch (Exception | Error failure) {
                    thrown[0] = failure;
                    throw failure;
                } finally {
                    PooledCall.exit(previous);
                }
            });
            boolean returned = false;
            try {
                Result<T> result = next.run(withResource);
                returned = true;
                return result;
            } finally {
                Throwable failure = thrown[0];
                boolean poisoned = !returned || failure instanceof VirtualMachineError
                        || failure != null && pool.config().poisons(failure);
                pool.runtime().endQuietly(lease, poisoned, Reasons.POISONED);
            }
        }

        @Override
        public <T> CompletionStage<Result<T>> executeAsync(Call<T> call, AsyncStep next) {
            Result<Lease<Object>> checkout = pool.checkout(Duration.ZERO);
            if (checkout instanceof Result.Err<Lease<Object>> err) {
                return CompletableFuture.completedFuture(Result.err(err.error()));
            }
            Lease<Object> lease = ((Result.Ok<Lease<Object>>) checkout).value();
            Object resource = lease.resource();
            Supplier<? extends CompletionStage<T>> operation = call.asyncOperation();
            Call<T> withResource = call.withAsyncOperation(() -> {
                Object previous = PooledCall.enter(resource);
                try {
                    return operation.get();
                } finally {
                    PooledCall.exit(previous);
                }
            });
            CompletionStage<Result<T>> stage;
            try {
                stage = next.run(withResource);
            } catch (Throwable fatal) { // only a VirtualMachineError escapes a step
                pool.runtime().endQuietly(lease, true, Reasons.POISONED);
                throw fatal;
            }
            // The lease ends when the call's own stage completes, whatever becomes of the stage
            // returned here: an attempt timeout cancels that one at its deadline, which must not
            // skip giving the resource back (a cancelled dependent never runs its action).
            CompletableFuture<Result<T>> out = new CompletableFuture<>();
            stage.whenComplete((result, failure) -> {
                InfraError error = result instanceof Result.Err<T> err ? err.error() : null;
                Throwable cause = failure != null ? failure : error == null ? null : error.cause();
                // a call abandoned mid-way (cancelled) may still have a reply on its way: its resource is not reused
                boolean poisoned = failure != null || cause instanceof VirtualMachineError
                        || cause != null && pool.config().poisons(cause);
                pool.runtime().endQuietly(lease, poisoned, Reasons.POISONED);
                if (failure != null) {
                    out.completeExceptionally(failure);
                } else {
                    out.complete(result);
                }
            });
            out.whenComplete((result, failure) -> {
                if (out.isCancelled()) {
                    stage.toCompletableFuture().cancel(true);
                }
            });
            return out;
        }

        @Override
        public ComponentStatus status() {
            return pool.status();
        }
    }
}
