package dev.bulwark.ratelimit;

import dev.bulwark.spi.ComponentStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where rate-limit state lives: in memory ({@link InMemoryLimitStore}, the default) or in a
 * shared backend such as Redis ({@code bulwark-redis}). Every store gives the same decisions for
 * the same rules, costs and arrival times, to the nanosecond; the shared conformance suite
 * ({@code dev.bulwark.testkit.LimitStoreConformanceTest} in bulwark-testkit) checks it.
 *
 * <h2>Keys, state and time</h2>
 * A key is the pair ({@code entityId}, {@code operation}). Under a key the store keeps one state
 * per rule, where rules with the same limit, window and algorithm share state
 * ({@link RateLimit#sameState}). A store reads time from its own clock, a monotonic nanosecond
 * count {@code t} (the in-memory store uses the {@code Infrastructure}'s clock; a shared store
 * uses a time all its clients agree on, injectable for tests). An absent state and an expired
 * state behave exactly alike, so a store may forget a state as soon as it is <em>expired</em>
 * (equivalent to an empty state; defined per algorithm below). A state is <em>live</em> when it is
 * not expired ({@link #reset} and {@link #inspect} report only live state).
 *
 * <h2>Exact semantics</h2>
 * Notation: {@code L} = limit, {@code W} = window in ns, {@code c} = cost ({@code >= 1}),
 * {@code t} = now. All arithmetic is on integers and exact: {@code floor} and {@code ceil}
 * divisions are written out, and intermediate products (such as {@code p × W}) can exceed 64 bits,
 * so they must be computed exactly (the in-memory store uses 128-bit intermediates). Aligned window
 * index {@code i = floorDiv(t, W)}, elapsed {@code e = floorMod(t, W)}. For
 * {@link Algorithm#GCRA} and {@link Algorithm#LEAKY_BUCKET}, {@code T = ceil(W / L)}.
 *
 * <p><b>Every algorithm.</b> If {@code L = 0} or {@code c > L} the request is denied, nothing is
 * recorded and the wait is {@link Decision#NEVER}; remaining and resetAfter are reported from the
 * current state (with {@code L = 0} no state is ever kept, so both are 0). Otherwise the request is admitted iff the rule's admission test holds, and then
 * the rule's update is applied. When denied, {@code retryAfter} is the least {@code d >= 1} such
 * that the same request at {@code t + d} would pass the test if nothing else were recorded (each
 * algorithm's formula below gives exactly that). {@code remaining} is the largest cost one request
 * could take right after the decision ({@code 0..L}); {@code resetAfter} the least {@code d >= 0}
 * after which, with nothing recorded, remaining would be {@code L}.
 * If a concurrent caller read the clock earlier than the time a state was last updated, the
 * state's time is used instead (time never goes backwards for a state).
 *
 * <p><b>{@link Algorithm#FIXED_WINDOW}</b>, state {@code (idx, n)}. If there is no state or
 * {@code i > idx}: {@code idx = i, n = 0}. Admit iff {@code n + c <= L}; update {@code n += c}.
 * remaining {@code = L - n}; resetAfter {@code = n > 0 ? (idx + 1) × W - t : 0};
 * retryAfter {@code = (idx + 1) × W - t}. Expired when {@code i > idx} or {@code n = 0}.
 *
 * <p><b>{@link Algorithm#SLIDING_WINDOW}</b>, state {@code (idx, p, n)}: the counts of the
 * previous and the current aligned window. Roll forward: if {@code i = idx + 1} then
 * {@code p = n, n = 0}; if {@code i >= idx + 2} (or no state) then {@code p = n = 0}; then
 * {@code idx = i}. The estimate at elapsed {@code e} is
 * {@code est(e) = n + ceil(p × (W - e) / W)} (equivalently {@code n + p - floor(p × e / W)}).
 * Admit iff {@code est(e) + c <= L}; update {@code n += c}. remaining {@code = max(0, L - est(e))}
 * after the update. resetAfter {@code = n > 0 ? 2W - e : (p > 0 ? W - e : 0)}.
 * retryAfter, with {@code k = L - n - c}:
 * <ol>
 * <li>if {@code k >= 0} (then {@code p > k}): {@code e1 = W - floor(k × W / p)}; if {@code e1 < W}
 * the answer is {@code e1 - e};</li>
 * <li>otherwise the next window starts after {@code d0 = W - e} with {@code p' = n, n' = 0},
 * {@code k' = L - c}: if {@code n <= k'} the answer is {@code d0}; else
 * {@code e2 = W - floor(k' × W / n)}; the answer is {@code d0 + e2} if {@code e2 < W},
 * else {@code d0 + W}.</li>
 * </ol>
 * Expired when {@code i >= idx + 2}, or {@code i = idx + 1} and {@code n = 0}, or {@code p = n = 0}.
 *
 * <p><b>{@link Algorithm#TOKEN_BUCKET}</b>, state: the virtual time at which the bucket was empty,
 * an exact rational {@code V = vn + vf / L} with {@code 0 <= vf < L}. No state means a full bucket
 * ({@code V = t - W}). Tokens: {@code tok = L} if {@code t - V >= W} (that is,
 * {@code t - vn > W}, or {@code t - vn = W} and {@code vf = 0}); {@code 0} if {@code t <= vn};
 * otherwise {@code min(L, floor(((t - vn) × L - vf) / W))}. Admit iff {@code tok >= c}; update:
 * if {@code t - V >= W} then {@code (vn, vf) = (t - W, 0)}; then add {@code c × W / L}:
 * {@code q = floor(c × W / L), r = (c × W) mod L, vf += r, vn += q}, and if {@code vf >= L}
 * then {@code vf -= L, vn += 1}. remaining = {@code tok} after the update.
 * resetAfter {@code = max(0, vn + W - t + (vf > 0 ? 1 : 0))}.
 * retryAfter {@code = vn - t + q + ceil((vf + r) / L)} with {@code q, r} of {@code c × W / L} as above.
 * Expired when {@code t - V >= W}.
 *
 * <p><b>{@link Algorithm#GCRA}</b>, state {@code TAT} (theoretical arrival time). No state means
 * {@code TAT <= t}. With {@code a = max(TAT, t)}: admit iff {@code a + c × T - t <= L × T}; update
 * {@code TAT = a + c × T}. remaining {@code = L - ceil((max(TAT, t) - t) / T)} after the update;
 * resetAfter {@code = max(0, TAT - t)}; retryAfter {@code = a + c × T - t - L × T}.
 * Expired when {@code TAT <= t}.
 *
 * <p><b>{@link Algorithm#LEAKY_BUCKET}</b>, state {@code TAT} (the time the bucket will have
 * drained). No state means {@code TAT <= t}. Admit iff {@code TAT <= t}; update
 * {@code TAT = t + c × T}. remaining {@code = TAT <= t ? L : 0} after the update; resetAfter
 * {@code = max(0, TAT - t)}; retryAfter {@code = TAT - t}. Expired when {@code TAT <= t}.
 *
 * <h2>Several rules</h2>
 * {@link #acquire(String, String, List, long)} with several rules is atomic: the admission test of every rule is evaluated
 * at the same {@code t}; if all admit, every rule's update is applied; otherwise nothing is
 * recorded. The returned decision is that of the deciding rule: when allowed, the rule with the
 * least remaining (the first in list order on ties); when denied, the denying rule with the
 * longest retryAfter (the first on ties) — which is then the exact wait for the whole request.
 * Listing two rules that share state is an error.
 *
 * <h2>Contract</h2>
 * Implementations are thread-safe. Arguments are checked before any state is touched:
 * {@code NullPointerException} for a null entity, operation, list or rule;
 * {@code IllegalArgumentException} for an empty list, two rules sharing state, or
 * {@code cost < 1}. (The {@code RateLimiter} validates user input first and reports it as
 * error 6009.) A store that cannot reach its backend throws {@link LimitStoreUnavailableException};
 * any other exception is an internal failure.
 */
public interface LimitStore extends AutoCloseable {

    /**
     * Checks {@code cost} units against every rule of the key and records them if all admit.
     *
     * @param limits the rules, at least one, no two sharing state
     * @param cost   the units this request takes, at least 1
     * @return the decision of the deciding rule
     * @throws LimitStoreUnavailableException if the backend cannot be reached
     */
    Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost);

    /**
     * {@link #acquire(String, String, List, long)} with one rule; stores may avoid building the list.
     *
     * @throws LimitStoreUnavailableException if the backend cannot be reached
     */
    default Decision acquire(String entityId, String operation, RateLimit limit, long cost) {
        return acquire(entityId, operation, List.of(limit), cost);
    }

    /**
     * The primitive form of {@link #acquire(String, String, List, long)} for one rule: same decision, no allocation on
     * in-memory stores.
     *
     * @return 0 if admitted (and recorded); otherwise the exact retryAfter in nanoseconds
     *         ({@code >= 1}, or {@link Decision#NEVER})
     * @throws LimitStoreUnavailableException if the backend cannot be reached
     */
    default long tryAcquire(String entityId, String operation, RateLimit limit, long cost) {
        Decision decision = acquire(entityId, operation, List.of(limit), cost);
        return decision.allowed() ? 0 : decision.retryAfterNanos();
    }

    /**
     * The asynchronous form of {@link #acquire}; in-memory stores complete at once. Failures
     * (including {@link LimitStoreUnavailableException}) complete the stage exceptionally.
     */
    default CompletionStage<Decision> acquireAsync(String entityId, String operation, List<RateLimit> limits, long cost) {
        try {
            return CompletableFuture.completedFuture(acquire(entityId, operation, limits, cost));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * What {@link #acquire(String, String, List, long)} of one unit would answer now, recording nothing: remaining and
     * resetAfter are those of the current state.
     */
    Decision peek(String entityId, String operation, List<RateLimit> limits);

    /**
     * A {@link #peek} of one unit for every rule that has live (not expired) state under the key,
     * in no particular order; empty when there is none. Stores that cannot enumerate a key's
     * rules return an empty list (the default).
     */
    default List<Decision> inspect(String entityId, String operation) {
        return List.of();
    }

    /** Forgets all state of the key (every rule); returns whether there was any live state. */
    boolean reset(String entityId, String operation);

    /** The number of states held (one per key per rule), or -1 if the store cannot tell cheaply. */
    default long keyCount() {
        return -1;
    }

    /**
     * Reclaims the memory of expired states; called periodically by the {@code Infrastructure}'s
     * scheduler and callable directly. Stores whose backend expires keys itself do nothing.
     *
     * @return how many states were removed
     */
    default long sweepExpired() {
        return 0;
    }

    /**
     * The store's typed status (its keys, bounds, backend health), part of the rate limiter's
     * status in {@code infra.status()}; null (the default) when it has none.
     */
    default ComponentStatus status() {
        return null;
    }

    /** Releases resources (connections, memory); default: nothing. */
    @Override
    default void close() {
    }
}
