package dev.bulwark.ratelimit;

import dev.bulwark.Result;
import dev.bulwark.ThrowingSupplier;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-entity rate limiting: how many units an entity (a user, an IP address, a tenant, a
 * downstream service) may spend on an operation per window. Get it from
 * {@code infra.rateLimiter()}.
 *
 * <pre>{@code
 * static final RateLimit SEARCH = RateLimit.of("search", 100, Duration.ofMinutes(1));
 *
 * Result<Decision> check = limiter.checkRate("user:42", "search", SEARCH);
 * if (check instanceof Result.Err<Decision> err) {            // 6001: err.error().retryAfter()
 *     return tooManyRequests(err.error());
 * }
 * Result<Report> report = limiter.executeWithLimit("user:42", "export", EXPORTS, () -> exporter.run());
 * if (limiter.tryAcquire(clientIp, "login", LOGIN)) { ... }   // primitive path, no allocation
 * }</pre>
 *
 * <p><b>Keys and rules.</b> A key is ({@code entityId}, {@code operation}); entities and
 * operations are independent. Each check passes one or more {@link RateLimit rules}; several rules
 * (say 10 per second and 1000 per hour) are checked atomically: the request is admitted and
 * recorded against all of them, or recorded against none. A {@code cost} above 1 weighs a request
 * (bytes, tokens of an LLM call, rows). The {@code (limit, window)} overloads build an unnamed
 * sliding-window rule.
 *
 * <p><b>Outcomes.</b> {@code Ok(Decision)} when admitted; {@code Err} with code
 * <ul>
 * <li>6001 when denied, with the exact {@code retryAfter} (a request that can never pass, limit 0
 * or cost above the limit, has no retryAfter and retry strategy NO_RETRY);</li>
 * <li>6009 for bad input: null or blank entity or operation, negative limit, zero, negative or
 * overlong window, cost below 1, no rules, two rules sharing state, null action;</li>
 * <li>6008 when the call admitted by {@code executeWithLimit} throws (the cause is kept);</li>
 * <li>6010 when a distributed store is unreachable and fails closed; 6003 on any other store
 * failure; 6007 when a reset fails.</li>
 * </ul>
 * Nothing here throws for an expected failure, except {@link #tryAcquire} (which throws
 * {@link IllegalArgumentException}/{@link NullPointerException} for bad input and
 * {@link InfraException} for a store failure) and {@link #callWithLimit}.
 *
 * <p><b>Telemetry.</b> {@code rate_limiter.request_allowed} (count, remaining),
 * {@code rate_limiter.request_denied} (retry_after_ms, -1 for never) and
 * {@code rate_limiter.bucket_reset}, with entity_id, operation, rule, limit, window_ms and
 * algorithm; nothing is allocated for them when no handler listens.
 *
 * <p>Thread-safe.
 */
public final class RateLimiter implements AutoCloseable {

    private static final int MAX_CACHED_AD_HOC_RULES = 1024;

    /** The store decisions are made on: {@link #configuredStore} until {@link #close()}, then one that answers 2102. */
    private volatile LimitStore store;
    private final LimitStore configuredStore;
    private final boolean ownsStore;
    private final Clock clock;
    private final EventChannel allowed;
    private final EventChannel denied;
    private final EventChannel resets;
    private final ConcurrentHashMap<AdHocRule, RateLimit> adHocRules = new ConcurrentHashMap<>();

    private RateLimiter(Builder b) {
        this.store = b.store;
        this.configuredStore = b.store;
        this.ownsStore = b.ownsStore;
        this.clock = b.clock;
        Telemetry telemetry = b.telemetry;
        this.allowed = telemetry.channel(telemetry.name(Events.RATE_LIMITER_REQUEST_ALLOWED));
        this.denied = telemetry.channel(telemetry.name(Events.RATE_LIMITER_REQUEST_DENIED));
        this.resets = telemetry.channel(telemetry.name(Events.RATE_LIMITER_BUCKET_RESET));
    }

    /** A builder of a limiter on {@code store}. */
    public static Builder builder(LimitStore store) {
        return new Builder(store);
    }

    // ------------------------------------------------------------------ primitive path

    /**
     * Takes one unit for the key if {@code limit} allows it. Allocates nothing (on the in-memory
     * store, with no telemetry handler attached).
     *
     * @return whether the request was admitted (and recorded)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code entityId} or {@code operation} is blank (the input
     *                                  {@link #checkRate} answers with 6009)
     * @throws InfraException           6010 or 6003 if the store fails
     */
    public boolean tryAcquire(String entityId, String operation, RateLimit limit) {
        return tryAcquire(entityId, operation, limit, 1);
    }

    /**
     * Takes {@code cost} units for the key if {@code limit} allows it.
     *
     * @return whether the request was admitted (and recorded)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code entityId} or {@code operation} is blank, or {@code cost < 1}:
     *                                  the input {@link #checkRate} answers with 6009, so the two paths
     *                                  never disagree about what is valid
     * @throws InfraException           6010 or 6003 if the store fails
     */
    public boolean tryAcquire(String entityId, String operation, RateLimit limit, long cost) {
        requireKey(entityId, operation);
        if (!decidesWithoutDecision()) {
            Decision d = acquireOrThrow(entityId, operation, limit, cost);
            emit(entityId, operation, d, cost);
            return d.allowed();
        }
        long wait;
        try {
            wait = store.tryAcquire(entityId, operation, limit, cost);
        } catch (RuntimeException e) {
            throw thrownForStoreFailure(entityId, operation, e);
        }
        if (wait == 0) {
            emitAllowedWithoutDecision(entityId, operation, limit, cost);
            return true;
        }
        if (denied.isActive()) {
            denied.emit(EventKeys.RETRY_AFTER_MS, wait == Decision.NEVER ? -1L : wait / 1_000_000L,
                    metadata(entityId, operation, limit));
        }
        return false;
    }

    /**
     * Takes one unit for the key if {@code limit} allows it, answering like {@link #checkRate} but
     * without its {@code Ok}: null when admitted, else the error ({@code 6001} with the decision's
     * context, {@code 6009} for bad input, {@code 6010}/{@code 6003} when the store fails). Exactly
     * one event is emitted per call. While nobody but {@link dev.bulwark.telemetry.PrimitiveEventHandler
     * primitive handlers} listens, an admission builds no {@code Decision}; a denial is decided again
     * in full for its error's context (and may then be admitted, if the limit allows it by then),
     * and a failing store is asked once, not again.
     * The pipeline's rate-limit stage calls this.
     */
    public InfraError acquireOrError(String entityId, String operation, RateLimit limit) {
        if (limit != null && invalidKey(entityId, operation) == null && decidesWithoutDecision()) {
            try {
                if (store.tryAcquire(entityId, operation, limit, 1) == 0) {
                    emitAllowedWithoutDecision(entityId, operation, limit, 1);
                    return null;
                }
            } catch (RuntimeException e) {
                return errorForStoreFailure(entityId, operation, e);
            }
        }
        Result<Decision> decision = checkRate(entityId, operation, limit, 1);
        return decision instanceof Result.Err<Decision> err ? err.error() : null;
    }

    private void emitAllowedWithoutDecision(String entityId, String operation, RateLimit limit, long cost) {
        if (allowed.isActive()) {
            allowed.emit(EventKeys.COUNT, cost, metadata(entityId, operation, limit));
        }
    }

    /** Whether no handler needs a {@code Decision}: nobody listens to decisions, or only primitive handlers do. */
    private boolean decidesWithoutDecision() {
        return allowed.primitiveOnly() && denied.primitiveOnly();
    }

    // ------------------------------------------------------------------ checks

    /**
     * Checks one unit against an unnamed sliding-window rule of {@code limit} per {@code window}.
     *
     * @return {@code Ok(decision)} if admitted; {@code Err} 6001 (denied), 6009 (bad input), 6010/6003
     */
    public Result<Decision> checkRate(String entityId, String operation, long limit, Duration window) {
        InfraError invalid = invalidRule(entityId, operation, limit, window);
        if (invalid != null) {
            return Result.err(invalid);
        }
        return checkRate(entityId, operation, adHoc(limit, window), 1);
    }

    /** Checks one unit against {@code limit}. */
    public Result<Decision> checkRate(String entityId, String operation, RateLimit limit) {
        return checkRate(entityId, operation, limit, 1);
    }

    /** Checks {@code cost} units against {@code limit}. */
    public Result<Decision> checkRate(String entityId, String operation, RateLimit limit, long cost) {
        InfraError invalid = invalidKey(entityId, operation);
        if (invalid == null && limit == null) {
            invalid = invalid(entityId, operation, "limit must not be null");
        }
        if (invalid == null && cost < 1) {
            invalid = invalid(entityId, operation, "cost must be >= 1, was " + cost);
        }
        if (invalid != null) {
            return Result.err(invalid);
        }
        Decision d;
        try {
            d = store.acquire(entityId, operation, limit, cost);
        } catch (RuntimeException e) {
            return Result.err(errorForStoreFailure(entityId, operation, e));
        }
        return toResult(entityId, operation, d, cost);
    }

    /**
     * Checks {@code cost} units against every rule atomically: admitted and recorded against all,
     * or recorded against none.
     *
     * @return {@code Ok(decision)} of the rule with the fewest units left; {@code Err} 6001 with the
     *         wait of the slowest denying rule; 6009, 6010 or 6003
     */
    public Result<Decision> checkRate(String entityId, String operation, List<RateLimit> limits, long cost) {
        InfraError invalid = invalidCheck(entityId, operation, limits, cost);
        if (invalid != null) {
            return Result.err(invalid);
        }
        Decision d;
        try {
            d = store.acquire(entityId, operation, limits, cost);
        } catch (RuntimeException e) {
            return Result.err(errorForStoreFailure(entityId, operation, e));
        }
        return toResult(entityId, operation, d, cost);
    }

    /** What the result-returning forms answer when the store fails: its own coded error (2102 when closed) as it is, 6010 when unreachable, else 6003. */
    private InfraError errorForStoreFailure(String entityId, String operation, Throwable e) {
        if (e instanceof LimitStoreUnavailableException) {
            return unavailable(entityId, operation, e);
        }
        return e instanceof InfraException coded ? coded.error() : storeFailure(entityId, operation, e);
    }

    /** The asynchronous form of {@link #checkRate(String, String, List, long)}; never completes exceptionally. */
    public CompletionStage<Result<Decision>> checkRateAsync(String entityId, String operation, List<RateLimit> limits, long cost) {
        InfraError invalid = invalidCheck(entityId, operation, limits, cost);
        if (invalid != null) {
            return CompletableFuture.completedFuture(Result.err(invalid));
        }
        CompletionStage<Decision> pending;
        try {
            pending = store.acquireAsync(entityId, operation, limits, cost);
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
        }
        return pending.handle((d, failure) -> {
            if (failure == null) {
                return toResult(entityId, operation, d, cost);
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            return Result.err(errorForStoreFailure(entityId, operation, cause));
        });
    }

    // ------------------------------------------------------------------ execution

    /** Runs {@code action} if one unit of an unnamed sliding-window rule of {@code limit} per {@code window} is admitted. */
    public <T> Result<T> executeWithLimit(String entityId, String operation, long limit, Duration window,
                                          ThrowingSupplier<T> action) {
        InfraError invalid = invalidRule(entityId, operation, limit, window);
        if (invalid != null) {
            return Result.err(invalid);
        }
        return executeWithLimit(entityId, operation, List.of(adHoc(limit, window)), 1, action);
    }

    /** Runs {@code action} if one unit of {@code limit} is admitted. */
    public <T> Result<T> executeWithLimit(String entityId, String operation, RateLimit limit, ThrowingSupplier<T> action) {
        if (limit == null) {
            return Result.err(invalid(entityId, operation, "limit must not be null"));
        }
        return executeWithLimit(entityId, operation, List.of(limit), 1, action);
    }

    /**
     * Runs {@code action} if {@code cost} units are admitted by every rule.
     *
     * @return {@code Ok} with the action's value; {@code Err} 6001 if denied (the action does not
     *         run), 6008 if the action threw an exception or an {@link Error} (the cause is kept; an
     *         interrupt is restored; a {@link VirtualMachineError} propagates), 6009, 6010, 6003
     */
    public <T> Result<T> executeWithLimit(String entityId, String operation, List<RateLimit> limits, long cost,
                                          ThrowingSupplier<T> action) {
        if (action == null) {
            return Result.err(invalid(entityId, operation, "action must not be null"));
        }
        Result<Decision> admission = checkRate(entityId, operation, limits, cost);
        if (admission instanceof Result.Err<Decision> err) {
            return Result.err(err.error());
        }
        try {
            return Result.ok(action.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.err(operationFailed(entityId, operation, e));
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable e) {
            return Result.err(operationFailed(entityId, operation, e));
        }
    }

    /**
     * The throwing form of {@link #executeWithLimit(String, String, RateLimit, ThrowingSupplier)}.
     *
     * @throws InfraException with the error {@code executeWithLimit} would return
     */
    public <T> T callWithLimit(String entityId, String operation, RateLimit limit, ThrowingSupplier<T> action) {
        return executeWithLimit(entityId, operation, limit, action).getOrThrow();
    }

    // ------------------------------------------------------------------ status and reset

    /**
     * The live state of every rule used on the key (on stores that can enumerate it; see
     * {@link LimitStore#inspect}).
     *
     * @return {@code Ok(status)} (with no rules when the key has no live state); 6009; 6003
     */
    public Result<RateLimitStatus> status(String entityId, String operation) {
        InfraError invalid = invalidKey(entityId, operation);
        if (invalid != null) {
            return Result.err(invalid);
        }
        try {
            return Result.ok(new RateLimitStatus(entityId, operation, store.inspect(entityId, operation)));
        } catch (InfraException e) {
            return Result.err(e.error());
        } catch (RuntimeException e) {
            return Result.err(storeFailure(entityId, operation, e));
        }
    }

    /** The state of the key under each of {@code limits} (a rule without state shows its full limit). */
    public Result<RateLimitStatus> status(String entityId, String operation, List<RateLimit> limits) {
        InfraError invalid = invalidCheck(entityId, operation, limits, 1);
        if (invalid != null) {
            return Result.err(invalid);
        }
        try {
            List<Decision> rules = new java.util.ArrayList<>(limits.size());
            for (RateLimit rule : limits) {
                rules.add(store.peek(entityId, operation, List.of(rule)));
            }
            return Result.ok(new RateLimitStatus(entityId, operation, rules));
        } catch (InfraException e) {
            return Result.err(e.error());
        } catch (RuntimeException e) {
            return Result.err(storeFailure(entityId, operation, e));
        }
    }

    /**
     * Clears every rule's state of the key; emits {@code rate_limiter.bucket_reset}.
     *
     * @return {@code Ok(true)} if there was live state, {@code Ok(false)} if not; 6009; 6007 if the store fails
     */
    public Result<Boolean> reset(String entityId, String operation) {
        InfraError invalid = invalidKey(entityId, operation);
        if (invalid != null) {
            return Result.err(invalid);
        }
        boolean hadState;
        try {
            hadState = store.reset(entityId, operation);
        } catch (InfraException e) {
            return Result.err(e.error());
        } catch (RuntimeException e) {
            return Result.err(InfraError.builder(CoreErrorCode.RATE_LIMITER_RESET_EXCEPTION)
                    .message("resetting rate limit of entity '" + entityId + "' operation '" + operation + "' failed: " + e)
                    .context("entity_id", entityId).context("operation", operation)
                    .timestampMillis(clock.currentTimeMillis()).cause(e).build());
        }
        if (resets.isActive()) {
            resets.emit(Map.of(), Map.of("entity_id", entityId, "operation", operation, "had_state", hadState));
        }
        return Result.ok(hadState);
    }

    // ------------------------------------------------------------------ maintenance

    /** The store decisions are made on. */
    public LimitStore store() {
        return configuredStore;
    }

    /** States held by the store, or -1 if it cannot tell. */
    public long keyCount() {
        return configuredStore.keyCount();
    }

    /** Frees expired state now (the {@code Infrastructure} also does it periodically); returns how many were removed. */
    public long sweepExpired() {
        return configuredStore.sweepExpired();
    }

    /** What {@code Infrastructure.status()} shows: the store, its keys and its own status. */
    public Status status() {
        return new Status(configuredStore.getClass().getSimpleName(), configuredStore.keyCount(), configuredStore.status());
    }

    /**
     * The status of a {@link RateLimiter}.
     *
     * @param store       the store's class name
     * @param keys        states held by the store, or -1 if it cannot tell
     * @param storeStatus the store's own status ({@link InMemoryLimitStore.Status}, the Redis
     *                    store's...), or null
     */
    public record Status(String store, long keys, ComponentStatus storeStatus) implements ComponentStatus {
    }

    /**
     * Closes the limiter for good (the {@code Infrastructure} does it when it closes), and the store
     * if this limiter owns it. From then on every check, {@code tryAcquire}, {@code executeWithLimit},
     * {@code status(entity, operation)} and {@code reset} answers 2102 SERVICE_UNAVAILABLE ("rate
     * limiter is closed"; {@code tryAcquire} and {@code callWithLimit} throw it as an
     * {@link InfraException}), whoever owns the store. Idempotent.
     */
    @Override
    public void close() {
        store = new ClosedStore(dev.bulwark.internal.Closed.error("rate limiter", clock));
        if (ownsStore) {
            configuredStore.close();
        }
    }

    @Override
    public String toString() {
        return "RateLimiter[" + configuredStore + "]";
    }

    /** What a closed limiter decides with: every decision is the 2102 error. */
    private static final class ClosedStore implements LimitStore {
        private final InfraError closed;

        ClosedStore(InfraError closed) {
            this.closed = closed;
        }

        @Override
        public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
            throw closed.toException();
        }

        @Override
        public Decision acquire(String entityId, String operation, RateLimit limit, long cost) {
            throw closed.toException();
        }

        @Override
        public long tryAcquire(String entityId, String operation, RateLimit limit, long cost) {
            throw closed.toException();
        }

        @Override
        public Decision peek(String entityId, String operation, List<RateLimit> limits) {
            throw closed.toException();
        }

        @Override
        public List<Decision> inspect(String entityId, String operation) {
            throw closed.toException();
        }

        @Override
        public boolean reset(String entityId, String operation) {
            throw closed.toException();
        }
    }

    // ------------------------------------------------------------------ internals

    private Decision acquireOrThrow(String entityId, String operation, RateLimit limit, long cost) {
        try {
            return store.acquire(entityId, operation, limit, cost);
        } catch (RuntimeException e) {
            throw thrownForStoreFailure(entityId, operation, e);
        }
    }

    /**
     * What the throwing forms throw when the store fails: bad input as it came (null pointer,
     * illegal argument), an unreachable backend as 6010, anything else as 6003.
     */
    private RuntimeException thrownForStoreFailure(String entityId, String operation, RuntimeException e) {
        if (e instanceof InfraException) {
            return e; // the store's own coded error (2102 when closed) as it is
        }
        if (e instanceof LimitStoreUnavailableException unavailable) {
            return unavailable(entityId, operation, unavailable).toException();
        }
        if (e instanceof NullPointerException || e instanceof IllegalArgumentException) {
            return e;
        }
        return storeFailure(entityId, operation, e).toException();
    }

    private Result<Decision> toResult(String entityId, String operation, Decision d, long cost) {
        emit(entityId, operation, d, cost);
        return d.allowed() ? Result.ok(d) : Result.err(exceeded(entityId, operation, d, cost));
    }

    private void emit(String entityId, String operation, Decision d, long cost) {
        if (d.allowed()) {
            if (allowed.isActive()) {
                allowed.emit(EventKeys.COUNT, cost, EventKeys.REMAINING, d.remaining(), metadata(entityId, operation, d.rule()));
            }
        } else if (denied.isActive()) {
            long retryMillis = d.canSucceedLater() ? d.retryAfter().toMillis() : -1;
            denied.emit(EventKeys.RETRY_AFTER_MS, retryMillis, metadata(entityId, operation, d.rule()));
        }
    }

    private static Map<String, Object> metadata(String entityId, String operation, RateLimit rule) {
        return new LimitEventMetadata(entityId, operation, rule);
    }

    private static String algorithmName(Algorithm algorithm) {
        return LimitEventMetadata.algorithmName(algorithm);
    }

    private RateLimit adHoc(long limit, Duration window) {
        AdHocRule key = new AdHocRule(limit, window.toNanos());
        RateLimit rule = adHocRules.get(key);
        if (rule == null) {
            rule = RateLimit.of(limit, window);
            if (adHocRules.size() < MAX_CACHED_AD_HOC_RULES) {
                adHocRules.putIfAbsent(key, rule);
            }
        }
        return rule;
    }

    private record AdHocRule(long limit, long windowNanos) {
    }

    // ------------------------------------------------------------------ validation (6009)

    /**
     * The key check of the primitive path: the same rule as {@link #invalidKey}, thrown. Costs a
     * character test for the usual key that starts with a printable ASCII character.
     */
    private static void requireKey(String entityId, String operation) {
        if (blank(entityId) || blank(operation)) {
            String what = blank(entityId) ? "entityId" : "operation";
            String value = blank(entityId) ? entityId : operation;
            if (value == null) {
                throw new NullPointerException(what + " must not be null");
            }
            throw new IllegalArgumentException(what + " must be a non-blank string, was '" + value + "'");
        }
    }

    /** Whether {@code s} is null or blank; a first character that is printable ASCII settles it at once. */
    private static boolean blank(String s) {
        if (s == null || s.isEmpty()) {
            return true;
        }
        char first = s.charAt(0);
        return (first <= ' ' || first >= 0x7F) && s.isBlank();
    }

    private InfraError invalidKey(String entityId, String operation) {
        if (entityId == null || entityId.isBlank()) {
            return invalid(entityId, operation, "entityId must be a non-blank string, was "
                    + (entityId == null ? "null" : "'" + entityId + "'"));
        }
        if (operation == null || operation.isBlank()) {
            return invalid(entityId, operation, "operation must be a non-blank string, was "
                    + (operation == null ? "null" : "'" + operation + "'"));
        }
        return null;
    }

    private InfraError invalidRule(String entityId, String operation, long limit, Duration window) {
        InfraError invalid = invalidKey(entityId, operation);
        if (invalid != null) {
            return invalid;
        }
        if (limit < 0 || limit > RateLimit.MAX_LIMIT) {
            return invalid(entityId, operation, "limit must be between 0 and " + RateLimit.MAX_LIMIT + ", was " + limit);
        }
        if (window == null || window.isZero() || window.isNegative() || window.compareTo(RateLimit.MAX_WINDOW) > 0) {
            return invalid(entityId, operation, "window must be positive and at most " + RateLimit.MAX_WINDOW + ", was " + window);
        }
        return null;
    }

    private InfraError invalidCheck(String entityId, String operation, List<RateLimit> limits, long cost) {
        InfraError invalid = invalidKey(entityId, operation);
        if (invalid != null) {
            return invalid;
        }
        String problem = LimitArguments.costProblem(cost);
        if (problem == null) {
            problem = LimitArguments.rulesProblem(limits);
        }
        return problem == null ? null : invalid(entityId, operation, problem);
    }

    private InfraError invalid(String entityId, String operation, String message) {
        return InfraError.builder(CoreErrorCode.RATE_LIMITER_INVALID_INPUT).message(message)
                .context("entity_id", entityId).context("operation", operation)
                .timestampMillis(clock.currentTimeMillis()).build();
    }

    // ------------------------------------------------------------------ errors

    private InfraError exceeded(String entityId, String operation, Decision d, long cost) {
        RateLimit rule = d.rule();
        InfraError.Builder b = InfraError.builder(CoreErrorCode.RATE_LIMIT_EXCEEDED)
                .message("rate limit exceeded for entity '" + entityId + "' operation '" + operation + "': rule '"
                        + rule.name() + "' allows " + rule.limit() + " per " + rule.window())
                .context("entity_id", entityId).context("operation", operation).context("rule", rule.name())
                .context("limit", rule.limit()).context("window_ms", rule.window().toMillis())
                .context("algorithm", algorithmName(rule.algorithm())).context("remaining", d.remaining())
                .context("cost", cost)
                .timestampMillis(clock.currentTimeMillis());
        if (d.reason() != null) {
            b.context("reason", d.reason()); // the store refused a new key (key bound, hash flood), not the rule
        }
        if (d.canSucceedLater()) {
            b.retryAfter(d.retryAfter());
        } else {
            b.retryStrategy(RetryStrategy.NO_RETRY).context("reason", rule.limit() == 0 ? "limit_zero" : "cost_exceeds_limit");
        }
        return b.build();
    }

    private InfraError operationFailed(String entityId, String operation, Throwable cause) {
        return InfraError.builder(CoreErrorCode.RATE_LIMITED_OPERATION_FAILED)
                .message("operation '" + operation + "' of entity '" + entityId + "' failed: " + cause)
                .context("entity_id", entityId).context("operation", operation)
                .timestampMillis(clock.currentTimeMillis()).cause(cause).build();
    }

    private InfraError unavailable(String entityId, String operation, Throwable cause) {
        return InfraError.builder(CoreErrorCode.RATE_LIMITER_UNAVAILABLE)
                .message("rate-limit store unavailable: " + cause.getMessage())
                .context("entity_id", entityId).context("operation", operation)
                .timestampMillis(clock.currentTimeMillis()).cause(cause).build();
    }

    private InfraError storeFailure(String entityId, String operation, Throwable cause) {
        return InfraError.builder(CoreErrorCode.RATE_LIMITER_EXCEPTION)
                .message("rate-limit store failed: " + cause)
                .context("entity_id", entityId).context("operation", operation)
                .timestampMillis(clock.currentTimeMillis()).cause(cause).build();
    }

    /** Builds a {@link RateLimiter}; not thread-safe. */
    public static final class Builder {
        private final LimitStore store;
        private Telemetry telemetry;
        private Clock clock = Clock.system();
        private boolean ownsStore;

        private Builder(LimitStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The telemetry stream events go to (default: a private stream nobody listens to). */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /** The clock of error timestamps (decisions use the store's clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link RateLimiter#close()} closes the store (default false: the caller owns it). */
        public Builder ownsStore(boolean ownsStore) {
            this.ownsStore = ownsStore;
            return this;
        }

        public RateLimiter build() {
            if (telemetry == null) {
                telemetry = Telemetry.create();
            }
            return new RateLimiter(this);
        }
    }
}
