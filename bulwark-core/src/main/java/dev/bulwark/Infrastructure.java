package dev.bulwark;

import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.CoreErrorCode;
import dev.bulwark.error.ErrorCatalogue;
import dev.bulwark.error.InfraError;
import dev.bulwark.health.HealthConfig;
import dev.bulwark.health.HealthRegistry;
import dev.bulwark.internal.Closed;
import dev.bulwark.internal.DaemonExecutor;
import dev.bulwark.internal.ExecutorScheduler;
import dev.bulwark.internal.SystemTimer;
import dev.bulwark.internal.health.CoreChecks;
import dev.bulwark.internal.health.HealthRegistryImpl;
import dev.bulwark.internal.pipeline.ProtectionRegistry;
import dev.bulwark.memory.MemoryConfig;
import dev.bulwark.memory.MemoryMonitor;
import dev.bulwark.memory.MemorySource;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Durations;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.TickingClock;
import dev.bulwark.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The entry point of Bulwark: one object that owns the clock, the telemetry stream, the
 * background scheduler and every protection component built on them, core's and those of the
 * {@linkplain BulwarkModule modules} installed into it.
 *
 * <pre>{@code
 * try (Infrastructure infra = Infrastructure.builder().build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@code build()} starts the scheduler thread, builds core's components,
 * installs the modules in order and emits {@code infrastructure.initialized}; {@link #close()}
 * emits {@code infrastructure.stopped}, closes the components in reverse order of registration and
 * stops every thread the instance started. Building and closing any number of instances in one
 * JVM leaves no thread behind.
 *
 * <p><b>After close</b> (docs/errors.md, "After close"): every operation that would run a call,
 * admit one or change a component — {@code executeProtected*}, {@code callProtected},
 * {@code configureProtection}, and the breakers, the rate limiter and the policies obtained from
 * this instance — answers 2102 SERVICE_UNAVAILABLE ("... is closed", not retried), in the form
 * the operation reports errors; calls waiting on a timeout, a bulkhead place or a retry's backoff
 * when it closes end with 2102 too. Queries ({@code status}, {@code protectionConfig},
 * {@code protectionKeys}, {@code protectionStatus}, stats) keep answering.
 *
 * <p>Thread-safe.
 */
public final class Infrastructure implements AutoCloseable {

    private final Clock clock;
    /** The clock this instance started and must close; null when the caller owns the clock. */
    private final TickingClock ownedClock;
    private final Telemetry telemetry;
    private final boolean ownsTelemetry;
    private final ExecutorScheduler scheduler;
    private final Instant startedAt;
    private final long startedNanos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Components components = new Components();
    private final ErrorCatalogue errorCodes = ErrorCatalogue.withCoreCodes();
    private final CircuitBreakers circuitBreakers;
    private final HealthRegistryImpl health;
    private final MemoryMonitor memory;
    private final PolicyContext policyContext;
    private final ProtectionRegistry protections;
    private final RateLimiter rateLimiter;

    private Infrastructure(Builder b) {
        this.ownedClock = b.tickingClockResolution != null ? TickingClock.start(b.tickingClockResolution) : null;
        this.clock = ownedClock != null ? ownedClock : b.clock;
        this.ownsTelemetry = b.telemetry == null;
        this.telemetry = b.telemetry != null ? b.telemetry : b.telemetryBuilder.clock(clock).build();
        this.scheduler = new ExecutorScheduler();
        this.startedAt = clock.instant();
        this.startedNanos = clock.nanoTime();
        try {
            this.policyContext = policyContext(b);
            CircuitBreakers breakers = CircuitBreakers.create(clock, telemetry);
            this.circuitBreakers = components.register("circuit_breakers", breakers, breakers::snapshot, breakers);
            HealthRegistryImpl healthRegistry = new HealthRegistryImpl(clock, policyContext.executor(), telemetry, b.health);
            this.health = components.register("health", healthRegistry, healthRegistry::status, healthRegistry);
            CoreChecks.registerProcessChecks(health, scheduler);
            components.onClose(CoreChecks.followBreakers(health, breakers));
            MemoryMonitor.Builder monitor = MemoryMonitor.builder().config(b.memory).clock(clock).telemetry(telemetry)
                    .scheduler(scheduler).executor(policyContext.executor());
            if (b.memorySource != null) {
                monitor.source(b.memorySource);
            }
            MemoryMonitor built = monitor.build();
            this.memory = components.register("memory_monitor", built, built::status, built);
            CoreChecks.registerMemory(health, memory);
            LimiterSlot limiterSlot = new LimiterSlot(b);
            List<Consumer<? super Infrastructure>> whenBuilt = new ArrayList<>();
            for (BulwarkModule module : b.modules) {
                module.install(new Context(module.name(), limiterSlot, whenBuilt));
            }
            this.rateLimiter = limiterSlot.limiter();
            CoreChecks.registerKeyBound(health, rateLimiter, b.health.keyBoundWarning());
            scheduler.scheduleAtFixedRate("rate-limit-sweep", b.rateLimitSweepInterval, rateLimiter::sweepExpired);
            this.protections = new ProtectionRegistry(this, policyContext);
            components.register("protections", protections, protections::snapshot, null);
            for (Consumer<? super Infrastructure> action : whenBuilt) {
                action.accept(this);
            }
        } catch (RuntimeException | Error e) {
            closeAll();
            throw e;
        }
        emit(Events.INFRASTRUCTURE_INITIALIZED);
    }

    /** A builder with the system clock and synchronous telemetry under {@code foundation.infra}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The clock every component reads time from. */
    public Clock clock() {
        return clock;
    }

    /** The telemetry stream all components emit to. */
    public Telemetry telemetry() {
        return telemetry;
    }

    /** The scheduler for background work; its thread stops with {@link #close()}. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** The registry of named circuit breakers (fuse semantics and more; see {@link CircuitBreakers}). */
    public CircuitBreakers circuitBreakers() {
        return circuitBreakers;
    }

    /**
     * The health checks of this instance and their reports: {@code health().readiness()} and
     * {@code health().liveness()} answer the two probes (docs/health.md). Core contributes a
     * readiness check per breaker (open DEGRADED, DOWN only when marked critical), the rate
     * limiter's key bound and memory pressure, and the liveness checks of the process itself;
     * modules add theirs.
     */
    public HealthRegistry health() {
        return health;
    }

    /**
     * The memory monitor: the heap's occupancy after collection as a {@link dev.bulwark.memory.MemoryPressure}
     * level, which the {@code shed} stage acts on (docs/memory.md).
     */
    public MemoryMonitor memory() {
        return memory;
    }

    /** The error codes this instance can produce: core's and those of its modules. */
    public ErrorCatalogue errorCodes() {
        return errorCodes;
    }

    /**
     * What the pipeline's policies run on: this instance's clock, telemetry, timer (the clock
     * itself when it is a {@link dev.bulwark.time.ManualClock}) and executor. Pass it to
     * {@code Retry.of}, {@code Timeout.of}, {@code Bulkhead.of} and {@code Fallback.of} to use a
     * policy on its own.
     */
    public PolicyContext policyContext() {
        return policyContext;
    }

    /**
     * The first component of {@code type} registered by core or a module: {@code infra.component(Pools.class)},
     * {@code infra.component(RedisLimitStore.class)}.
     */
    public <C> Optional<C> component(Class<C> type) {
        Objects.requireNonNull(type, "type");
        return components.first(type);
    }

    /** Every component of {@code type}, in registration order. */
    public <C> List<C> components(Class<C> type) {
        Objects.requireNonNull(type, "type");
        return components.all(type);
    }

    // ---------------------------------------------------------------- the protection pipeline

    /**
     * Runs {@code operation} under every stage of {@code protection}, nested in the fixed order of
     * their slots: fallback → rate limit → shed → adaptive concurrency → bulkhead → total timeout →
     * retry → hedge → circuit breaker → attempt timeout → pool (docs/pipeline.md).
     *
     * @return {@code Ok(value)} (the call's, or the fallback's); or {@code Err} with the error that
     *         came out: 6001 rate limited, 7001 bulkhead full, 7002 timed out, 7003 retries exhausted,
     *         7004 retry budget exhausted, 5004 breaker open, 5005 breaker not installed, 5003 / 5012
     *         the call failed, 7005 the fallback failed, 7007 {@code protection} is null or a stage
     *         cannot be built, 3204 {@code operation} is null
     */
    public <T> Result<T> executeProtected(Protection protection, ThrowingSupplier<T> operation) {
        return executeProtected(protection, null, Criticality.DEFAULT, operation);
    }

    /**
     * {@link #executeProtected(Protection, ThrowingSupplier)} on behalf of {@code entityId}, the
     * entity the protection's rate limit counts (it overrides the protection's own entity; required
     * for a per-caller limit, else 6009).
     */
    public <T> Result<T> executeProtected(Protection protection, String entityId, ThrowingSupplier<T> operation) {
        return executeProtected(protection, entityId, Criticality.DEFAULT, operation);
    }

    /**
     * {@link #executeProtected(Protection, String, ThrowingSupplier)} for a call of the given
     * {@code criticality}: under memory pressure the protection's shed stage rejects
     * {@link Criticality#SHEDDABLE} calls first, then all but {@link Criticality#CRITICAL} ones
     * (7201). The other overloads run {@link Criticality#DEFAULT} calls.
     *
     * <pre>{@code
     * infra.executeProtected("recommendations", userId, Criticality.SHEDDABLE, () -> recommender.forUser(userId));
     * }</pre>
     *
     * @return as {@link #executeProtected(Protection, ThrowingSupplier)}, and 7201 when shed, 3204 for a
     *         null {@code criticality}
     */
    public <T> Result<T> executeProtected(Protection protection, String entityId, Criticality criticality,
                                          ThrowingSupplier<T> operation) {
        InfraError invalid = invalidCall(protection, operation, criticality);
        return invalid != null ? Result.err(invalid)
                : protections.execute(protection, protection.directRuntime, operation, entityId, criticality);
    }

    /**
     * Runs {@code operation} under the protection configured under {@code key}
     * ({@link #configureProtection}); as {@link #executeProtected(Protection, ThrowingSupplier)},
     * and 7006 when no protection has that key.
     */
    public <T> Result<T> executeProtected(String key, ThrowingSupplier<T> operation) {
        return executeProtected(key, null, Criticality.DEFAULT, operation);
    }

    /** {@link #executeProtected(String, ThrowingSupplier)} on behalf of {@code entityId}. */
    public <T> Result<T> executeProtected(String key, String entityId, ThrowingSupplier<T> operation) {
        return executeProtected(key, entityId, Criticality.DEFAULT, operation);
    }

    /**
     * {@link #executeProtected(String, String, ThrowingSupplier)} for a call of the given
     * {@code criticality} (see {@link #executeProtected(Protection, String, Criticality, ThrowingSupplier)}).
     */
    public <T> Result<T> executeProtected(String key, String entityId, Criticality criticality, ThrowingSupplier<T> operation) {
        if (closed.get()) {
            return Result.err(closedError());
        }
        InfraError invalid = invalidOperation(operation, criticality);
        return invalid != null ? Result.err(invalid) : protections.execute(key, operation, entityId, criticality);
    }

    /**
     * Like {@link #executeProtected(String, String, ThrowingSupplier)}, but returns the value or throws.
     *
     * @throws dev.bulwark.error.InfraException with the error {@code executeProtected} would return
     */
    public <T> T callProtected(String key, String entityId, ThrowingSupplier<T> operation) {
        return executeProtected(key, entityId, operation).getOrThrow();
    }

    /**
     * Like {@link #executeProtected(String, String, Criticality, ThrowingSupplier)}, but returns the value or throws.
     *
     * @throws dev.bulwark.error.InfraException with the error {@code executeProtected} would return
     */
    public <T> T callProtected(String key, String entityId, Criticality criticality, ThrowingSupplier<T> operation) {
        return executeProtected(key, entityId, criticality, operation).getOrThrow();
    }

    /** {@link #callProtected(String, String, ThrowingSupplier)} with no entity. */
    public <T> T callProtected(String key, ThrowingSupplier<T> operation) {
        return callProtected(key, null, operation);
    }

    /**
     * Like {@link #executeProtected(Protection, String, ThrowingSupplier)}, but returns the value or throws.
     *
     * @throws dev.bulwark.error.InfraException with the error {@code executeProtected} would return
     */
    public <T> T callProtected(Protection protection, String entityId, ThrowingSupplier<T> operation) {
        return executeProtected(protection, entityId, operation).getOrThrow();
    }

    /**
     * Like {@link #executeProtected(Protection, String, Criticality, ThrowingSupplier)}, but returns the value or throws.
     *
     * @throws dev.bulwark.error.InfraException with the error {@code executeProtected} would return
     */
    public <T> T callProtected(Protection protection, String entityId, Criticality criticality, ThrowingSupplier<T> operation) {
        return executeProtected(protection, entityId, criticality, operation).getOrThrow();
    }

    /** {@link #callProtected(Protection, String, ThrowingSupplier)} with no entity. */
    public <T> T callProtected(Protection protection, ThrowingSupplier<T> operation) {
        return callProtected(protection, null, operation);
    }

    /**
     * The asynchronous form of {@link #executeProtected(Protection, ThrowingSupplier)}: no thread
     * blocks on a wait, a backoff or a timeout. The stage never completes exceptionally.
     */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(Protection protection,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(protection, null, Criticality.DEFAULT, operation);
    }

    /** {@link #executeProtectedAsync(Protection, Supplier)} on behalf of {@code entityId}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(Protection protection, String entityId,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(protection, entityId, Criticality.DEFAULT, operation);
    }

    /** {@link #executeProtectedAsync(Protection, String, Supplier)} for a call of the given {@code criticality}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(Protection protection, String entityId, Criticality criticality,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        InfraError invalid = invalidCall(protection, operation, criticality);
        return invalid != null ? CompletableFuture.completedFuture(Result.err(invalid))
                : protections.executeAsync(protection, protection.directRuntime, operation, entityId, criticality);
    }

    /** The asynchronous form of {@link #executeProtected(String, ThrowingSupplier)}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(String key, Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(key, null, Criticality.DEFAULT, operation);
    }

    /** {@link #executeProtectedAsync(String, Supplier)} on behalf of {@code entityId}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(String key, String entityId,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(key, entityId, Criticality.DEFAULT, operation);
    }

    /** {@link #executeProtectedAsync(String, String, Supplier)} for a call of the given {@code criticality}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(String key, String entityId, Criticality criticality,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        if (closed.get()) {
            return CompletableFuture.completedFuture(Result.err(closedError()));
        }
        InfraError invalid = invalidOperation(operation, criticality);
        return invalid != null ? CompletableFuture.completedFuture(Result.err(invalid))
                : protections.executeAsync(key, operation, entityId, criticality);
    }

    /**
     * Configures (or replaces) the protection under {@code key}. The replacement is atomic: a call
     * runs entirely under the old configuration or entirely under the new one. State that still
     * applies is kept: the breaker and the rate limits (they live in their registries), and each
     * stage whose configuration is equal to the one it replaces (the bulkhead also keeps its calls
     * in flight under a new limit). Configuring an equal protection again changes nothing.
     *
     * @return {@code Ok(config)}; {@code Err(7007)} for a blank, over-long or control-character key,
     *         a null config, or a stage that cannot be built; {@code Err(2102)} after {@link #close()}
     */
    public Result<Protection> configureProtection(String key, Protection config) {
        if (closed.get()) {
            return Result.err(closedError());
        }
        return protections.configure(key, config);
    }

    /** The configuration under {@code key}, or {@code Err(7006)}. */
    public Result<Protection> protectionConfig(String key) {
        return protections.config(key);
    }

    /** The keys of the configured protections, sorted. */
    public List<String> protectionKeys() {
        return protections.keys();
    }

    /** The state of every stage of the protection under {@code key}, or {@code Err(7006)}. */
    public Result<ProtectionStatus> protectionStatus(String key) {
        return protections.status(key);
    }

    /** Removes the protection under {@code key}; calls already running finish under it. */
    public boolean removeProtection(String key) {
        return protections.remove(key);
    }

    /**
     * Tells {@code listener} of every named protection now, then of each one configured,
     * reconfigured ({@link RegistryListener#replaced}) or removed.
     */
    public Subscription subscribeToProtections(RegistryListener<? super Protection> listener) {
        return protections.subscribe(listener);
    }

    private InfraError invalidCall(Protection protection, Object operation, Criticality criticality) {
        if (closed.get()) {
            return closedError();
        }
        if (protection == null) {
            return protections.invalid(null, "protection must not be null", null);
        }
        return invalidOperation(operation, criticality);
    }

    /** 2102: what every entry that would run or change something answers after {@link #close()}. */
    private InfraError closedError() {
        return Closed.error("infrastructure", clock);
    }

    private InfraError invalidOperation(Object operation, Criticality criticality) {
        if (operation == null || criticality == null) {
            return InfraError.builder(CoreErrorCode.INVALID_INPUT)
                    .message((operation == null ? "operation" : "criticality") + " must not be null")
                    .timestampMillis(clock.currentTimeMillis())
                    .build();
        }
        return null;
    }

    private PolicyContext policyContext(Builder b) {
        Timer timer = b.timer;
        if (timer == null && clock instanceof Timer clockTimer) {
            timer = clockTimer;
        }
        if (timer == null) {
            SystemTimer systemTimer = new SystemTimer();
            components.onClose(systemTimer);
            timer = systemTimer;
        }
        Executor executor = b.executor;
        if (executor == null) {
            DaemonExecutor.Owned pool = DaemonExecutor.createOwned("bulwark-pipeline");
            components.onClose(pool);
            executor = pool;
        }
        return PolicyContext.builder().clock(clock).timer(timer).executor(executor).telemetry(telemetry)
                .closedWhen(closed::get).build();
    }

    /**
     * The rate limiter, on the configured {@link LimitStore} (by default an in-memory store on this
     * instance's clock, bounded by {@link Builder#rateLimitMaxKeys(long)}; a module such as the
     * Redis store may set another); its expired state is swept every
     * {@link Builder#rateLimitSweepInterval(Duration)}.
     */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isRunning() {
        return !closed.get();
    }

    /** A snapshot of this instance and the typed status of each of its components. */
    public InfrastructureStatus status() {
        return new InfrastructureStatus(isRunning(), startedAt,
                Duration.ofNanos(clock.nanoTime() - startedNanos),
                components.statuses(),
                telemetry.droppedEvents(), telemetry.handlerFailures(), scheduler.failures());
    }

    /**
     * Stops this instance: emits {@code infrastructure.stopped}, closes components in reverse
     * order of registration (modules' before core's), stops the scheduler and (if it created it)
     * the telemetry dispatcher. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        emit(Events.INFRASTRUCTURE_STOPPED);
        closeAll();
    }

    private void closeAll() {
        components.closeAll();
        scheduler.close();
        if (ownsTelemetry) {
            telemetry.close();
        }
        if (ownedClock != null) {
            ownedClock.close();
        }
    }

    private void emit(EventType event) {
        EventChannel channel = telemetry.channel(event);
        if (channel.isActive()) {
            channel.emit(Map.of(), Map.of(EventKeys.COMPONENTS, components.names()));
        }
    }

    /** The components of this instance: status sources, lookups by type, and what to close. */
    private static final class Components {
        private record Entry(String name, Object component, Supplier<? extends ComponentStatus> status) {
        }

        private final List<Entry> entries = new ArrayList<>();
        private final List<AutoCloseable> closeables = new ArrayList<>();

        synchronized <C> C register(String name, C component, Supplier<? extends ComponentStatus> status,
                                    AutoCloseable onClose) {
            Objects.requireNonNull(component, "component");
            if (name == null || !name.matches("[a-z][a-z0-9_]{0,63}")) {
                throw new IllegalArgumentException("component name must be lower_snake_case (at most 64), was "
                        + (name == null ? "null" : "'" + name + "'"));
            }
            for (Entry e : entries) {
                if (e.name.equals(name)) {
                    throw new IllegalArgumentException("a component named '" + name + "' is already registered: "
                            + e.component);
                }
            }
            entries.add(new Entry(name, component, status));
            if (onClose != null) {
                closeables.add(onClose);
            }
            return component;
        }

        synchronized void onClose(AutoCloseable closeable) {
            closeables.add(closeable);
        }

        synchronized <C> Optional<C> first(Class<C> type) {
            for (Entry e : entries) {
                if (type.isInstance(e.component)) {
                    return Optional.of(type.cast(e.component));
                }
            }
            return Optional.empty();
        }

        synchronized <C> List<C> all(Class<C> type) {
            List<C> found = new ArrayList<>();
            for (Entry e : entries) {
                if (type.isInstance(e.component)) {
                    found.add(type.cast(e.component));
                }
            }
            return List.copyOf(found);
        }

        synchronized List<String> names() {
            return entries.stream().map(Entry::name).toList();
        }

        Map<String, ComponentStatus> statuses() {
            List<Entry> snapshot;
            synchronized (this) {
                snapshot = List.copyOf(entries);
            }
            Map<String, ComponentStatus> out = new LinkedHashMap<>();
            for (Entry e : snapshot) {
                ComponentStatus status = e.status == null ? null : e.status.get();
                if (status != null) {
                    out.put(e.name, status);
                }
            }
            return Collections.unmodifiableMap(out);
        }

        void closeAll() {
            List<AutoCloseable> reversed;
            synchronized (this) {
                reversed = new ArrayList<>(closeables);
                closeables.clear();
            }
            Collections.reverse(reversed);
            for (AutoCloseable c : reversed) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.getLogger(Infrastructure.class.getName())
                            .log(System.Logger.Level.WARNING, "closing component " + c + " failed", e);
                }
            }
        }
    }

    /**
     * The rate limiter, created when first asked for (by a module or at the end of the build), on
     * the store a module chose before that or on the default in-memory store.
     */
    private final class LimiterSlot {
        private final Builder builder;
        private LimitStore store;
        private boolean ownsStore;
        private String storeModule;
        private RateLimiter limiter;

        LimiterSlot(Builder builder) {
            this.builder = builder;
            this.store = builder.rateLimitStore;
        }

        void use(String module, LimitStore chosen, boolean owned) {
            Objects.requireNonNull(chosen, "store");
            if (limiter != null) {
                throw new IllegalStateException("module '" + module + "' sets the rate limit store after the rate limiter"
                        + " was created: install it before the modules that use the rate limiter");
            }
            if (store != null) {
                throw new IllegalStateException("module '" + module + "' sets the rate limit store, but "
                        + (storeModule != null ? "module '" + storeModule + "'" : "Builder.rateLimitStore") + " set it already");
            }
            this.store = chosen;
            this.ownsStore = owned;
            this.storeModule = module;
        }

        RateLimiter limiter() {
            if (limiter == null) {
                LimitStore chosen = store;
                boolean owned = ownsStore;
                if (chosen == null) {
                    chosen = InMemoryLimitStore.builder().clock(clock).maxKeys(builder.rateLimitMaxKeys)
                            .backgroundSweeps(task -> scheduler.schedule("rate-limit-reclaim", Duration.ZERO, task))
                            .build();
                    owned = true;
                }
                if (store != null && builder.rateLimitMaxKeysSet) {
                    throw new IllegalStateException("module '" + storeModule + "' sets the rate limit store: rateLimitMaxKeys("
                            + builder.rateLimitMaxKeys + ") bounds only the in-memory store and would be ignored;"
                            + " leave rateLimitMaxKeys unset");
                }
                RateLimiter created = RateLimiter.builder(chosen).telemetry(telemetry).clock(clock).ownsStore(owned).build();
                limiter = components.register("rate_limiter", created, created::status, created);
            }
            return limiter;
        }
    }

    /** The context a module is installed with. */
    private final class Context implements ModuleContext {
        private final String moduleName;
        private final LimiterSlot limiterSlot;
        private final List<Consumer<? super Infrastructure>> whenBuilt;

        Context(String moduleName, LimiterSlot limiterSlot, List<Consumer<? super Infrastructure>> whenBuilt) {
            this.moduleName = moduleName;
            this.limiterSlot = limiterSlot;
            this.whenBuilt = whenBuilt;
        }

        @Override
        public void onBuilt(Consumer<? super Infrastructure> action) {
            whenBuilt.add(Objects.requireNonNull(action, "action"));
        }

        @Override
        public String moduleName() {
            return moduleName;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public Telemetry telemetry() {
            return telemetry;
        }

        @Override
        public Scheduler scheduler() {
            return scheduler;
        }

        @Override
        public Timer timer() {
            return policyContext.timer();
        }

        @Override
        public Executor executor() {
            return policyContext.executor();
        }

        @Override
        public PolicyContext policyContext() {
            return policyContext;
        }

        @Override
        public CircuitBreakers circuitBreakers() {
            return circuitBreakers;
        }

        @Override
        public HealthRegistry health() {
            return health;
        }

        @Override
        public ErrorCatalogue errorCodes() {
            return errorCodes;
        }

        @Override
        public void useRateLimitStore(LimitStore store, boolean owned) {
            limiterSlot.use(moduleName, store, owned);
        }

        @Override
        public RateLimiter rateLimiter() {
            return limiterSlot.limiter();
        }

        @Override
        public <C> C register(String name, C component, Supplier<? extends ComponentStatus> status, AutoCloseable onClose) {
            return components.register(name, component, status, onClose);
        }

        @Override
        public <C> Optional<C> component(Class<C> type) {
            return components.first(type);
        }

        @Override
        public <C> List<C> components(Class<C> type) {
            return components.all(type);
        }
    }

    /** Builds an {@link Infrastructure}; not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.system();
        private Duration tickingClockResolution;
        private Telemetry telemetry;
        private final Telemetry.Builder telemetryBuilder = Telemetry.builder();
        private Timer timer;
        private Executor executor;
        private LimitStore rateLimitStore;
        private long rateLimitMaxKeys = InMemoryLimitStore.DEFAULT_MAX_KEYS;
        /** Settings that apply only to what the infrastructure creates, as given (null when not set). */
        private String telemetryPrefix;
        private Integer asyncTelemetryCapacity;
        private boolean rateLimitMaxKeysSet;
        private Duration rateLimitSweepInterval = Duration.ofSeconds(10);
        private HealthConfig health = HealthConfig.defaults();
        private MemoryConfig memory = MemoryConfig.defaults();
        private MemorySource memorySource;
        private final List<BulwarkModule> modules = new ArrayList<>();

        private Builder() {
        }

        /**
         * Installs a module (a Redis limit store, pools, a metrics binder...) when the infrastructure is
         * built: modules install in the order given, after core's components, and close in reverse.
         *
         * @throws IllegalArgumentException if a module of the same name was given already
         */
        public Builder install(BulwarkModule module) {
            Objects.requireNonNull(module, "module");
            for (BulwarkModule m : modules) {
                if (m.name().equals(module.name())) {
                    throw new IllegalArgumentException("a module named '" + module.name() + "' is installed already: " + m);
                }
            }
            modules.add(module);
            return this;
        }

        /** The clock of every component; use a {@link dev.bulwark.time.ManualClock} in tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.tickingClockResolution = null;
            return this;
        }

        /**
         * Reads time from a {@link TickingClock} of this resolution, which the infrastructure starts
         * and closes: every clock read becomes one memory load, at the price of time that moves in
         * steps of {@code resolution} (see {@link TickingClock} for what that means for breakers,
         * limits and measured durations). Replaces {@link #clock(Clock)}.
         *
         * @throws IllegalArgumentException if {@code resolution} is outside
         *                                  [{@link TickingClock#MIN_RESOLUTION}, {@link TickingClock#MAX_RESOLUTION}]
         */
        public Builder tickingClock(Duration resolution) {
            this.tickingClockResolution = TickingClock.requireResolution("tickingClock resolution", resolution);
            return this;
        }

        /**
         * The prefix of every event name (default {@code foundation.infra}) of the telemetry the
         * infrastructure creates (not allowed with {@link #telemetry(Telemetry)}, which brings its own).
         *
         * @throws NullPointerException     if {@code dottedPrefix} is null
         * @throws IllegalArgumentException if it is not dot-separated non-blank segments
         */
        public Builder telemetryPrefix(String dottedPrefix) {
            if (dottedPrefix == null) {
                throw new NullPointerException("telemetryPrefix must not be null");
            }
            try {
                telemetryBuilder.prefix(dottedPrefix);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("telemetryPrefix must be dot-separated non-blank segments, was '"
                        + dottedPrefix + "'", e);
            }
            this.telemetryPrefix = dottedPrefix;
            return this;
        }

        /**
         * Asynchronous telemetry dispatch through a bounded queue; a full queue drops events
         * (counted in {@link InfrastructureStatus#droppedEvents()}).
         *
         * Not allowed with {@link #telemetry(Telemetry)}, which brings its own dispatch.
         *
         * @throws IllegalArgumentException if {@code queueCapacity} is outside [1,
         *                                  {@value Telemetry.Builder#MAX_QUEUE_CAPACITY}]
         */
        public Builder asyncTelemetry(int queueCapacity) {
            telemetryBuilder.asynchronous(queueCapacity);
            this.asyncTelemetryCapacity = queueCapacity;
            return this;
        }

        /**
         * Uses an existing telemetry stream (shared between instances, say) instead of creating
         * one; the caller keeps ownership and closes it. Its prefix and dispatch are its own, so
         * {@link #telemetryPrefix} and {@link #asyncTelemetry} cannot be set with it ({@link #build()}
         * refuses the combination).
         */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * The timer the pipeline waits on (backoff, timeouts, bulkhead waits). Default: the clock
         * itself when it is a timer (a {@link dev.bulwark.time.ManualClock}), else a real-time timer
         * thread owned by the infrastructure.
         */
        public Builder timer(Timer timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /**
         * The store of the rate limiter (a Redis store, say) instead of the in-memory default; the
         * caller keeps ownership and closes it. {@link #rateLimitMaxKeys} bounds only the default
         * store, so it cannot be set with this ({@link #build()} refuses the combination).
         */
        public Builder rateLimitStore(LimitStore store) {
            this.rateLimitStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The executor that runs calls under a timeout and resumes asynchronous retries; it must
         * not reject work, and the caller keeps ownership. Default: a cached pool of daemon
         * threads owned by the infrastructure. A virtual-thread-per-task executor suits it well.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The bound on live states of the default in-memory store (default
         * {@value InMemoryLimitStore#DEFAULT_MAX_KEYS}); see {@link InMemoryLimitStore} for what happens at it.
         *
         * @throws IllegalArgumentException if {@code maxKeys} is below 1
         */
        public Builder rateLimitMaxKeys(long maxKeys) {
            if (maxKeys < 1) {
                throw new IllegalArgumentException("rateLimitMaxKeys must be >= 1, was " + maxKeys);
            }
            this.rateLimitMaxKeys = maxKeys;
            this.rateLimitMaxKeysSet = true;
            return this;
        }

        /**
         * How often expired rate-limit state is swept (default 10 s, real time).
         *
         * @throws IllegalArgumentException if {@code interval} is not positive, or longer than
         *                                  {@link Durations#MAX} (365 days)
         */
        public Builder rateLimitSweepInterval(Duration interval) {
            if (interval == null) {
                throw new IllegalArgumentException("rateLimitSweepInterval must be positive, was null");
            }
            this.rateLimitSweepInterval = Durations.requirePositive("rateLimitSweepInterval", interval);
            return this;
        }

        /**
         * The health registry's configuration: the default timeout and TTL of checks, the breakers
         * marked critical, the key-bound warning (default {@link HealthConfig#defaults()}).
         */
        public Builder health(HealthConfig config) {
            this.health = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The memory monitor's thresholds, hysteresis, grace period and poll interval (default
         * {@link MemoryConfig#defaults()}: elevated at 80 %, critical at 90 % of the heap in use
         * after collection).
         */
        public Builder memory(MemoryConfig config) {
            this.memory = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Where the memory monitor reads (default {@link MemorySource#heapAfterCollection()}, the JVM's
         * heap); a test injects readings with it and calls {@code infra.memory().refresh()}.
         */
        public Builder memorySource(MemorySource source) {
            this.memorySource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Builds and starts the infrastructure, installing its modules; emits
         * {@code infrastructure.initialized}.
         *
         * @throws IllegalStateException if two modules register the same error code, component name or
         *                               store; or if a setting would be ignored: {@link #telemetryPrefix}
         *                               or {@link #asyncTelemetry} with {@link #telemetry(Telemetry)},
         *                               {@link #rateLimitMaxKeys} with a store given by
         *                               {@link #rateLimitStore} or a module
         * @throws RuntimeException      what a module's {@code install} threw (what was built is closed again)
         */
        public Infrastructure build() {
            if (telemetry != null && telemetryPrefix != null) {
                throw new IllegalStateException("telemetry(" + telemetry + ") brings its own prefix "
                        + telemetry.prefix() + ": telemetryPrefix(\"" + telemetryPrefix + "\") would be ignored;"
                        + " set one of the two");
            }
            if (telemetry != null && asyncTelemetryCapacity != null) {
                throw new IllegalStateException("telemetry(" + telemetry + ") brings its own dispatch ("
                        + telemetry.dispatchMode() + "): asyncTelemetry(" + asyncTelemetryCapacity + ") would be ignored;"
                        + " set one of the two");
            }
            if (rateLimitStore != null && rateLimitMaxKeysSet) {
                throw new IllegalStateException("rateLimitStore(" + rateLimitStore + ") is used instead of the in-memory"
                        + " store: rateLimitMaxKeys(" + rateLimitMaxKeys + ") bounds only that store and would be ignored;"
                        + " set one of the two");
            }
            return new Infrastructure(this);
        }
    }
}
