package dev.bulwark.pool;

import dev.bulwark.circuit.CircuitBreaker;
import dev.bulwark.health.HealthGroup;
import dev.bulwark.spi.BulwarkModule;
import dev.bulwark.spi.ComponentStatus;
import dev.bulwark.spi.ModuleContext;
import dev.bulwark.time.Scheduler;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pools of an {@code Infrastructure}, installed as a module:
 *
 * <pre>{@code
 * Infrastructure infra = Infrastructure.builder()
 *         .install(Pools.builder()
 *                 .pool("inventory", inventoryClients, PoolConfig.builder().maxSize(8).build())
 *                 .keyedPool("shards", shardClients, PoolConfig.builder().maxSize(2).build())
 *                 .asModule())
 *         .build();
 * Pool<InventoryClient> pool = infra.component(Pools.class).orElseThrow().pool("inventory");
 * }</pre>
 *
 * <p>Installing registers the codes 7101-7104 and the {@code pool.*} events, and for each pool: a
 * breaker {@code pool.<name>} in the infrastructure's breaker registry (creation and validation
 * failures), a component {@code pool_<name>} with its {@link PoolStatus}, a readiness check
 * {@code pool:<name>}, and its maintenance sweep on the infrastructure's scheduler. Pools close
 * with the infrastructure. The {@link PoolStage pool stage} finds its pool here. Thread-safe.
 */
public final class Pools {

    /** The module's name. */
    public static final String MODULE_NAME = "pools";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final Map<String, Pool<?>> pools;
    private final Map<String, KeyedPool<?, ?>> keyedPools;

    private Pools(Map<String, Pool<?>> pools, Map<String, KeyedPool<?, ?>> keyedPools) {
        this.pools = Collections.unmodifiableMap(pools);
        this.keyedPools = Collections.unmodifiableMap(keyedPools);
    }

    /** A builder with no pools. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The pool named {@code name}; its resource type is the one its factory makes (unchecked).
     *
     * @throws IllegalArgumentException if there is no such pool
     */
    @SuppressWarnings("unchecked")
    public <T> Pool<T> pool(String name) {
        Pool<?> pool = pools.get(Objects.requireNonNull(name, "name"));
        if (pool == null) {
            throw new IllegalArgumentException("no pool named '" + name + "'; pools: " + pools.keySet());
        }
        return (Pool<T>) pool;
    }

    /** The pool named {@code name}, if there is one. */
    @SuppressWarnings("unchecked")
    public <T> Optional<Pool<T>> find(String name) {
        return Optional.ofNullable((Pool<T>) pools.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * The keyed pool named {@code name} (types unchecked).
     *
     * @throws IllegalArgumentException if there is no such keyed pool
     */
    @SuppressWarnings("unchecked")
    public <K, T> KeyedPool<K, T> keyedPool(String name) {
        KeyedPool<?, ?> pool = keyedPools.get(Objects.requireNonNull(name, "name"));
        if (pool == null) {
            throw new IllegalArgumentException("no keyed pool named '" + name + "'; keyed pools: " + keyedPools.keySet());
        }
        return (KeyedPool<K, T>) pool;
    }

    /** The registry's own status: the names of its pools (each pool's figures are its own component). */
    public Status status() {
        return new Status(List.copyOf(pools.keySet()), List.copyOf(keyedPools.keySet()));
    }

    /** The names of the pools and keyed pools, in the order they were added. */
    public record Status(List<String> pools, List<String> keyedPools) implements ComponentStatus {
    }

    @Override
    public String toString() {
        return "Pools" + pools.keySet() + keyedPools.keySet();
    }

    /**
     * Collects the pools to install. Names are lower_snake_case (at most 63 characters) and unique
     * across pools and keyed pools. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, Definition> definitions = new LinkedHashMap<>();

        private Builder() {
        }

        /** A pool with the default configuration. */
        public <T> Builder pool(String name, ResourceFactory<T> factory) {
            return pool(name, factory, PoolConfig.defaults());
        }

        /**
         * A pool.
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if the name is not lower_snake_case or already taken
         */
        public <T> Builder pool(String name, ResourceFactory<T> factory, PoolConfig config) {
            add(name, new Definition(Objects.requireNonNull(factory, "factory must not be null"), null,
                    Objects.requireNonNull(config, "config must not be null")));
            return this;
        }

        /**
         * A keyed pool: {@code config} sizes each key.
         *
         * @throws NullPointerException     if an argument is null
         * @throws IllegalArgumentException if the name is not lower_snake_case or already taken
         */
        public <K, T> Builder keyedPool(String name, KeyedResourceFactory<K, T> factory, PoolConfig config) {
            add(name, new Definition(null, Objects.requireNonNull(factory, "factory must not be null"),
                    Objects.requireNonNull(config, "config must not be null")));
            return this;
        }

        private void add(String name, Definition definition) {
            Objects.requireNonNull(name, "pool name must not be null");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("pool name must be lower_snake_case (a letter, then letters, digits"
                        + " or '_', at most 63), was '" + name + "'");
            }
            if (definitions.containsKey(name)) {
                throw new IllegalArgumentException("pool name '" + name + "' is already taken");
            }
            definitions.put(name, definition);
        }

        /** The module that builds these pools into an {@code Infrastructure}. */
        public BulwarkModule asModule() {
            Map<String, Definition> snapshot = new LinkedHashMap<>(definitions);
            return new BulwarkModule() {
                @Override
                public String name() {
                    return MODULE_NAME;
                }

                @Override
                public void install(ModuleContext context) {
                    Builder.install(context, snapshot);
                }

                @Override
                public String toString() {
                    return "Pools module" + snapshot.keySet();
                }
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static void install(ModuleContext context, Map<String, Definition> definitions) {
            context.errorCodes().register(PoolErrorCode.class);
            context.telemetry().declare(PoolEvents.all());
            Map<String, Pool<?>> pools = new LinkedHashMap<>();
            Map<String, KeyedPool<?, ?>> keyed = new LinkedHashMap<>();
            for (Map.Entry<String, Definition> e : definitions.entrySet()) {
                String name = e.getKey();
                Definition d = e.getValue();
                CircuitBreaker breaker = context.circuitBreakers().install("pool." + name, d.config.breaker());
                PoolRuntime runtime = new PoolRuntime(name, d.config, context.clock(), context.timer(),
                        context.telemetry(), breaker);
                Runnable sweep;
                if (d.factory != null) {
                    Pool pool = new Pool(runtime, d.factory);
                    pools.put(name, pool);
                    context.register("pool_" + name, pool, pool::status, pool);
                    context.health().register("pool:" + name, pool::health, HealthGroup.READINESS);
                    sweep = pool::maintain;
                } else {
                    KeyedPool pool = new KeyedPool(runtime, d.keyedFactory);
                    keyed.put(name, pool);
                    context.register("pool_" + name, pool, pool::status, pool);
                    context.health().register("pool:" + name, pool::health, HealthGroup.READINESS);
                    sweep = pool::maintain;
                }
                Scheduler.Task task = context.scheduler().scheduleAtFixedRate("pool " + name + " maintenance",
                        d.config.maintenanceInterval(), sweep);
                runtime.maintenance(task);
            }
            Pools registry = new Pools(pools, keyed);
            context.register(MODULE_NAME, registry, registry::status, null);
        }
    }

    private record Definition(ResourceFactory<?> factory, KeyedResourceFactory<?, ?> keyedFactory, PoolConfig config) {
    }
}
