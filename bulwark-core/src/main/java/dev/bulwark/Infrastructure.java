package dev.bulwark;

import dev.bulwark.circuit.CircuitBreakers;
import dev.bulwark.internal.ExecutorScheduler;
import dev.bulwark.ratelimit.InMemoryLimitStore;
import dev.bulwark.ratelimit.LimitStore;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.telemetry.EventChannel;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final Telemetry telemetry;
    private final boolean ownsTelemetry;
    private final ExecutorScheduler scheduler;
    private final Instant startedAt;
    private final long startedNanos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, Supplier<Object>> componentStatus = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RateLimiter rateLimiter;
    private final CircuitBreakers circuitBreakers;

    private Infrastructure(Builder b) {
        this.clock = b.clock;
        this.ownsTelemetry = b.telemetry == null;
        this.telemetry = b.telemetry != null ? b.telemetry : b.telemetryBuilder.clock(b.clock).build();
        this.scheduler = new ExecutorScheduler();
        this.startedAt = clock.instant();
        this.startedNanos = clock.nanoTime();
        CircuitBreakers breakers = CircuitBreakers.create(clock, telemetry);
        this.circuitBreakers = register("circuit_breakers", breakers, breakers::snapshot);

        RateLimiter limiter = createRateLimiter(b);
        this.rateLimiter = register("rate_limiter", limiter, limiter::snapshot);
        scheduler.scheduleAtFixedRate("rate-limit-sweep", b.rateLimitSweepInterval, rateLimiter::sweepExpired);

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

    /**
     * The rate limiter, on the configured {@link LimitStore} (by default an in-memory store on this
     * instance's clock, bounded by {@link Builder#rateLimitMaxKeys(long)}); its expired state is
     * swept every {@link Builder#rateLimitSweepInterval(Duration)}.
     */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** The registry of named circuit breakers (fuse semantics and more; see {@link CircuitBreakers}). */
    public CircuitBreakers circuitBreakers() {
        return circuitBreakers;
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
        private Telemetry telemetry;
        private final Telemetry.Builder telemetryBuilder = Telemetry.builder();
        private LimitStore rateLimitStore;
        private long rateLimitMaxKeys = InMemoryLimitStore.DEFAULT_MAX_KEYS;
        private Duration rateLimitSweepInterval = Duration.ofSeconds(10);

        private Builder() {
        }

        /** The clock of every component; use a {@link dev.bulwark.time.ManualClock} in tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
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
         * The store of the rate limiter (a Redis store, say) instead of the in-memory default; the
         * caller keeps ownership and closes it.
         */
        public Builder rateLimitStore(LimitStore store) {
            this.rateLimitStore = Objects.requireNonNull(store, "store");
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
