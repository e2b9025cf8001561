package dev.bulwark.ratelimit;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where rate-limit state lives: in memory (the default) or in a shared backend such as Redis
 * ({@code bulwark-redis}). Every store gives the same decisions for the same algorithm and the
 * same arrivals; a shared conformance suite checks it.
 *
 * <p>A key is the pair {@code (entityId, operation)}. Implementations must be thread-safe and
 * each {@link #acquire} must be atomic: with several rules, either every rule admits the cost
 * and it is recorded against all of them, or nothing is recorded.
 */
public interface LimitStore extends AutoCloseable {

    /**
     * Checks {@code cost} units against every rule of the key and records them if all admit.
     *
     * @param limits the rules, at least one; each keeps its own state under the key
     * @return the decision; when denied, the one of the denying rule with the longest wait
     */
    Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost);

    /** The asynchronous form of {@link #acquire}; in-memory stores complete at once. */
    default CompletionStage<Decision> acquireAsync(String entityId, String operation, List<RateLimit> limits, long cost) {
        try {
            return CompletableFuture.completedFuture(acquire(entityId, operation, limits, cost));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What {@link #acquire} with cost 0 would answer now, recording nothing. */
    Decision peek(String entityId, String operation, List<RateLimit> limits);

    /** Forgets all state of the key; returns whether there was any. */
    boolean reset(String entityId, String operation);

    /** Releases resources (connections, memory); default: nothing. */
    @Override
    default void close() {
    }
}
