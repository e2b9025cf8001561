package dev.bulwark;

import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.error.ErrorCode;
import dev.bulwark.error.InfraError;
import dev.bulwark.internal.DaemonExecutor;
import dev.bulwark.internal.ExecutorScheduler;
import dev.bulwark.internal.SystemTimer;
import dev.bulwark.pipeline.PolicyContext;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.TickingClock;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The entry point of Bulwark: one object that owns the clock, the telemetry stream, the
 * background scheduler and every protection component built on them.
 *
 * <pre>{@code
 * try (Infrastructure infra = Infrastructure.builder().build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@code build()} starts the scheduler thread and emits
 * {@code infrastructure.initialized}; {@link #close()} emits {@code infrastructure.stopped},
 * closes the components in reverse order and stops every thread the instance started. Building
 * and closing any number of instances in one JVM leaves no thread behind.
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
    private final Map<String, Supplier<Object>> componentStatus = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CircuitBreakers circuitBreakers;
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
        CircuitBreakers breakers = CircuitBreakers.create(clock, telemetry);
        this.circuitBreakers = register("circuit_breakers", breakers, breakers::snapshot);
        RateLimiter limiter = createRateLimiter(b);
        this.rateLimiter = register("rate_limiter", limiter, limiter::snapshot);
        scheduler.scheduleAtFixedRate("rate-limit-sweep", b.rateLimitSweepInterval, rateLimiter::sweepExpired);
        List<AutoCloseable> pipelineResources = new ArrayList<>();
        this.policyContext = policyContext(b, pipelineResources);
        ProtectionRegistry registry = new ProtectionRegistry(policyContext, circuitBreakers,
                new LimiterGate(rateLimiter, telemetry), pipelineResources);
        this.protections = register("protections", registry, registry::snapshot);

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
     * What the pipeline's policies run on: this instance's clock, telemetry, timer (the clock
     * itself when it is a {@link dev.bulwark.time.ManualClock}) and executor. Pass it to
     * {@code Retry.of}, {@code Timeout.of}, {@code Bulkhead.of} and {@code Fallback.of} to use a
     * policy on its own.
     */
    public PolicyContext policyContext() {
        return policyContext;
    }

    // ---------------------------------------------------------------- the protection pipeline (DESIGN §7)

    /**
     * Runs {@code operation} under every part of {@code protection}, nested in the fixed order
     * fallback → rate limit → bulkhead → total timeout → retry → circuit breaker → attempt timeout.
     *
     * @return {@code Ok(value)} (the call's, or the fallback's); or {@code Err} with the error that
     *         came out: 6001 rate limited, 7001 bulkhead full, 7002 timed out, 7003 retries exhausted,
     *         7004 retry budget exhausted, 5004 breaker open, 5005 breaker not installed, 5003 / 5012
     *         the call failed, 7005 the fallback failed, 7007 {@code protection} is null or its
     *         breaker cannot be installed, 3204 {@code operation} is null
     */
    public <T> Result<T> executeProtected(Protection protection, ThrowingSupplier<T> operation) {
        return executeProtected(protection, null, operation);
    }

    /**
     * {@link #executeProtected(Protection, ThrowingSupplier)} on behalf of {@code entityId}, the
     * entity the protection's rate limit counts (it overrides the protection's own entity; required
     * for a per-caller limit, else 6009).
     */
    public <T> Result<T> executeProtected(Protection protection, String entityId, ThrowingSupplier<T> operation) {
        if (protection == null) {
            return Result.err(protections.invalid(null, "protection must not be null", null));
        }
        if (operation == null) {
            return Result.err(nullOperation());
        }
        ProtectionPipeline pipeline;
        try {
            pipeline = protections.direct(protection);
        } catch (RuntimeException e) {
            return Result.err(protections.unusable(protection, e));
        }
        return pipeline.execute(entityId, operation);
    }

    /**
     * Runs {@code operation} under the protection configured under {@code key}
     * ({@link #configureProtection}); as {@link #executeProtected(Protection, ThrowingSupplier)},
     * and 7006 when no protection has that key.
     */
    public <T> Result<T> executeProtected(String key, ThrowingSupplier<T> operation) {
        return executeProtected(key, null, operation);
    }

    /** {@link #executeProtected(String, ThrowingSupplier)} on behalf of {@code entityId}. */
    public <T> Result<T> executeProtected(String key, String entityId, ThrowingSupplier<T> operation) {
        ProtectionPipeline pipeline = protections.named(key);
        if (pipeline == null) {
            return Result.err(protections.notFound(key));
        }
        if (operation == null) {
            return Result.err(nullOperation());
        }
        return pipeline.execute(entityId, operation);
    }

    /**
     * The asynchronous form of {@link #executeProtected(Protection, ThrowingSupplier)}: no thread
     * blocks on a wait, a backoff or a timeout. The stage never completes exceptionally.
     */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(Protection protection,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(protection, null, operation);
    }

    /** {@link #executeProtectedAsync(Protection, Supplier)} on behalf of {@code entityId}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(Protection protection, String entityId,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        if (protection == null) {
            return CompletableFuture.completedFuture(Result.err(protections.invalid(null, "protection must not be null", null)));
        }
        if (operation == null) {
            return CompletableFuture.completedFuture(Result.err(nullOperation()));
        }
        ProtectionPipeline pipeline;
        try {
            pipeline = protections.direct(protection);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Result.err(protections.unusable(protection, e)));
        }
        return pipeline.executeAsync(entityId, operation);
    }

    /** The asynchronous form of {@link #executeProtected(String, ThrowingSupplier)}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(String key, Supplier<? extends CompletionStage<T>> operation) {
        return executeProtectedAsync(key, null, operation);
    }

    /** {@link #executeProtectedAsync(String, Supplier)} on behalf of {@code entityId}. */
    public <T> CompletionStage<Result<T>> executeProtectedAsync(String key, String entityId,
                                                               Supplier<? extends CompletionStage<T>> operation) {
        ProtectionPipeline pipeline = protections.named(key);
        if (pipeline == null) {
            return CompletableFuture.completedFuture(Result.err(protections.notFound(key)));
        }
        if (operation == null) {
            return CompletableFuture.completedFuture(Result.err(nullOperation()));
        }
        return pipeline.executeAsync(entityId, operation);
    }

    /**
     * Configures (or replaces) the protection under {@code key}. The replacement is atomic: a call
     * runs entirely under the old configuration or entirely under the new one. State that still
     * applies is kept: the breaker and the rate limits (they live in their registries), and the
     * bulkhead (its calls in flight, under the new limit), the retry budget, the timeouts' counts and
     * the fallback's last good value when their configuration did not change.
     *
     * @return {@code Ok(config)}; {@code Err(7007)} for a blank or over-long key, a null config, or a
     *         breaker that cannot be installed
     */
    public Result<Protection> configureProtection(String key, Protection config) {
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

    /** The state of every part of the protection under {@code key}, or {@code Err(7006)}. */
    public Result<ProtectionStatus> protectionStatus(String key) {
        return protections.status(key);
    }

    /** Removes the protection under {@code key}; calls already running finish under it. */
    public boolean removeProtection(String key) {
        return protections.remove(key);
    }

    private InfraError nullOperation() {
        return InfraError.builder(ErrorCode.INVALID_INPUT)
                .message("operation must not be null")
                .timestampMillis(clock.currentTimeMillis())
                .build();
    }

    private PolicyContext policyContext(Builder b, List<AutoCloseable> owned) {
        Timer timer = b.timer;
        if (timer == null && clock instanceof Timer clockTimer) {
            timer = clockTimer;
        }
        if (timer == null) {
            SystemTimer systemTimer = new SystemTimer();
            owned.add(systemTimer);
            timer = systemTimer;
        }
        Executor executor = b.executor;
        if (executor == null) {
            ExecutorService pool = DaemonExecutor.create("bulwark-pipeline");
            owned.add(pool::shutdownNow);
            executor = pool;
        }
        return PolicyContext.builder().clock(clock).timer(timer).executor(executor).telemetry(telemetry).build();
    }

    /**
     * The rate limiter, on the configured {@link LimitStore} (by default an in-memory store on this
     * instance's clock, bounded by {@link Builder#rateLimitMaxKeys(long)}); its expired state is
     * swept every {@link Builder#rateLimitSweepInterval(Duration)}.
     */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isRunning() {
        return !closed.get();
    }

    /** A snapshot of this instance and each of its components. */
    public InfrastructureStatus status() {
        Map<String, Object> components = new LinkedHashMap<>();
        synchronized (componentStatus) {
            componentStatus.forEach((name, status) -> components.put(name, status.get()));
        }
        return new InfrastructureStatus(isRunning(), startedAt,
                Duration.ofNanos(clock.nanoTime() - startedNanos),
                Collections.unmodifiableMap(components),
                telemetry.droppedEvents(), telemetry.handlerFailures(), scheduler.failures());
    }

    /**
     * Stops this instance: emits {@code infrastructure.stopped}, closes components in reverse
     * order of creation, stops the scheduler and (if it created it) the telemetry dispatcher.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        emit(Events.INFRASTRUCTURE_STOPPED);
        List<AutoCloseable> reversed;
        synchronized (componentStatus) {
            reversed = new ArrayList<>(closeables);
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
        scheduler.close();
        if (ownsTelemetry) {
            telemetry.close();
        }
        if (ownedClock != null) {
            ownedClock.close();
        }
    }

    /** Registers a component's status summary and, if it is closeable, its shutdown. */
    private <T> T register(String name, T component, Supplier<Object> status) {
        synchronized (componentStatus) {
            componentStatus.put(name, status);
            if (component instanceof AutoCloseable closeable) {
                closeables.add(closeable);
            }
        }
        return component;
    }

    private RateLimiter createRateLimiter(Builder b) {
        boolean ownsStore = b.rateLimitStore == null;
        LimitStore store = ownsStore
                ? InMemoryLimitStore.builder().clock(clock).maxKeys(b.rateLimitMaxKeys).build()
                : b.rateLimitStore;
        return RateLimiter.builder(store).telemetry(telemetry).clock(clock).ownsStore(ownsStore).build();
    }

    private List<String> componentNames() {
        synchronized (componentStatus) {
            return List.copyOf(componentStatus.keySet());
        }
    }

    private void emit(dev.bulwark.telemetry.EventName suffix) {
        EventChannel channel = telemetry.channel(telemetry.name(suffix));
        if (channel.isActive()) {
            channel.emit(Map.of(), Map.of("components", componentNames()));
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
        private Duration rateLimitSweepInterval = Duration.ofSeconds(10);

        private Builder() {
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

        /** The prefix of every event name (default {@code foundation.infra}). */
        public Builder telemetryPrefix(String dottedPrefix) {
            telemetryBuilder.prefix(dottedPrefix);
            return this;
        }

        /**
         * Asynchronous telemetry dispatch through a bounded queue; a full queue drops events
         * (counted in {@link InfrastructureStatus#droppedEvents()}).
         */
        public Builder asyncTelemetry(int queueCapacity) {
            telemetryBuilder.asynchronous(queueCapacity);
            return this;
        }

        /**
         * Uses an existing telemetry stream (shared between instances, say) instead of creating
         * one; the caller keeps ownership and closes it.
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
         * caller keeps ownership and closes it.
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
            return this;
        }

        /**
         * How often expired rate-limit state is swept (default 10 s, real time).
         *
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Builder rateLimitSweepInterval(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("rateLimitSweepInterval must be positive, was " + interval);
            }
            this.rateLimitSweepInterval = interval;
            return this;
        }

        /** Builds and starts the infrastructure; emits {@code infrastructure.initialized}. */
        public Infrastructure build() {
            return new Infrastructure(this);
        }
    }
}
