package dev.bulwark.config.internal;

import dev.bulwark.circuit.CircuitBreakerConfig;
import dev.bulwark.config.model.PoolSettings;
import dev.bulwark.pool.KeyedResourceFactory;
import dev.bulwark.pool.PoolConfig;
import dev.bulwark.pool.PoolStage;
import dev.bulwark.pool.Pools;
import dev.bulwark.pool.ResourceFactory;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.StageSpec;
import java.util.Map;

/**
 * The pools section and the protections' pool stage on bulwark-pool. This class is the only one
 * that names bulwark-pool (an optional dependency): it is loaded only when a configuration has
 * pools and {@link #available} found the module.
 */
public final class PoolSupport {

    private PoolSupport() {
    }

    /** Whether bulwark-pool is on the class path. */
    public static boolean available() {
        try {
            Class.forName("dev.bulwark.pool.Pools", false, PoolSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether {@code factory} is one of bulwark-pool's factories: plain or keyed. */
    public static boolean isFactory(Object factory) {
        return factory instanceof ResourceFactory<?> || factory instanceof KeyedResourceFactory<?, ?>;
    }

    /** Whether {@code factory} makes the resources of a keyed pool. */
    public static boolean isKeyed(Object factory) {
        return factory instanceof KeyedResourceFactory<?, ?>;
    }

    /**
     * The pool's configuration (a {@link PoolConfig}), each builder refusal reported at its
     * setting; null if one was refused.
     */
    static Object config(String name, PoolSettings p, CircuitBreakerConfig breaker, Class<?>[] poison,
                         SnapshotBuilder.StepRunner runner) {
        boolean[] ok = {true};
        SnapshotBuilder.StepRunner checked = (record, component, step) -> runner.step(record, component, () -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                ok[0] = false;
                throw e;
            }
        });
        checked.step(p, null, () -> Pools.builder().pool(name, () -> {
            throw new UnsupportedOperationException("name check only");
        }));
        PoolConfig.Builder b = PoolConfig.builder();
        if (p.maxSize() != null) {
            checked.step(p, "maxSize", () -> b.maxSize(p.maxSize()));
        }
        if (p.maxOverflow() != null) {
            checked.step(p, "maxOverflow", () -> b.maxOverflow(p.maxOverflow()));
        }
        if (p.overflowLinger() != null) {
            checked.step(p, "overflowLinger", () -> b.overflowLinger(p.overflowLinger()));
        }
        if (p.maxWaiters() != null) {
            checked.step(p, "maxWaiters", () -> b.maxWaiters(p.maxWaiters()));
        }
        if (p.checkoutTimeout() != null) {
            checked.step(p, "checkoutTimeout", () -> b.checkoutTimeout(p.checkoutTimeout()));
        }
        if (p.validateOnBorrow() != null) {
            b.validateOnBorrow(p.validateOnBorrow());
        }
        if (p.validateWhileIdle() != null) {
            checked.step(p, "validateWhileIdle", () -> b.validateWhileIdle(p.validateWhileIdle()));
        }
        if (p.evictIdleAfter() != null) {
            checked.step(p, "evictIdleAfter", () -> b.evictIdleAfter(p.evictIdleAfter()));
        }
        if (p.leakThreshold() != null) {
            checked.step(p, "leakThreshold", () -> b.leakThreshold(p.leakThreshold()));
        }
        if (p.maintenanceInterval() != null) {
            checked.step(p, "maintenanceInterval", () -> b.maintenanceInterval(p.maintenanceInterval()));
        }
        if (breaker != null) {
            b.breaker(breaker);
        }
        if (poison != null) {
            @SuppressWarnings("unchecked")
            Class<? extends Throwable>[] types = (Class<? extends Throwable>[]) poison;
            b.poisonedBy(types);
        }
        if (p.critical() != null) {
            b.critical(p.critical());
        }
        if (!ok[0]) {
            return null;
        }
        PoolConfig[] built = new PoolConfig[1];
        checked.step(p, "maxOverflow", () -> built[0] = b.build());
        return built[0];
    }

    /** The pool stage of {@code pool}. */
    static StageSpec stage(String pool) {
        return PoolStage.of(pool);
    }

    /**
     * The pools as a module.
     *
     * @param configs   {@link PoolConfig}s by pool name
     * @param factories a {@link ResourceFactory} or {@link KeyedResourceFactory} for each name of {@code configs}
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static BulwarkModule module(Map<String, Object> configs, Map<String, Object> factories) {
        Pools.Builder pools = Pools.builder();
        configs.forEach((name, config) -> {
            Object factory = factories.get(name);
            if (factory instanceof KeyedResourceFactory keyed) {
                pools.keyedPool(name, keyed, (PoolConfig) config);
            } else {
                pools.pool(name, (ResourceFactory) factory, (PoolConfig) config);
            }
        });
        return pools.asModule();
    }
}
