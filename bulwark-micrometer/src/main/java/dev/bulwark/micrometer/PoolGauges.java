package dev.bulwark.micrometer;

import dev.bulwark.Infrastructure;
import dev.bulwark.pool.PoolStatus;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.time.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The meters of the pools ({@code bulwark-pool}) of one infrastructure, read from the
 * {@link PoolStatus} records in {@code infra.status()}: gauges for what the pool holds now, function
 * counters for what it counted since it started, each tagged with the pool's name.
 *
 * <p><b>Optional.</b> bulwark-micrometer does not need bulwark-pool: this class is the only one that
 * names a pool type, and the binder loads it only when {@link #available()} (the pool module is on
 * the class or module path). <b>Reading.</b> Every meter is read at publication; the meters of all
 * pools share one {@code infra.status()} snapshot for {@link HealthGauges#REPORT_REUSE} on the
 * infrastructure's clock. Nothing is done per checkout.
 *
 * <p>Pools are found in the components' statuses when the infrastructure is built (a component
 * whose status is a {@code PoolStatus}, or whose status record holds some, directly or in a map or
 * a collection); {@link #follow} adds
 * a pool's meters (for a registry of pools that announces entries) and {@link #drop} removes them.
 * Thread-safe: registration runs under the binder's lock.
 */
final class PoolGauges {

    static final String POOL_STATUS = "dev.bulwark.pool.PoolStatus";

    private static final long REUSE_NANOS = HealthGauges.REPORT_REUSE.toNanos();

    private final Infrastructure infra;
    private final Clock clock;
    private final MeterRegistry registry;
    private final TagGuard guard;
    private final Map<String, List<Meter>> meters = new LinkedHashMap<>();
    private Map<String, PoolStatus> snapshot;
    private long snapshotNanos;

    PoolGauges(Infrastructure infra, MeterRegistry registry, TagGuard guard) {
        this.infra = infra;
        this.clock = infra.clock();
        this.registry = registry;
        this.guard = guard;
    }

    /** Whether bulwark-pool is present (its status record can be loaded). */
    static boolean available() {
        try {
            Class.forName(POOL_STATUS, false, PoolGauges.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Registers the meters of every pool the infrastructure's status shows now. */
    void followAll() {
        for (String name : pools().keySet()) {
            follow(name);
        }
    }

    /**
     * Every {@link PoolStatus} in {@code infra.status()}, by pool name: a component whose status is
     * one, or one held by a component's status record directly, in a map's values or in a collection
     * (a registry of pools showing all of them in one status).
     */
    private Map<String, PoolStatus> pools() {
        Map<String, PoolStatus> byName = new LinkedHashMap<>();
        for (ComponentStatus status : infra.status().components().values()) {
            collect(status, byName, 2);
        }
        return byName;
    }

    private static void collect(Object value, Map<String, PoolStatus> into, int depth) {
        if (value instanceof PoolStatus pool) {
            into.putIfAbsent(pool.name(), pool);
        } else if (depth > 0 && value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, into, depth - 1));
        } else if (depth > 0 && value instanceof Collection<?> collection) {
            collection.forEach(v -> collect(v, into, depth - 1));
        } else if (depth > 0 && value instanceof Record record) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    collect(component.getAccessor().invoke(record), into, depth - 1);
                } catch (ReflectiveOperationException | RuntimeException unreadable) {
                    // a component we cannot read holds no pool we can show
                }
            }
        }
    }

    /** Registers the meters of pool {@code name} (unless they exist or its name is beyond the bound). */
    void follow(String name) {
        if (meters.containsKey(name) || !guard.admit(name)) {
            return;
        }
        List<Meter> list = new ArrayList<>(9);
        list.add(gauge(MeterCatalogue.POOL_MAX, name, s -> s.maxSize() + s.maxOverflow()));
        list.add(gauge(MeterCatalogue.POOL_IDLE, name, PoolStatus::idle));
        list.add(gauge(MeterCatalogue.POOL_ACTIVE, name, PoolStatus::active));
        list.add(gauge(MeterCatalogue.POOL_WAITERS, name, PoolStatus::waiters));
        list.add(counter(MeterCatalogue.POOL_TIMEOUTS, name, PoolStatus::timeouts));
        list.add(counter(MeterCatalogue.POOL_REJECTIONS, name, PoolStatus::rejections));
        list.add(counter(MeterCatalogue.POOL_CREATIONS, name, PoolStatus::created));
        list.add(counter(MeterCatalogue.POOL_DESTRUCTIONS, name, PoolStatus::destroyed));
        list.add(counter(MeterCatalogue.POOL_LEAKS, name, PoolStatus::leaks));
        meters.put(name, list);
    }

    /** Removes the meters of pool {@code name} and gives its place under the bound back. */
    void drop(String name) {
        List<Meter> list = meters.remove(name);
        if (list != null) {
            list.forEach(registry::remove);
            guard.release(name);
        }
    }

    int seriesCount() {
        int n = 0;
        for (List<Meter> list : meters.values()) {
            n += list.size();
        }
        return n;
    }

    void close() {
        meters.values().forEach(list -> list.forEach(registry::remove));
        meters.clear();
    }

    private synchronized PoolStatus status(String name) {
        long now = clock.nanoTime();
        if (snapshot == null || now - snapshotNanos >= REUSE_NANOS || now < snapshotNanos) {
            snapshot = pools();
            snapshotNanos = now;
        }
        return snapshot.get(name);
    }

    private double read(String name, ToDoubleFunction<PoolStatus> value) {
        PoolStatus status = status(name);
        return status == null ? Double.NaN : value.applyAsDouble(status);
    }

    private Meter gauge(MeterDefinition meter, String name, ToDoubleFunction<PoolStatus> value) {
        return Gauge.builder(meter.name(), this, g -> g.read(name, value)).tags("pool", name)
                .description(meter.description()).strongReference(true).register(registry);
    }

    private Meter counter(MeterDefinition meter, String name, ToDoubleFunction<PoolStatus> value) {
        return FunctionCounter.builder(meter.name(), this, g -> g.read(name, value)).tags("pool", name)
                .description(meter.description()).register(registry);
    }
}
