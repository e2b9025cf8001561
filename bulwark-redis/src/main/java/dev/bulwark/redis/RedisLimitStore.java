package dev.bulwark.redis;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.circuit.State;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import dev.bulwark.error.RetryStrategy;
import dev.bulwark.health.Health;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.ratelimit.Decision;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitArguments;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.LimitStoreUnavailableException;
import dev.bulwark.ratelimit.RateLimit;
import dev.bulwark.redis.internal.DecisionBatcher;
import dev.bulwark.redis.internal.DenyCache;
import dev.bulwark.redis.internal.KeyLayout;
import dev.bulwark.redis.internal.LimitScriptProtocol;
import dev.bulwark.redis.internal.ScriptExecutor;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Durations;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link LimitStore} on Redis, so that a limit holds for a whole fleet of processes: every
 * decision is one atomic Lua script ({@code EVALSHA}, reloaded on {@code NOSCRIPT}) that checks
 * every rule of the key, records the cost against all of them or none, and sets the key's TTL to
 * the time its state still matters. Time is the Redis server's ({@code TIME}), so the clocks of
 * the clients, however skewed, change nothing.
 *
 * <pre>{@code
 * try (RedisLimitStore store = RedisLimitStore.builder()
 *         .uri("redis://127.0.0.1:6379")
 *         .commandTimeout(Duration.ofMillis(100))
 *         .failurePolicy(FailurePolicy.FALLBACK_LOCAL)
 *         .failurePolicy("login", FailurePolicy.FAIL_CLOSED)
 *         .build()) {
 *     Decision d = store.acquire("user:42", "search", List.of(RateLimit.of(100, Duration.ofMinutes(1))), 1);
 * }
 * }</pre>
 *
 * <p><b>Keys.</b> All rules of {@code (entityId, operation)} share one hash,
 * {@code <prefix>{<entityId>}:<operation>}; the braces make the entity the Redis Cluster hash tag.
 *
 * <p><b>Redis Cluster</b> ({@link Builder#cluster}). The same store on a cluster: each call goes to
 * the master serving its key's slot, redirections ({@code MOVED}, {@code ASK}) are followed, the
 * topology is refreshed periodically and whenever a node fails or redirects, batches are formed per
 * hash slot (a script's keys share one slot), and each master has its own circuit breaker, so that
 * while one master fails over only the decisions of its slots go to the failure policy (see
 * {@code docs/redis.md}, "Redis Cluster", for resharding and failover).
 *
 * <p><b>Batching</b> (on by default, {@link Builder#batching}). Concurrent decisions share script
 * calls: while {@link Builder#maxBatchesInFlight} calls are on their way to Redis, further decisions
 * queue, and the next call decides all of them in one atomic script run, one after the other, each
 * exactly as alone. A lone decision is sent at once. Under concurrency a decision thus costs less
 * than one round trip, and Redis pays the per-call overhead once per batch. A failed batch fails
 * each of its decisions, which its failure policy then decides.
 *
 * <p><b>When Redis cannot answer</b> (unreachable, slower than the command timeout, or an error), the
 * operation's {@link FailurePolicy} decides, and a circuit breaker around the Redis calls opens so
 * that, during an outage, a decision costs microseconds instead of a timeout. The breaker lets a
 * trial call through from time to time and closes when Redis answers again: recovery needs no
 * action. No call waits longer than the command timeout.
 *
 * <p><b>Deny cache.</b> A small local table remembers keys known to be denied until a given time
 * and answers those requests without a round trip; the answers are the ones Redis would give (see
 * {@code docs/redis.md} for why, and for the one case, a reset from another process, where the
 * cache lags).
 *
 * <p><b>Events</b> (see {@link Events}): {@code rate_limiter.backend_failure} for every decision taken
 * by a failure policy, {@code rate_limiter.backend_recovered} when Redis answers again,
 * {@code rate_limiter.deny_cache_hit} for every answer from the deny cache.
 *
 * <p>Thread-safe; one instance multiplexes every caller over one connection (on a cluster, one per
 * master).
 */
public final class RedisLimitStore implements LimitStore {

    private static final String BACKEND = "redis";
    private static final long NOT_FAILING = Long.MIN_VALUE;

    private final KeyLayout keys;
    private final LimitScriptProtocol protocol;
    private final ScriptExecutor redis;
    /** Coalesces concurrent fast-script decisions; null when batching is off. */
    private final DecisionBatcher batcher;
    /** Guards the Redis calls on a single node; on a cluster, those made while no master of the key's slot is known. */
    private final CircuitBreaker breaker;
    private final boolean cluster;
    private final CircuitBreakers registry;
    private final CircuitBreakerConfig breakerConfig;
    private final String breakerName;
    /** On a cluster, the breaker of each master ({@code host:port}) that served a decision, created when first needed. */
    private final ConcurrentHashMap<String, CircuitBreaker> nodeBreakers = new ConcurrentHashMap<>();
    private final DenyCache denyCache;
    private final Clock clock;
    private final FailurePolicy defaultPolicy;
    private final Map<String, FailurePolicy> operationPolicies;
    private final LimitStore fallback;
    private final boolean ownsFallback;

    private final EventChannel backendFailure;
    private final EventChannel backendRecovered;
    private final EventChannel denyCacheHit;

    private final LongAdder redisDecisions = new LongAdder();
    private final LongAdder policyDecisions = new LongAdder();
    private final LongAdder denyCacheHits = new LongAdder();
    private final AtomicLong failingSince = new AtomicLong(NOT_FAILING);
    private final AtomicLong failuresSinceHealthy = new AtomicLong();
    private volatile boolean closed;

    private RedisLimitStore(Builder b) {
        this.keys = new KeyLayout(b.keyPrefix);
        LimitScriptProtocol p = b.clientTimeForTesting ? LimitScriptProtocol.clientTime() : LimitScriptProtocol.serverTime();
        this.protocol = b.exactScriptOnly ? p.exactOnly() : p;
        this.clock = b.clock;
        this.defaultPolicy = b.failurePolicy;
        this.operationPolicies = Map.copyOf(b.operationPolicies);
        this.ownsFallback = b.fallbackStore == null;
        this.fallback = ownsFallback ? InMemoryLimitStore.builder().clock(b.clock).build() : b.fallbackStore;
        this.denyCache = b.denyCacheCapacity > 0 ? new DenyCache(b.denyCacheCapacity) : null;
        Telemetry telemetry = b.telemetry != null ? b.telemetry : Telemetry.create();
        this.registry = b.circuitBreakers != null ? b.circuitBreakers : CircuitBreakers.create(b.clock, telemetry);
        this.breakerConfig = b.circuitBreakerConfig != null ? b.circuitBreakerConfig : defaultBreakerConfig(b.commandTimeout);
        this.breakerName = b.circuitBreakerName;
        this.breaker = registry.install(breakerName, breakerConfig);
        this.cluster = b.clusterSeeds != null;
        this.backendFailure = telemetry.channel(Events.RATE_LIMITER_BACKEND_FAILURE);
        this.backendRecovered = telemetry.channel(Events.RATE_LIMITER_BACKEND_RECOVERED);
        this.denyCacheHit = telemetry.channel(Events.RATE_LIMITER_DENY_CACHE_HIT);
        this.redis = cluster
                ? ScriptExecutor.cluster(b.clusterSeeds, b.clientResources, b.connectTimeout, b.commandTimeout,
                        b.topologyRefreshPeriod)
                : ScriptExecutor.singleNode(b.uri, b.clientResources, b.connectTimeout, b.commandTimeout);
        this.batcher = b.batching
                ? new DecisionBatcher(redis, b.maxBatchesInFlight, b.maxBatchSize, b.commandTimeout)
                : null;
        this.redis.connectInBackground();
    }

    /** A builder with {@code redis://127.0.0.1:6379}, server time and {@link FailurePolicy#FALLBACK_LOCAL}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits at most the command timeout for Redis; then, or when Redis is down, the operation's
     * failure policy decides.
     *
     * @throws LimitStoreUnavailableException when Redis cannot decide and the policy is {@link FailurePolicy#FAIL_CLOSED}
     * @throws NullPointerException           if an argument or a rule is null
     * @throws IllegalArgumentException       if {@code limits} is empty, two rules share state, or {@code cost < 1}
     */
    @Override
    public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
        return acquire(entityId, operation, limits, cost, policyFor(operation));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Completes within the command timeout: with Redis's decision, the deny cache's, or the
     * failure policy's (exceptionally with a {@link LimitStoreUnavailableException} under
     * {@link FailurePolicy#FAIL_CLOSED}).
     *
     * @throws NullPointerException     if an argument or a rule is null
     * @throws IllegalArgumentException if {@code limits} is empty, two rules share state, or {@code cost < 1}
     */
    @Override
    public CompletionStage<Decision> acquireAsync(String entityId, String operation, List<RateLimit> limits, long cost) {
        return acquireAsync(entityId, operation, limits, cost, policyFor(operation));
    }

    @Override
    public Decision peek(String entityId, String operation, List<RateLimit> limits) {
        return peek(entityId, operation, limits, policyFor(operation));
    }

    private Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost, FailurePolicy policy) {
        LimitArguments.check(entityId, operation, limits, cost);
        requireOpen();
        return decideNow(call(entityId, operation, limits, cost, true, policy));
    }

    private CompletionStage<Decision> acquireAsync(String entityId, String operation, List<RateLimit> limits, long cost,
                                                   FailurePolicy policy) {
        LimitArguments.check(entityId, operation, limits, cost);
        if (closed) {
            return CompletableFuture.failedFuture(closedError().toException());
        }
        return decideLater(call(entityId, operation, limits, cost, true, policy));
    }

    private Decision peek(String entityId, String operation, List<RateLimit> limits, FailurePolicy policy) {
        LimitArguments.check(entityId, operation, limits, 1);
        requireOpen();
        return decideNow(call(entityId, operation, limits, 1, false, policy));
    }

    /**
     * A peek of every rule with live state under the key, read from Redis; the rules carry the
     * default label {@code "<limit>/<window>"} because Redis keeps no rule names.
     *
     * @throws LimitStoreUnavailableException if Redis cannot answer
     */
    @Override
    public List<Decision> inspect(String entityId, String operation) {
        LimitArguments.checkKey(entityId, operation);
        requireOpen();
        List<Object> reply = adminCall(entityId, operation, protocol.inspectArgs(clock.nanoTime()));
        return protocol.decodeInspect(reply);
    }

    /**
     * Deletes the key in Redis (and forgets it in the local fallback store and the deny cache).
     *
     * @return whether any rule of the key had live state in Redis
     * @throws LimitStoreUnavailableException if Redis cannot answer
     */
    @Override
    public boolean reset(String entityId, String operation) {
        LimitArguments.checkKey(entityId, operation);
        requireOpen();
        if (denyCache != null) {
            denyCache.forget(keys.key(entityId, operation));
        }
        fallback.reset(entityId, operation);
        return protocol.decodeReset(adminCall(entityId, operation, protocol.resetArgs(clock.nanoTime())));
    }

    /**
     * Redis expires its keys by itself; this sweeps the local fallback store (of
     * {@link FailurePolicy#FALLBACK_LOCAL}), which the rate limiter's scheduler calls periodically.
     *
     * @return how many local states were removed
     */
    @Override
    public long sweepExpired() {
        return fallback.sweepExpired();
    }

    /**
     * The circuit breaker that guards the Redis calls (its state, stats, manual control). On a Redis
     * Cluster each master has its own ({@link #nodeCircuitBreakers()}), and this one guards the calls
     * made while no master of the key's slot is known (not connected yet, an uncovered slot).
     */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    private static CircuitBreakerConfig defaultBreakerConfig(Duration commandTimeout) {
        return CircuitBreakerConfig.builder()
                .consecutiveFailures(3)
                .halfOpen(Duration.ofMillis(500), 1, 1)
                .trialTimeout(commandTimeout.compareTo(Durations.MAX.dividedBy(2)) > 0 ? Durations.MAX : commandTimeout.multipliedBy(2))
                .backoff(2.0, Duration.ofSeconds(4))
                .jitter(0.2)
                .build();
    }

    private List<Object> adminCall(String entityId, String operation, String[] args) {
        String key = keys.key(entityId, operation);
        CircuitBreaker guard = breakerFor(key);
        if (!guard.tryAcquire()) {
            redis.refreshTopology();
            throw unavailable(entityId, operation, "circuit_open", null);
        }
        long start = clock.nanoTime();
        try {
            List<Object> reply = redis.runSync(LimitScriptProtocol.EXACT, key, args);
            guard.onSuccess(clock.nanoTime() - start);
            recovered();
            return reply;
        } catch (RuntimeException e) {
            guard.onFailure(clock.nanoTime() - start, e);
            redis.refreshTopology();
            throw unavailable(entityId, operation, reason(e), e);
        }
    }

    /**
     * The breaker that guards a call on {@code key}: on a single node the store's; on a cluster the
     * one of the master serving the key's slot in the topology known now (the store's while none is
     * known). A master seen for the first time gets a breaker in the registry, named
     * {@code <circuitBreakerName>@host:port}, and the breakers of nodes that no longer serve slots
     * are removed from it.
     */
    private CircuitBreaker breakerFor(String key) {
        if (!cluster) {
            return breaker;
        }
        String master = redis.masterOf(ScriptExecutor.slot(key));
        if (master == null) {
            return breaker;
        }
        CircuitBreaker known = nodeBreakers.get(master);
        return known != null ? known : nodeBreaker(master);
    }

    private CircuitBreaker nodeBreaker(String master) {
        synchronized (nodeBreakers) {
            CircuitBreaker known = nodeBreakers.get(master);
            if (known != null) {
                return known;
            }
            CircuitBreaker created = registry.install(breakerName + "@" + master, breakerConfig);
            nodeBreakers.put(master, created);
            Set<String> masters = redis.masters();
            nodeBreakers.entrySet().removeIf(e -> {
                if (masters.contains(e.getKey()) || e.getValue() == created) {
                    return false;
                }
                registry.get(e.getValue().name()).filter(b -> b == e.getValue()).ifPresent(b -> registry.remove(b.name()));
                return true;
            });
            return created;
        }
    }

    /**
     * On a Redis Cluster, the breaker of each master that has served decisions, by {@code host:port}
     * (masters that no longer serve slots are dropped); empty on a single node.
     */
    public Map<String, CircuitBreaker> nodeCircuitBreakers() {
        return Map.copyOf(nodeBreakers);
    }

    /**
     * A view of this store that applies {@code policy} to every operation; it shares this store's
     * connection, breaker, deny cache and fallback store, and closing it does nothing. Use one per
     * limiter.
     */
    public LimitStore withFailurePolicy(FailurePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        RedisLimitStore store = this;
        return new LimitStore() {
            @Override
            public Decision acquire(String entityId, String operation, List<RateLimit> limits, long cost) {
                return store.acquire(entityId, operation, limits, cost, policy);
            }

            @Override
            public CompletionStage<Decision> acquireAsync(String entityId, String operation, List<RateLimit> limits,
                                                          long cost) {
                return store.acquireAsync(entityId, operation, limits, cost, policy);
            }

            @Override
            public Decision peek(String entityId, String operation, List<RateLimit> limits) {
                return store.peek(entityId, operation, limits, policy);
            }

            @Override
            public List<Decision> inspect(String entityId, String operation) {
                return store.inspect(entityId, operation);
            }

            @Override
            public boolean reset(String entityId, String operation) {
                return store.reset(entityId, operation);
            }

            @Override
            public String toString() {
                return store + " with " + policy;
            }
        };
    }

    /** A snapshot of the store's health and counters; part of {@code infra.status()} once installed. */
    @Override
    public Status status() {
        State worst = breaker.state();
        List<Node> nodes = new ArrayList<>();
        if (cluster) {
            for (Map.Entry<String, CircuitBreaker> e : new TreeMap<>(nodeBreakers).entrySet()) {
                State state = e.getValue().state();
                nodes.add(new Node(e.getKey(), state));
                if (availability(state) < availability(worst)) {
                    worst = state;
                }
            }
        }
        return new Status(redis.isConnected(), worst, redisDecisions.sum(), policyDecisions.sum(),
                denyCacheHits.sum(), batcher != null ? batcher.calls() : 0,
                batcher != null ? batcher.batchedRequests() : 0, cluster, List.copyOf(nodes),
                batcher != null ? batcher.retriedAlone() : 0);
    }

    private static int availability(State state) {
        return switch (state) {
            case OPEN -> 0;
            case DISABLED -> 1;
            case HALF_OPEN -> 2;
            case CLOSED -> 3;
        };
    }

    /**
     * The store's readiness check ({@value Builder#COMPONENT_NAME} in {@code infra.health()} once
     * installed as a module): UP while Redis decides; DEGRADED in fallback mode, while the breaker
     * around Redis is not closed (decisions come from the failure policy) or the connection is down.
     * Never DOWN: the limiter keeps deciding by its policy, and every instance of a fleet shares the
     * one Redis, so a DOWN here would take the whole fleet out of rotation at once (docs/health.md).
     */
    public Health health() {
        Status s = status();
        Health health;
        if (s.circuitState() != State.CLOSED) {
            health = Health.degraded("fallback mode: Redis breaker " + s.circuitState().label()
                    + ", decisions come from the failure policy (" + defaultPolicy + ")");
        } else if (!s.connected()) {
            health = Health.degraded("fallback mode: not connected to Redis, decisions come from the failure policy ("
                    + defaultPolicy + ")");
        } else {
            health = Health.up();
        }
        return health.withDetail("connected", s.connected()).withDetail("circuit_state", s.circuitState().label())
                .withDetail("redis_decisions", s.redisDecisions()).withDetail("policy_decisions", s.policyDecisions());
    }

    /**
     * The health and counters of a {@link RedisLimitStore}.
     *
     * @param connected       whether the Redis connection is open right now
     * @param circuitState    the state of the breaker that guards Redis calls (anything but CLOSED:
     *                        decisions come from the failure policies); on a cluster the least
     *                        available of the store's and the masters' breakers
     * @param redisDecisions  decisions answered by Redis
     * @param policyDecisions decisions taken by a failure policy because Redis could not answer
     * @param denyCacheHits   denials answered from the deny cache
     * @param batchCalls      script calls made by the batcher (0 when batching is off)
     * @param batchedRequests requests those calls carried: {@code batchedRequests / batchCalls} is
     *                        the mean batch size, and its inverse the round trips per decision
     * @param cluster         whether the store runs on a Redis Cluster
     * @param nodes           on a cluster, each master that has served decisions and the state of
     *                        its breaker, by address; empty on a single node
     * @param slotRetries     on a cluster, batched requests sent again alone because their slot
     *                        was being migrated ({@code TRYAGAIN})
     */
    public record Status(boolean connected, State circuitState, long redisDecisions, long policyDecisions,
                         long denyCacheHits, long batchCalls, long batchedRequests, boolean cluster,
                         List<Node> nodes, long slotRetries) implements ComponentStatus {
    }

    /**
     * One master of a Redis Cluster as the store sees it.
     *
     * @param address      its {@code host:port}
     * @param circuitState the state of the breaker that guards the calls to it
     */
    public record Node(String address, State circuitState) {
    }

    /**
     * Closes the connection (and the Lettuce client and threads, unless they were supplied) and the
     * fallback store it created. From then on every decision, peek, inspection and reset throws
     * {@link InfraException} 2102 SERVICE_UNAVAILABLE ("RedisLimitStore ... is closed"; the async
     * form completes exceptionally with it, and a {@code RateLimiter} answers it as {@code Err}),
     * whatever the failure policy: a closed store is not an outage. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (batcher != null) {
            batcher.close();
        }
        redis.close();
        if (ownsFallback) {
            fallback.close();
        }
    }

    @Override
    public String toString() {
        return "RedisLimitStore[" + keys + ", " + redis + ", circuit " + status().circuitState().name() + "]";
    }

    private void requireOpen() {
        if (closed) {
            throw closedError().toException();
        }
    }

    /** 2102, the answer of every operation after {@link #close()} (docs/errors.md, "After close"). */
    private InfraError closedError() {
        String component = "RedisLimitStore " + keys;
        return InfraError.builder(CoreErrorCode.SERVICE_UNAVAILABLE)
                .message(component + " is closed")
                .context("component", component)
                .retryStrategy(RetryStrategy.NO_RETRY)
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    // ---------------------------------------------------------------------------------------------

    /** Everything one decision needs to finish, on whichever thread its reply arrives. */
    private record Call(String entityId, String operation, List<RateLimit> limits, long cost, boolean record,
                        FailurePolicy policy, String key, long startNanos, CircuitBreaker breaker) {
    }

    private Call call(String entityId, String operation, List<RateLimit> limits, long cost, boolean record,
                      FailurePolicy policy) {
        String key = keys.key(entityId, operation);
        return new Call(entityId, operation, limits, cost, record, policy, key, clock.nanoTime(), breakerFor(key));
    }

    /**
     * The synchronous decision: the reply is awaited and processed on the caller's thread, so the
     * connection's single event-loop thread only completes futures.
     */
    private Decision decideNow(Call call) {
        Decision early = decideWithoutRedis(call);
        if (early != null) {
            return early;
        }
        String[] args = protocol.decisionArgs(call.record, call.cost, call.startNanos, call.limits);
        List<Object> reply = null;
        Throwable failure = null;
        try {
            if (protocol.needsExact(call.limits)) {
                reply = redis.runSync(LimitScriptProtocol.EXACT, call.key, args);
            } else {
                reply = batcher != null
                        ? batcher.await(call.key, args)
                        : redis.runSync(LimitScriptProtocol.FAST, call.key, args);
                if (LimitScriptProtocol.isHandover(reply)) {
                    reply = redis.runSync(LimitScriptProtocol.EXACT, call.key, args);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        return decideFromReply(call, reply, failure);
    }

    private CompletionStage<Decision> decideLater(Call call) {
        Decision early;
        try {
            early = decideWithoutRedis(call);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (early != null) {
            return CompletableFuture.completedFuture(early);
        }
        String[] args = protocol.decisionArgs(call.record, call.cost, call.startNanos, call.limits);
        CompletableFuture<List<Object>> reply;
        if (protocol.needsExact(call.limits)) {
            reply = redis.run(LimitScriptProtocol.EXACT, call.key, args);
        } else {
            CompletableFuture<List<Object>> fast = batcher != null
                    ? batcher.submit(call.key, args)
                    : redis.run(LimitScriptProtocol.FAST, call.key, args);
            reply = fast.thenCompose(r -> LimitScriptProtocol.isHandover(r)
                    ? redis.run(LimitScriptProtocol.EXACT, call.key, args)
                    : CompletableFuture.completedFuture(r));
        }
        return reply.handle((r, failure) -> decideFromReply(call, r, failure == null ? null : ScriptExecutor.unwrap(failure)));
    }

    /**
     * The decision when Redis need not or cannot be asked: a remembered denial, or the failure
     * policy while the breaker is open; null when Redis must decide.
     *
     * @throws LimitStoreUnavailableException when the breaker is open and the policy fails closed
     */
    private Decision decideWithoutRedis(Call call) {
        if (call.record && denyCache != null) {
            Decision cached = denyCache.lookup(call.key, call.limits, call.cost, call.startNanos);
            if (cached != null) {
                denyCacheHits.increment();
                if (denyCacheHit.isActive()) {
                    denyCacheHit.emit(Map.of("retry_after_ms", cached.retryAfterNanos() / 1_000_000L),
                            Map.of("backend", BACKEND, "entity_id", call.entityId, "operation", call.operation));
                }
                return cached;
            }
        }
        if (!call.breaker.tryAcquire()) {
            redis.refreshTopology();   // on a cluster: the slot may have a new master by now
            return decideByPolicy(call, "circuit_open", null);
        }
        return null;
    }

    /**
     * The decision in Redis's reply, or the failure policy's when there is none.
     *
     * @throws LimitStoreUnavailableException when Redis failed and the policy fails closed
     */
    private Decision decideFromReply(Call call, List<Object> reply, Throwable failure) {
        long elapsed = clock.nanoTime() - call.startNanos;
        if (failure == null) {
            Decision decision;
            try {
                decision = protocol.decodeDecision(reply, call.limits);
            } catch (RuntimeException badReply) {
                failure = new IllegalStateException("bad reply from Redis: " + reply, badReply);
                decision = null;
            }
            if (decision != null) {
                call.breaker.onSuccess(elapsed);
                redisDecisions.increment();
                recovered();
                if (call.record && denyCache != null) {
                    denyCache.remember(call.key, call.limits, call.cost, call.startNanos, decision);
                }
                return decision;
            }
        }
        call.breaker.onFailure(elapsed, failure);
        redis.refreshTopology();   // on a cluster: a failing master may have been replaced
        return decideByPolicy(call, reason(failure), failure);
    }

    /**
     * The failure policy's decision, with its telemetry.
     *
     * @throws LimitStoreUnavailableException under {@link FailurePolicy#FAIL_CLOSED}
     */
    private Decision decideByPolicy(Call call, String reason, Throwable cause) {
        policyDecisions.increment();
        failuresSinceHealthy.incrementAndGet();
        failingSince.compareAndSet(NOT_FAILING, call.startNanos);
        if (backendFailure.isActive()) {
            backendFailure.emit(Map.of("duration_us", (clock.nanoTime() - call.startNanos) / 1_000L),
                    Map.of("backend", BACKEND, "policy", call.policy.name(), "reason", reason,
                            "entity_id", call.entityId, "operation", call.operation));
        }
        return switch (call.policy) {
            case FAIL_OPEN -> admitUncounted(call.limits, call.cost);
            case FAIL_CLOSED -> throw unavailable(call.entityId, call.operation, reason, cause);
            case FALLBACK_LOCAL -> call.record
                    ? fallback.acquire(call.entityId, call.operation, call.limits, call.cost)
                    : fallback.peek(call.entityId, call.operation, call.limits);
        };
    }

    private void recovered() {
        long since = failingSince.get();
        if (since != NOT_FAILING && failingSince.compareAndSet(since, NOT_FAILING)) {
            long failures = failuresSinceHealthy.getAndSet(0);
            if (backendRecovered.isActive()) {
                backendRecovered.emit(Map.of("downtime_ms", (clock.nanoTime() - since) / 1_000_000L, "failures", failures),
                        Map.of("backend", BACKEND));
            }
        }
    }

    /**
     * The fail-open decision: admitted, nothing counted, against the tightest rule; except that a
     * request no rule could ever admit (limit 0, cost above the limit) is still denied for ever.
     */
    private static Decision admitUncounted(List<RateLimit> limits, long cost) {
        RateLimit tightest = limits.get(0);
        for (RateLimit r : limits) {
            if (r.limit() == 0 || cost > r.limit()) {
                return Decision.denied(r, r.limit(), Decision.NEVER, 0);
            }
            if (r.limit() < tightest.limit()) {
                tightest = r;
            }
        }
        return Decision.allowed(tightest, tightest.limit() - cost, 0);
    }

    private LimitStoreUnavailableException unavailable(String entityId, String operation, String reason, Throwable cause) {
        return new LimitStoreUnavailableException("Redis cannot decide for '" + entityId + "'/'" + operation
                + "' (" + reason + ")", cause);
    }

    private static String reason(Throwable cause) {
        if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
            return "timeout";
        }
        if (cause instanceof RedisCommandExecutionException || cause instanceof IllegalStateException) {
            return "error";
        }
        return "connection";
    }

    private FailurePolicy policyFor(String operation) {
        return operationPolicies.isEmpty() ? defaultPolicy : operationPolicies.getOrDefault(operation, defaultPolicy);
    }

    /**
     * Builds a {@link RedisLimitStore}. Every setter validates its argument at once and quotes a bad
     * value in its {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        /** The component name of the store installed as a module. */
        public static final String COMPONENT_NAME = "redis_limit_store";
        /** Default of {@link #maxBatchesInFlight}. */
        public static final int DEFAULT_BATCHES_IN_FLIGHT = 4;
        /** Default of {@link #maxBatchSize}. */
        public static final int DEFAULT_BATCH_SIZE = 128;
        /** Default of {@link #topologyRefreshPeriod}. */
        public static final Duration DEFAULT_TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(10);
        private RedisURI uri = RedisURI.create("redis://127.0.0.1:6379");
        private List<RedisURI> clusterSeeds;
        private Duration topologyRefreshPeriod = DEFAULT_TOPOLOGY_REFRESH_PERIOD;
        private ClientResources clientResources;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration commandTimeout = Duration.ofMillis(250);
        private String keyPrefix = "bulwark:rl:";
        private FailurePolicy failurePolicy = FailurePolicy.FALLBACK_LOCAL;
        private final Map<String, FailurePolicy> operationPolicies = new HashMap<>();
        private LimitStore fallbackStore;
        private Clock clock = Clock.system();
        private Telemetry telemetry;
        private boolean clientTimeForTesting;
        private int denyCacheCapacity = 4096;
        private boolean exactScriptOnly;
        private CircuitBreakers circuitBreakers;
        private String circuitBreakerName = "redis-limit-store";
        private CircuitBreakerConfig circuitBreakerConfig;
        private boolean batching = true;
        private int maxBatchesInFlight = DEFAULT_BATCHES_IN_FLIGHT;
        private int maxBatchSize = DEFAULT_BATCH_SIZE;

        private Builder() {
        }

        /**
         * One Redis server, e.g. {@code redis://:password@host:6379/0} or {@code rediss://host} for TLS.
         * Of {@code uri} and {@link #cluster}, the one called last decides.
         *
         * @throws IllegalArgumentException if the URI cannot be parsed
         */
        public Builder uri(String uri) {
            this.uri = parse("uri", uri);
            this.clusterSeeds = null;
            return this;
        }

        /**
         * A Redis Cluster, reached through any of {@code seedUris} (e.g.
         * {@code "redis://127.0.0.1:7001", "redis://127.0.0.1:7002"}; one suffices, the other nodes
         * are discovered, and every seed should carry the same credentials and TLS settings). Of
         * {@link #uri} and {@code cluster}, the one called last decides. See the class description
         * for what changes on a cluster; decisions do not.
         *
         * @throws IllegalArgumentException if no seed is given or one cannot be parsed, or names a
         *                                  database other than 0 (a cluster has only database 0)
         */
        public Builder cluster(String... seedUris) {
            Objects.requireNonNull(seedUris, "seedUris");
            return cluster(Arrays.asList(seedUris));
        }

        /** {@link #cluster(String...)} with a list. */
        public Builder cluster(List<String> seedUris) {
            Objects.requireNonNull(seedUris, "seedUris");
            if (seedUris.isEmpty()) {
                throw new IllegalArgumentException("cluster needs at least one seed URI, was " + seedUris);
            }
            List<RedisURI> parsed = new ArrayList<>(seedUris.size());
            for (String seed : seedUris) {
                RedisURI u = parse("cluster seed", seed);
                if (u.getDatabase() != 0) {
                    throw new IllegalArgumentException("a Redis Cluster has only database 0, but the seed '" + seed
                            + "' names database " + u.getDatabase());
                }
                parsed.add(u);
            }
            this.clusterSeeds = List.copyOf(parsed);
            return this;
        }

        /**
         * On a cluster, how often the topology is reloaded in the background (default 10 s). It is
         * also reloaded whenever a call is redirected, a node keeps failing to reconnect, a slot is
         * uncovered, or a decision fails or meets an open node breaker (at most four times a second).
         */
        public Builder topologyRefreshPeriod(Duration period) {
            this.topologyRefreshPeriod = positive("topologyRefreshPeriod", period);
            return this;
        }

        private static RedisURI parse(String what, String uri) {
            Objects.requireNonNull(uri, what);
            try {
                return RedisURI.create(uri);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(what + " is not a Redis URI: '" + uri + "' (" + e.getMessage() + ")", e);
            }
        }

        /**
         * Lettuce resources (event loops, timers) to share with other clients of the application;
         * the store does not shut them down. By default it creates its own small set.
         */
        public Builder clientResources(ClientResources resources) {
            this.clientResources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /**
         * How long opening a connection may take (default 1 s).
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive, or longer than {@link Durations#MAX}
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * The most a decision waits for Redis (default 250 ms); after it, the failure policy decides.
         * Also bounds the wait for a connection being opened.
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive, or longer than {@link Durations#MAX}
         */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive("commandTimeout", timeout);
            return this;
        }

        /**
         * The namespace of every key (default {@code bulwark:rl:}); must not contain braces, which
         * would capture the Redis Cluster hash tag.
         */
        public Builder keyPrefix(String prefix) {
            this.keyPrefix = KeyLayout.validPrefix(prefix);
            return this;
        }

        /** The failure policy of every operation without its own (default {@link FailurePolicy#FALLBACK_LOCAL}). */
        public Builder failurePolicy(FailurePolicy policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The failure policy of one operation, e.g. {@code FAIL_CLOSED} for {@code "login"}. */
        public Builder failurePolicy(String operation, FailurePolicy policy) {
            if (operation == null || operation.isEmpty()) {
                throw new IllegalArgumentException("operation must be non-empty, was " + (operation == null ? "null" : "''"));
            }
            operationPolicies.put(operation, Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * The local store that {@link FailurePolicy#FALLBACK_LOCAL} decides with; the caller keeps
         * ownership. By default the store creates an {@link InMemoryLimitStore} on its clock.
         */
        public Builder fallbackStore(LimitStore store) {
            this.fallbackStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The clock of the deny cache, the circuit breaker, the fallback store and the durations in
         * events (default: the system clock). Decisions on Redis use the server's time, not this
         * clock, unless {@link #useClientClockForTesting()}.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where the store's events go (default: a private stream nobody listens to). */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * <b>For tests only.</b> The script takes "now" from this builder's {@link #clock} (its
         * {@code nanoTime()}) instead of Redis {@code TIME}, so that a test can drive time with a
         * {@link dev.bulwark.time.ManualClock} and compare decisions with the in-memory store.
         * Every client sharing keys must then share one clock; in production clients' clocks
         * differ, which is exactly what server time protects against.
         */
        public Builder useClientClockForTesting() {
            this.clientTimeForTesting = true;
            return this;
        }

        /** How many denied keys the local deny cache remembers (default 4096); 0 turns it off. */
        public Builder denyCacheCapacity(int capacity) {
            if (capacity < 0 || capacity > (1 << 24)) {
                throw new IllegalArgumentException("denyCacheCapacity must be in [0, 16777216], was " + capacity);
            }
            this.denyCacheCapacity = capacity;
            return this;
        }

        /**
         * The configuration of the circuit breaker that guards the Redis calls. The default opens
         * after 3 consecutive failures (a timeout, a refused connection, an error reply), lets one
         * trial call through after 500 ms, doubles that wait after each failed trial up to 4 s
         * (with 20 % jitter), and closes on the first successful trial. On a cluster every master's
         * breaker gets this configuration.
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            this.circuitBreakerConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The registry to install the breaker in, e.g. {@code infra.circuitBreakers()} so that it
         * shows in the application's status and telemetry; by default a private one on this
         * builder's clock and telemetry. Installing replaces a breaker of the same name's configuration.
         */
        public Builder circuitBreakers(CircuitBreakers registry) {
            this.circuitBreakers = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * The name of the breaker (default {@code redis-limit-store}); on a cluster each master's
         * breaker is named {@code <name>@host:port}.
         */
        public Builder circuitBreakerName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("circuitBreakerName must be non-blank, was " + (name == null ? "null" : "'" + name + "'"));
            }
            this.circuitBreakerName = name;
            return this;
        }

        /**
         * Whether concurrent decisions are coalesced into one script call (default: on). A lone
         * decision is sent at once, as without batching; under concurrency, while
         * {@link #maxBatchesInFlight} calls are on their way to Redis, further decisions queue and
         * the next call decides all of them, in order, in one atomic script run (one round trip, one
         * server {@code TIME}). Decisions are the same as unbatched; see {@code docs/redis.md}.
         */
        public Builder batching(boolean enabled) {
            this.batching = enabled;
            return this;
        }

        /**
         * With {@link #batching}, how many batch calls may be on their way to Redis at once
         * (default {@value #DEFAULT_BATCHES_IN_FLIGHT}, in [1, 64]): more keeps Redis busier,
         * fewer makes larger batches.
         */
        public Builder maxBatchesInFlight(int calls) {
            if (calls < 1 || calls > 64) {
                throw new IllegalArgumentException("maxBatchesInFlight must be in [1, 64], was " + calls);
            }
            this.maxBatchesInFlight = calls;
            return this;
        }

        /**
         * With {@link #batching}, the most decisions in one call (default {@value #DEFAULT_BATCH_SIZE},
         * in [1, 1024]); bounds how long one script run holds Redis.
         */
        public Builder maxBatchSize(int decisions) {
            if (decisions < 1 || decisions > 1024) {
                throw new IllegalArgumentException("maxBatchSize must be in [1, 1024], was " + decisions);
            }
            this.maxBatchSize = decisions;
            return this;
        }

        /** Tests: every decision goes to the exact script, so the conformance suite covers it too. */
        Builder exactScriptOnly() {
            this.exactScriptOnly = true;
            return this;
        }

        /**
         * Builds the store and starts connecting in the background; never blocks on Redis and
         * succeeds even when Redis is down (the failure policy then decides). Prefer
         * {@link #asModule()}, which builds it on an infrastructure's clock, telemetry and breakers.
         */
        public RedisLimitStore build() {
            return new RedisLimitStore(this);
        }

        /**
         * This store as a module: installed with {@code Infrastructure.builder().install(...)}, it is
         * built on the infrastructure's clock, telemetry and breaker registry (whatever
         * {@link #clock}, {@link #telemetry} and {@link #circuitBreakers} said), becomes the store of
         * {@code infra.rateLimiter()}, shows its {@link Status} in {@code infra.status()} under
         * {@value #COMPONENT_NAME} and its {@link RedisLimitStore#health() health} in readiness
         * under the same name, is found by {@code infra.component(RedisLimitStore.class)}, and
         * closes with the infrastructure.
         *
         * <pre>{@code
         * Infrastructure infra = Infrastructure.builder()
         *         .install(RedisLimitStore.builder().uri("redis://127.0.0.1:6379").asModule())
         *         .build();
         * }</pre>
         */
        public BulwarkModule asModule() {
            Builder configured = this;
            return new BulwarkModule() {
                @Override
                public String name() {
                    return COMPONENT_NAME;
                }

                @Override
                public void install(ModuleContext context) {
                    configured.clock = context.clock();
                    configured.telemetry = context.telemetry();
                    configured.circuitBreakers = context.circuitBreakers();
                    RedisLimitStore store = configured.build();
                    context.register(COMPONENT_NAME, store, store::status, null);
                    context.useRateLimitStore(store, true);
                    context.health().register(COMPONENT_NAME, store::health, HealthGroup.READINESS);
                }

                @Override
                public String toString() {
                    return "RedisLimitStore module[" + (configured.clusterSeeds != null
                            ? "cluster " + configured.clusterSeeds : configured.uri) + "]";
                }
            };
        }

        private static Duration positive(String name, Duration d) {
            return Durations.requirePositive(name, d);
        }
    }
}
