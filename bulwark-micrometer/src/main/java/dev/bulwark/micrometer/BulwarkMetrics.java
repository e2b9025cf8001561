package dev.bulwark.micrometer;

import dev.bulwark.Infrastructure;
import dev.bulwark.Protection;
import dev.bulwark.ProtectionStatus;
import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.circuit.State;
import dev.bulwark.memory.MemoryMonitor;
import dev.bulwark.memory.MemoryPressure;
import dev.bulwark.memory.MemoryReading;
import dev.bulwark.pipeline.BulkheadStats;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.spi.RegistryListener;
import dev.bulwark.spi.Subscription;
import dev.bulwark.telemetry.EventKeys;
import dev.bulwark.telemetry.EventName;
import dev.bulwark.telemetry.EventType;
import dev.bulwark.telemetry.Events;
import dev.bulwark.telemetry.PrimitiveEventHandler;
import dev.bulwark.telemetry.Telemetry;
import dev.bulwark.telemetry.TelemetryHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Bulwark's components as meters in a Micrometer {@link MeterRegistry}, installed as a module:
 *
 * <pre>{@code
 * MeterRegistry registry = ...;   // the application's
 * try (Infrastructure infra = Infrastructure.builder()
 *         .install(BulwarkMetrics.bindTo(registry))
 *         .build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Every meter is in {@link MeterCatalogue} (and docs/observability.md): names
 * {@code bulwark.<component>.<measure>}, timers in seconds, counters for cumulative counts (never
 * a gauge for a count, so a total over any range can be computed), one state gauge per breaker.
 * Tags come only from metadata the events declare as tags; entity ids never become tags, and each
 * tag key is bounded by {@link MetricsConfig} (overflow value {@code other}), so the number of
 * series does not depend on what callers send.
 *
 * <p><b>Following components.</b> The binder subscribes to the breaker registry and to the named
 * protections: a breaker installed gets its gauges, a breaker removed loses every series tagged
 * with its name (and its name's place under the bound); the same for a protection and its
 * stages' series; a health check registered gets its status gauge in each of its groups, and loses
 * it when it is removed (see {@link HealthGauges}). Counts and timings come from the telemetry
 * events, through one handler per event that finds the series with one map lookup per tag (no tags
 * built per event). Health and memory are gauges read at publication: they cost nothing per call.
 *
 * <p>Closing the infrastructure detaches the handlers, ends the subscriptions and removes every
 * meter the binder registered. Thread-safe.
 */
public final class BulwarkMetrics implements BulwarkModule {

    /** The component name under which the binder shows in {@code infra.status()}. */
    public static final String COMPONENT_NAME = "micrometer";

    private final MeterRegistry registry;
    private final MetricsConfig config;
    private final Map<String, TagGuard> guards = new ConcurrentHashMap<>();
    private final List<MeterFamily<?>> families = new CopyOnWriteArrayList<>();
    private final List<Meter> fixedMeters = new CopyOnWriteArrayList<>();
    private final Map<String, List<Meter>> breakerGauges = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> bulkheadGauges = new ConcurrentHashMap<>();
    private final List<String> handlerIds = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile HealthGauges healthGauges;
    /** A {@code PoolGauges} when bulwark-pool is present; typed Object so that this class never names a pool type. */
    private volatile Object poolGauges;
    private volatile Telemetry telemetry;
    private volatile boolean installed;
    private volatile boolean closed;

    private MeterFamily<Latency> breakerCalls;
    private MeterFamily<Counter> breakerRejections;
    private MeterFamily<Counter> breakerTransitions;
    private MeterFamily<Counter> rateDecisions;
    private MeterFamily<Latency> protectionCalls;

    private BulwarkMetrics(MeterRegistry registry, MetricsConfig config) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** A binder of the default {@link MetricsConfig} to {@code registry}, to install into an infrastructure. */
    public static BulwarkMetrics bindTo(MeterRegistry registry) {
        return new BulwarkMetrics(registry, MetricsConfig.defaults());
    }

    /** A binder of {@code config} to {@code registry}, to install into an infrastructure. */
    public static BulwarkMetrics bindTo(MeterRegistry registry, MetricsConfig config) {
        return new BulwarkMetrics(registry, config);
    }

    @Override
    public String name() {
        return COMPONENT_NAME;
    }

    /** The registry the meters go to. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The configuration. */
    public MetricsConfig config() {
        return config;
    }

    /**
     * Registers the meters and handlers on the infrastructure being built.
     *
     * @throws IllegalStateException if this binder was installed already (a binder serves one infrastructure)
     */
    @Override
    public synchronized void install(ModuleContext context) {
        if (installed) {
            throw new IllegalStateException("this BulwarkMetrics is installed already; bind one per infrastructure");
        }
        installed = true;
        Telemetry t = context.telemetry();
        this.telemetry = t;

        breakerCalls = latencyFamily(MeterCatalogue.BREAKER_CALLS, false);
        breakerRejections = counterFamily(MeterCatalogue.BREAKER_REJECTIONS);
        breakerTransitions = counterFamily(MeterCatalogue.BREAKER_TRANSITIONS);
        rateDecisions = counterFamily(MeterCatalogue.RATE_LIMIT_DECISIONS);
        protectionCalls = latencyFamily(MeterCatalogue.PROTECTION_CALLS, config.protectionDistribution());

        on(Events.CIRCUIT_BREAKER_CALL_EXECUTED, new Timed(breakerCalls));
        MeterFamily<Counter> rejections = breakerRejections;
        on(Events.CIRCUIT_BREAKER_CALL_REJECTED, (e, m, md) ->
                rejections.get(md.get(EventKeys.NAME), md.get(EventKeys.REASON)).increment());
        MeterFamily<Counter> transitions = breakerTransitions;
        on(Events.CIRCUIT_BREAKER_STATE_CHANGE, (e, m, md) ->
                transitions.get(md.get(EventKeys.NAME), md.get(EventKeys.FROM), md.get(EventKeys.TO)).increment());

        on(Events.RATE_LIMITER_REQUEST_ALLOWED, new Decided(rateDecisions, "allowed"));
        on(Events.RATE_LIMITER_REQUEST_DENIED, new Decided(rateDecisions, "denied"));
        countEach(Events.RATE_LIMITER_BACKEND_FAILURE, MeterCatalogue.RATE_LIMIT_BACKEND_FAILURES);
        countEach(Events.RATE_LIMITER_DENY_CACHE_HIT, MeterCatalogue.RATE_LIMIT_DENY_CACHE_HITS);

        on(Events.PROTECTION_EXECUTED, new Timed(protectionCalls));
        countEach(Events.RETRY_SCHEDULED, MeterCatalogue.RETRY_RETRIES);
        countEach(Events.RETRY_EXHAUSTED, MeterCatalogue.RETRY_EXHAUSTED);
        countEach(Events.RETRY_BUDGET_EXHAUSTED, MeterCatalogue.RETRY_BUDGET_REJECTIONS);
        countEach(Events.TIMEOUT_TIMED_OUT, MeterCatalogue.TIMEOUT_TIMEOUTS);
        countEach(Events.BULKHEAD_CALL_REJECTED, MeterCatalogue.BULKHEAD_REJECTIONS);
        countEach(Events.FALLBACK_USED, MeterCatalogue.FALLBACK_USED);
        countEach(Events.FALLBACK_FAILED, MeterCatalogue.FALLBACK_FAILURES);
        countEach(Events.OVERLOAD_SHED, MeterCatalogue.SHED_REJECTIONS);
        countEach(Events.MEMORY_PRESSURE_CHANGED, MeterCatalogue.MEMORY_PRESSURE_CHANGES);

        fixedMeters.add(FunctionCounter.builder(MeterCatalogue.TELEMETRY_DROPPED.name(), t, Telemetry::droppedEvents)
                .description(MeterCatalogue.TELEMETRY_DROPPED.description()).register(registry));
        fixedMeters.add(FunctionCounter.builder(MeterCatalogue.TELEMETRY_HANDLER_FAILURES.name(), t, Telemetry::handlerFailures)
                .description(MeterCatalogue.TELEMETRY_HANDLER_FAILURES.description()).register(registry));

        subscriptions.add(context.circuitBreakers().subscribe(new BreakerListener()));
        HealthGauges health = new HealthGauges(context.health(), context.clock(), registry,
                guard("health", "group"), guard("health", "check"), this);
        healthGauges = health;
        subscriptions.add(context.health().subscribe(health));
        context.onBuilt(this::started);
        context.register(COMPONENT_NAME, this, this::status, this::close);
    }

    private void started(Infrastructure infra) {
        fixedMeters.add(Gauge.builder(MeterCatalogue.RATE_LIMIT_KEYS.name(), infra, i -> i.rateLimiter().keyCount())
                .description(MeterCatalogue.RATE_LIMIT_KEYS.description()).strongReference(true).register(registry));
        MemoryMonitor memory = infra.memory();
        fixedMeters.add(Gauge.builder(MeterCatalogue.MEMORY_PRESSURE.name(), memory, m -> pressureCode(m.level()))
                .description(MeterCatalogue.MEMORY_PRESSURE.description()).strongReference(true).register(registry));
        fixedMeters.add(Gauge.builder(MeterCatalogue.MEMORY_OCCUPANCY.name(), memory, BulwarkMetrics::occupancy)
                .baseUnit(MeterCatalogue.MEMORY_OCCUPANCY.baseUnit())
                .description(MeterCatalogue.MEMORY_OCCUPANCY.description()).strongReference(true).register(registry));
        subscriptions.add(infra.subscribeToProtections(new ProtectionListener(infra)));
        if (PoolGauges.available()) {
            synchronized (this) {
                PoolGauges pools = new PoolGauges(infra, registry, guard("pool", "pool"));
                pools.followAll();
                poolGauges = pools;
            }
        }
    }

    private static double occupancy(MemoryMonitor monitor) {
        MemoryReading reading = monitor.reading();
        return reading == null ? Double.NaN : reading.occupancy();
    }

    /**
     * The binder's status: series registered now (every meter with its tags) and, per
     * {@code component.tag}, events reported under the overflow value because the tag was at its bound.
     */
    public record Status(int series, Map<String, Long> tagOverflows) implements ComponentStatus {
    }

    /** What {@code infra.status()} shows under {@value #COMPONENT_NAME}. */
    public Status status() {
        int series = fixedMeters.size();
        for (MeterFamily<?> f : families) {
            series += f.seriesCount();
        }
        for (List<Meter> g : breakerGauges.values()) {
            series += g.size();
        }
        for (List<Meter> g : bulkheadGauges.values()) {
            series += g.size();
        }
        HealthGauges health = healthGauges;
        if (health != null) {
            series += health.seriesCount();
        }
        synchronized (this) {
            if (poolGauges != null) {
                series += ((PoolGauges) poolGauges).seriesCount();
            }
        }
        Map<String, Long> overflows = new LinkedHashMap<>();
        for (TagGuard g : guards.values()) {
            long n = g.overflows.sum();
            if (n > 0) {
                overflows.put(g.component + "." + g.key, n);
            }
        }
        return new Status(series, Map.copyOf(overflows));
    }

    /** Detaches the handlers, ends the subscriptions and removes every meter this binder registered. Idempotent. */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Telemetry t = telemetry;
        if (t != null) {
            handlerIds.forEach(t::detach);
        }
        subscriptions.forEach(Subscription::close);
        HealthGauges health = healthGauges;
        if (health != null) {
            health.close();
        }
        if (poolGauges != null) {
            ((PoolGauges) poolGauges).close();
        }
        for (MeterFamily<?> f : families) {
            f.clear(registry);
        }
        breakerGauges.values().forEach(list -> list.forEach(registry::remove));
        bulkheadGauges.values().forEach(list -> list.forEach(registry::remove));
        fixedMeters.forEach(registry::remove);
    }

    @Override
    public String toString() {
        return "BulwarkMetrics[" + registry.getClass().getSimpleName() + ", " + config + "]";
    }

    // ---- wiring

    private void on(EventType type, TelemetryHandler handler) {
        String id = COMPONENT_NAME + ":" + type.suffix();
        telemetry.attach(id, telemetry.name(type), handler);
        handlerIds.add(id);
    }

    /** Counts each event of {@code type} in the series of {@code meter} whose tags are the event's metadata. */
    private void countEach(EventType type, MeterDefinition meter) {
        MeterFamily<Counter> family = counterFamily(meter);
        on(type, (e, m, md) -> family.get(md).increment());
    }

    private static long micros(Map<String, Number> measurements) {
        Number n = measurements.get(EventKeys.DURATION_US);
        return n == null ? 0 : n.longValue();
    }

    private static String component(MeterDefinition meter) {
        String rest = meter.name().substring("bulwark.".length());
        return rest.substring(0, rest.indexOf('.'));
    }

    private TagGuard guard(String component, String key) {
        return guards.computeIfAbsent(component + "." + key, k -> {
            TagGuard g = new TagGuard(component, key, config.maxTagValues(key));
            fixedMeters.add(FunctionCounter.builder(MeterCatalogue.TAG_OVERFLOWS.name(), g, x -> x.overflows.sum())
                    .tags("component", component, "tag", key)
                    .description(MeterCatalogue.TAG_OVERFLOWS.description()).register(registry));
            return g;
        });
    }

    private TagGuard[] guardsOf(MeterDefinition meter) {
        String component = component(meter);
        TagGuard[] result = new TagGuard[meter.tags().size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = guard(component, meter.tags().get(i));
        }
        return result;
    }

    private MeterFamily<Counter> counterFamily(MeterDefinition meter) {
        MeterFamily<Counter> family = new MeterFamily<>(meter, guardsOf(meter), config.overflowValue(), tags -> {
            Counter c = Counter.builder(meter.name()).tags(tags).description(meter.description()).register(registry);
            return new MeterFamily.Leaf<>(c, List.of(c));
        });
        families.add(family);
        return family;
    }

    private MeterFamily<Latency> latencyFamily(MeterDefinition meter, boolean distribution) {
        MeterFamily<Latency> family = new MeterFamily<>(meter, guardsOf(meter), config.overflowValue(), tags -> {
            if (distribution) {
                Timer timer = Timer.builder(meter.name()).tags(tags).description(meter.description())
                        .publishPercentiles(config.protectionPercentiles())
                        .publishPercentileHistogram(config.protectionHistogram())
                        .register(registry);
                return new MeterFamily.Leaf<Latency>(us -> timer.record(us, TimeUnit.MICROSECONDS), List.of(timer));
            }
            SumLatency sum = new SumLatency();
            FunctionTimer timer = FunctionTimer.builder(meter.name(), sum, SumLatency::count, SumLatency::totalMicros,
                    TimeUnit.MICROSECONDS).tags(tags).description(meter.description()).register(registry);
            return new MeterFamily.Leaf<Latency>(sum, List.of(timer));
        });
        families.add(family);
        return family;
    }

    private void removeSeries(String value, boolean prefix, MeterDefinition... meters) {
        for (MeterFamily<?> f : families) {
            for (MeterDefinition d : meters) {
                if (f.definition == d) {
                    f.removeFirst(registry, value, prefix);
                }
            }
        }
    }

    private <T> Gauge gauge(MeterDefinition meter, String name, T source, ToDoubleFunction<T> value) {
        return Gauge.builder(meter.name(), source, value).tags(Tags.of(meter.tags().get(0), name))
                .baseUnit(meter.baseUnit().isEmpty() ? null : meter.baseUnit())
                .description(meter.description()).strongReference(true).register(registry);
    }

    /**
     * Times the events of one latency meter: primitive, so that the per-call events reach it with
     * their duration as a {@code long} and no measurements map, and finds the series by the identity
     * of the event's metadata (see {@link MeterFamily#byIdentity}).
     */
    private static final class Timed implements PrimitiveEventHandler {
        private final MeterFamily<Latency> family;

        Timed(MeterFamily<Latency> family) {
            this.family = family;
        }

        @Override
        public void handle(EventName event, long micros, Map<String, Object> metadata) {
            family.byIdentity(metadata).record(micros);
        }

        @Override
        public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
            family.byIdentity(metadata).record(micros(measurements));
        }
    }

    /** Counts the rate limiter's decisions of one outcome by operation (the entity is never read). */
    private static final class Decided implements PrimitiveEventHandler {
        private final MeterFamily<Counter> family;
        private final String outcome;

        Decided(MeterFamily<Counter> family, String outcome) {
            this.family = family;
            this.outcome = outcome;
        }

        @Override
        public void handle(EventName event, long firstMeasurement, Map<String, Object> metadata) {
            family.get(metadata.get(EventKeys.OPERATION), outcome).increment();
        }

        @Override
        public void handle(EventName event, Map<String, Number> measurements, Map<String, Object> metadata) {
            family.get(metadata.get(EventKeys.OPERATION), outcome).increment();
        }
    }

    /** Records a call's duration. */
    @FunctionalInterface
    interface Latency {
        void record(long micros);
    }

    /** Count and total time, read by a {@link FunctionTimer} at publication: two adds per call. */
    static final class SumLatency implements Latency {
        private final LongAdder count = new LongAdder();
        private final LongAdder totalMicros = new LongAdder();

        @Override
        public void record(long micros) {
            count.increment();
            totalMicros.add(micros);
        }

        long count() {
            return count.sum();
        }

        double totalMicros() {
            return totalMicros.sum();
        }
    }

    static double stateCode(State state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
            case DISABLED -> 3;
        };
    }

    static double pressureCode(MemoryPressure level) {
        return switch (level) {
            case NORMAL -> 0;
            case ELEVATED -> 1;
            case CRITICAL -> 2;
        };
    }

    // ---- following components

    private final class BreakerListener implements RegistryListener<CircuitBreaker> {
        @Override
        public void added(String name, CircuitBreaker breaker) {
            synchronized (BulwarkMetrics.this) {
                if (closed || !guard("circuit_breaker", "name").admit(name)) {
                    return;
                }
                List<Meter> gauges = new ArrayList<>(2);
                gauges.add(gauge(MeterCatalogue.BREAKER_STATE, name, breaker, b -> stateCode(b.state())));
                gauges.add(gauge(MeterCatalogue.BREAKER_FAILURE_RATE, name, breaker, b -> b.stats().failureRate()));
                List<Meter> previous = breakerGauges.put(name, gauges);
                if (previous != null) {
                    previous.stream().filter(m -> !gauges.contains(m)).forEach(registry::remove);
                }
            }
        }

        @Override
        public void removed(String name, CircuitBreaker breaker) {
            synchronized (BulwarkMetrics.this) {
                List<Meter> gauges = breakerGauges.remove(name);
                if (gauges != null) {
                    gauges.forEach(registry::remove);
                }
                removeSeries(name, false, MeterCatalogue.BREAKER_CALLS, MeterCatalogue.BREAKER_REJECTIONS,
                        MeterCatalogue.BREAKER_TRANSITIONS);
                guard("circuit_breaker", "name").release(name);
            }
        }
    }

    private final class ProtectionListener implements RegistryListener<Protection> {
        private final Infrastructure infra;

        ProtectionListener(Infrastructure infra) {
            this.infra = infra;
        }

        @Override
        public void added(String key, Protection protection) {
            synchronized (BulwarkMetrics.this) {
                if (closed || !protection.parts().contains("bulkhead") || !guard("bulkhead", "name").admit(key)) {
                    return;
                }
                List<Meter> gauges = new ArrayList<>(2);
                gauges.add(gauge(MeterCatalogue.BULKHEAD_IN_FLIGHT, key, infra, i -> bulkhead(i, key, true)));
                gauges.add(gauge(MeterCatalogue.BULKHEAD_WAITING, key, infra, i -> bulkhead(i, key, false)));
                bulkheadGauges.put(key, gauges);
            }
        }

        @Override
        public void replaced(String key, Protection previous, Protection current) {
            synchronized (BulwarkMetrics.this) {
                boolean had = bulkheadGauges.containsKey(key);
                boolean has = current.parts().contains("bulkhead");
                if (had && !has) {
                    dropBulkheadGauges(key);
                } else if (!had && has) {
                    added(key, current);
                }
            }
        }

        @Override
        public void removed(String key, Protection protection) {
            synchronized (BulwarkMetrics.this) {
                dropBulkheadGauges(key);
                removeSeries(key, false, MeterCatalogue.PROTECTION_CALLS, MeterCatalogue.RETRY_RETRIES,
                        MeterCatalogue.RETRY_EXHAUSTED, MeterCatalogue.RETRY_BUDGET_REJECTIONS,
                        MeterCatalogue.BULKHEAD_REJECTIONS, MeterCatalogue.FALLBACK_USED, MeterCatalogue.FALLBACK_FAILURES,
                        MeterCatalogue.SHED_REJECTIONS);
                // a protection's timeouts are named <key>.total and <key>.attempt
                removeSeries(key, true, MeterCatalogue.TIMEOUT_TIMEOUTS);
            }
        }

        private void dropBulkheadGauges(String key) {
            List<Meter> gauges = bulkheadGauges.remove(key);
            if (gauges != null) {
                gauges.forEach(registry::remove);
                guard("bulkhead", "name").release(key);
            }
        }

        private double bulkhead(Infrastructure i, String key, boolean inFlight) {
            ProtectionStatus status = i.protectionStatus(key).orElse(null);
            BulkheadStats stats = status == null ? null : status.bulkhead();
            if (stats == null) {
                return Double.NaN;
            }
            return inFlight ? stats.inFlight() : stats.waiting();
        }
    }
}
